import { expect } from 'chai';
import { timelineOf } from '../expect/timeline.ts';
import { connectKube, type Kube } from '../kube/index.ts';
import { type FakeApiServer, startFakeApiServer } from '../testing/index.ts';
import { type RecorderWatchEvent, type RecorderWatchTarget, record, type WatchSource } from './recorder.ts';
import { memoryLineSink, type TraceLine, TraceWriter } from './trace.ts';

/** Scripted watch streams keyed by `kind@namespace`; a stream stays open until the signal aborts. */
function memorySource(
  streams: Record<string, RecorderWatchEvent[] | Error>,
): WatchSource & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    watch(target: RecorderWatchTarget, options) {
      const key = `${target.kind}@${target.namespace}`;
      opened.push(key);
      return {
        async *[Symbol.asyncIterator]() {
          const script = streams[key] ?? [];
          if (script instanceof Error) throw script;
          yield* script;
          const signal = options?.signal;
          if (signal && !signal.aborted)
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        },
      };
    },
  };
}

const object = (kind: string, name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: kind === 'Revision' ? 'serving.knative.dev/v1' : 'v1',
  kind,
  metadata: { name, namespace, uid: `uid-${name}` },
  ...extra,
});

const event = (name: string, namespace: string, involved: Record<string, string>) =>
  object('Event', name, namespace, {
    reason: 'InternalError',
    type: 'Warning',
    message: 'boom',
    count: 1,
    involvedObject: involved,
  });

describe('recorder', () => {
  it('writes every watch event as it arrives and keeps only system-namespace Events about the scenario', async () => {
    const t0 = Date.parse('2025-06-01T10:00:00.000Z');
    const source = memorySource({
      'Revision@demo': [
        {
          type: 'ADDED',
          object: object('Revision', 'hello-00001', 'demo'),
          receivedAt: t0 + 10,
          origin: 'list',
        },
      ],
      'Pod@demo': [
        { type: 'ADDED', object: object('Pod', 'p', 'demo'), receivedAt: t0 + 20, origin: 'watch' },
      ],
      'Event@knative-serving': [
        {
          type: 'ADDED',
          object: event('mine', 'knative-serving', {
            namespace: 'demo',
            kind: 'Revision',
            name: 'hello-00001',
          }),
          receivedAt: t0 + 30,
        },
        {
          type: 'ADDED',
          object: event('theirs', 'knative-serving', { namespace: 'other', kind: 'Revision', name: 'x' }),
          receivedAt: t0 + 31,
        },
        {
          type: 'ADDED',
          object: event('by-uid', 'knative-serving', { uid: 'uid-p', kind: 'Pod', name: 'p' }),
          receivedAt: t0 + 32,
        },
      ],
      'Route@demo': new Error('the server could not find the requested resource'),
    });
    const sink = memoryLineSink();
    const controller = new AbortController();
    const recording = record({
      source,
      writer: new TraceWriter(sink, { now: () => t0, monotonic: () => 0 }),
      namespace: 'demo',
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const summary = await recording;

    expect(source.opened).to.have.members([
      'Service@demo',
      'Configuration@demo',
      'Revision@demo',
      'Route@demo',
      'Deployment@demo',
      'Pod@demo',
      'EndpointSlice@demo',
      'Event@demo',
      'Event@knative-serving',
    ]);
    const lines = sink.lines.map((l) => JSON.parse(l) as TraceLine);
    const events = lines.flatMap((l) =>
      l.type === 'watch' && l.object.kind === 'Event' ? [l.object.metadata?.name] : [],
    );
    expect(events).to.deep.equal(['mine', 'by-uid']);
    const notes = lines.flatMap((l) => (l.type === 'note' ? [l.text] : []));
    expect(notes).to.deep.equal([
      'watch of serving.knative.dev/v1 Route in demo ended: the server could not find the requested resource',
    ]);
    expect(summary.watches.find((w) => w.target.kind === 'Route')?.error).to.contain('could not find');
    expect(lines.find((l) => l.type === 'watch' && l.object.kind === 'Revision')).to.include({
      origin: 'list',
      at: '2025-06-01T10:00:00.010Z',
    });
  });

  describe('against the fake API server', () => {
    let server: FakeApiServer;
    let kube: Kube;

    beforeEach(async () => {
      server = await startFakeApiServer({ namespaces: ['demo', 'knative-serving'] });
      kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
    });

    afterEach(async () => {
      await kube.close();
      await server.close();
    });

    it('records condition changes of a Revision, including one that lasts a few milliseconds', async () => {
      const sink = memoryLineSink();
      const controller = new AbortController();
      // Passing Kube as the source also checks, at compile time, that it satisfies WatchSource.
      const recording = record({
        source: kube,
        writer: new TraceWriter(sink),
        namespace: 'demo',
        signal: controller.signal,
      });
      const waitFor = async (predicate: () => boolean) => {
        for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
        expect(predicate()).to.equal(true);
      };
      const ref = {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Revision',
        namespace: 'demo',
        name: 'hello-00001',
      };
      server.store.create({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: 'demo' },
      });
      await waitFor(() => sink.lines.some((l) => l.includes('"hello-00001"')));
      const setReady = (status: string, reason?: string) =>
        server.store.mutateStatus(ref, (o) => ({
          ...o,
          status: { conditions: [{ type: 'Ready', status, ...(reason ? { reason } : {}) }] },
        }));
      setReady('Unknown', 'Deploying');
      setReady('False', 'Blip');
      setReady('True');
      const warning = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'hello-00001.1', namespace: 'knative-serving' },
        involvedObject: { kind: 'Revision', name: 'hello-00001', namespace: 'demo' },
        reason: 'InternalError',
        type: 'Warning',
        message: 'boom',
        count: 1,
      };
      server.store.create(warning as Parameters<typeof server.store.create>[0]);
      await waitFor(
        () =>
          sink.lines.some((l) => l.includes('"InternalError"')) &&
          sink.lines.some((l) => l.includes('"True"')),
      );
      controller.abort();
      await recording;

      const timeline = timelineOf(sink.lines.map((l) => JSON.parse(l) as TraceLine));
      const ready = timeline.objects
        .get('serving.knative.dev/Revision/demo/hello-00001')
        ?.conditions.get('Ready');
      expect(ready?.map((c) => `${c.status}/${c.reason ?? ''}`)).to.deep.equal([
        'Unknown/Deploying',
        'False/Blip',
        'True/',
      ]);
      expect([...timeline.events.values()].map((e) => e.reason)).to.deep.equal(['InternalError']);
    });
  });
});
