/**
 * The resumable watch through the whole client stack (client-node Watch, undici, TLS) against the
 * fake API server, with the server's own change stream as ground truth.
 */
import { expect } from 'chai';
import { type FakeApiServer, setCondition, startFakeApiServer } from '../testing/index.ts';
import { connectKube, type Kube } from './kube.ts';
import type { KubernetesObject, WatchEvent } from './types.ts';

const ksvc = { apiVersion: 'serving.knative.dev/v1', kind: 'Service' } as const;
const ref = { ...ksvc, namespace: 'ns', name: 'hello' };
const target = { ...ksvc, namespace: 'ns' };

type StoredObject = Parameters<FakeApiServer['store']['create']>[0];

/** One observed state: resourceVersion plus the Ready condition it carried. */
const stateOf = (obj: KubernetesObject) => {
  const status = obj.status as
    | { conditions?: { type: string; status: string; message?: string }[] }
    | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return `${obj.metadata?.resourceVersion}:${ready ? `${ready.status}/${ready.message}` : '-'}`;
};

const until = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('Kube.watch against the fake API server', () => {
  let server: FakeApiServer;
  let kube: Kube;
  let serverStates: string[];
  let stopRecording: () => void;
  const fastBackoff = { initialMs: 2, maxMs: 20, factor: 2 };

  beforeEach(async () => {
    // No periodic bookmarks: the fake leaks its bookmark interval when a drop fault ends a stream
    // during backlog replay (the interval is armed after the stream finished), keeping mocha alive.
    server = await startFakeApiServer({ namespaces: ['ns'], bookmarkIntervalMs: 0 });
    kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
    serverStates = [];
    // Ground truth: every state the server committed for the object, in commit order.
    stopRecording = server.store.onChange((change) => {
      if (change.object.metadata?.name === 'hello' && change.resource.kind === 'Service') {
        serverStates.push(
          `${change.type === 'DELETED' ? 'DELETED ' : ''}${stateOf(change.object as KubernetesObject)}`,
        );
      }
    });
    server.store.create({ ...ksvc, metadata: { name: 'hello', namespace: 'ns' }, spec: {} } as StoredObject);
  });

  afterEach(async () => {
    stopRecording();
    await kube.close();
    await server.close();
  });

  const transition = (i: number) =>
    server.store.mutateStatus(ref, (obj) =>
      setCondition(obj, {
        type: 'Ready',
        status: i % 2 ? 'True' : 'False',
        reason: 'Probe',
        message: `transition ${i}`,
      }),
    );

  /** Consumes the watch in the background, recording every state it emits. */
  const startWatching = (options: Parameters<Kube['watch']>[1] = {}) => {
    const controller = new AbortController();
    const emitted: WatchEvent[] = [];
    const reasons: string[] = [];
    const done = (async () => {
      for await (const event of kube.watch(target, {
        backoff: fastBackoff,
        signal: controller.signal,
        onReconnect: (r) => reasons.push(r.reason),
        ...options,
      })) {
        if (event.object.metadata?.name === 'hello') emitted.push(event);
      }
    })();
    return { controller, emitted, reasons, done, states: () => emitted.map((e) => stateOf(e.object)) };
  };

  const watchRequests = () => server.requests.filter((r) => r.watch && r.path.endsWith('/services'));
  const listRequests = () =>
    server.requests.filter((r) => !r.watch && r.method === 'GET' && r.path.endsWith('/services'));

  it('emits exactly the server’s 1,000 transitions across a drop every 50 events and a 410 relist', async function () {
    this.timeout(30_000);
    this.slow(5_000);
    server.faults.dropWatchAfter(50, { resource: ksvc, times: 1_000 });
    const watch = startWatching();
    await until(() => watch.emitted.length === 1, 'the initial list');

    // Streams are dropped after exactly 50 events and resumed from the last one received, so stream
    // k carries writes 50k-49..50k. The 410 is armed while stream 10 is open, so it hits the resume
    // after write 500; writes pause there until the relist is done. Nothing is written during the gap,
    // so the server's full sequence stays observable and must come out unchanged. (The guarantee when
    // writes do fall into the gap is checked by the next test.)
    for (let i = 1; i <= 1_000; i++) {
      transition(i);
      if (i === 460) {
        await until(() => watch.emitted.length === 461, 'state 460');
        server.faults.goneOnce({ resource: ksvc });
      }
      if (i === 500)
        await until(() => listRequests().length === 2 && listRequests()[1]!.status === 200, 'the relist');
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => watch.emitted.length >= 1_001, 'all transitions', 15_000);
    watch.controller.abort();
    await watch.done;

    expect(serverStates).to.have.length(1_001);
    expect(watch.states()).to.deep.equal(serverStates);
    expect(watch.emitted.map((e) => e.origin)).to.deep.equal(['list', ...Array(1_000).fill('watch')]);
    expect(
      watch.reasons.filter((r) => r === '410 Gone'),
      'one 410 happened',
    ).to.have.length(1);
    expect(listRequests()).to.have.length(2);
    expect(watchRequests().length, 'a resumed watch per 50 events, plus the 410 one').to.equal(22);
    expect(watchRequests().every((r) => r.query.allowWatchBookmarks === 'true')).to.equal(true);
  });

  it('across a 410 with writes in the gap: each state at most once, in order, all real, the final one included', async function () {
    this.timeout(30_000);
    // Abrupt drops this time: the socket is destroyed mid-stream instead of ending cleanly.
    server.faults.dropWatchAfter(50, { resource: ksvc, times: 1_000, abrupt: true });
    const watch = startWatching();
    await until(() => watch.emitted.length === 1, 'the initial list');
    for (let i = 1; i <= 600; i++) {
      transition(i);
      // Writes go on while the next resume gets 410 and the client relists: states written between
      // the drop and the relist's snapshot are unobservable for any client.
      if (i === 275) server.faults.goneOnce({ resource: ksvc });
      if (i % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const last = serverStates.at(-1)!;
    await until(() => watch.states().at(-1) === last, 'the final state');
    watch.controller.abort();
    await watch.done;

    const emitted = watch.states();
    expect(new Set(emitted).size, 'no state twice').to.equal(emitted.length);
    const positions = emitted.map((s) => serverStates.indexOf(s));
    expect(positions.includes(-1), 'no state the server never had').to.equal(false);
    expect(positions, 'server order kept').to.deep.equal([...positions].sort((a, b) => a - b));
    expect(emitted.at(-1)).to.equal(last);
    expect(watch.reasons.filter((r) => r === '410 Gone')).to.have.length(1);
    expect(listRequests()).to.have.length(2);
  });

  it('relists into a deletion that happened while no watch was connected', async () => {
    server.faults.dropWatchAfter(1, { resource: ksvc });
    const watch = startWatching();
    await until(() => watchRequests().length === 1, 'the first watch');
    // The resume after the drop is held for 300 ms; meanwhile history is compacted and the object deleted.
    server.faults.latency(300, { times: 1, match: { watch: true } });
    transition(1);
    await until(() => watchRequests().length === 2, 'the resume');
    server.faults.compact(ksvc);
    server.store.delete(ref);
    await until(() => watch.emitted.length === 3, 'the deletion');
    watch.controller.abort();
    await watch.done;
    expect(watch.emitted.map((e) => [e.type, e.origin, stateOf(e.object)])).to.deep.equal([
      ['ADDED', 'list', serverStates[0]],
      ['MODIFIED', 'watch', serverStates[1]],
      ['DELETED', 'relist', serverStates[1]],
    ]);
  });

  it('reconnects a stalled stream and is kept alive by bookmarks', async function () {
    this.slow(2_000);
    const quiet = startWatching({ stallTimeoutMs: 150 });
    await until(() => watchRequests().length >= 3, 'two stall reconnects', 3_000);
    quiet.controller.abort();
    await quiet.done;
    expect(quiet.reasons.slice(0, 2)).to.deep.equal([
      'stalled: no event or bookmark in time',
      'stalled: no event or bookmark in time',
    ]);
    expect(watchRequests()[1]!.query.resourceVersion).to.equal(watchRequests()[0]!.query.resourceVersion);

    const chatty = await startFakeApiServer({ namespaces: ['ns'], bookmarkIntervalMs: 40 });
    const chattyKube = await connectKube({ kubeconfigYaml: chatty.kubeconfig });
    const controller = new AbortController();
    const reasons: string[] = [];
    const done = (async () => {
      for await (const _ of chattyKube.watch(target, {
        stallTimeoutMs: 150,
        signal: controller.signal,
        onReconnect: (r) => reasons.push(r.reason),
      })) {
        // no objects: only bookmarks arrive
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await done;
    await chattyKube.close();
    await chatty.close();
    expect(reasons).to.deep.equal([]);
    expect(chatty.requests.filter((r) => r.watch)).to.have.length(1);
  });

  it('ends cleanly on abort and when the consumer stops early', async () => {
    const watch = startWatching();
    await until(() => watch.emitted.length === 1, 'the initial list');
    watch.controller.abort();
    await watch.done;

    for await (const event of kube.watch(target)) {
      expect(event.type).to.equal('ADDED');
      break;
    }
    const watchesSoFar = watchRequests().length;
    transition(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watchRequests(), 'no reconnect after the consumer left').to.have.length(watchesSoFar);
  });

  it('fails with the server’s answer for a non-retryable error', async () => {
    server.faults.respond(403, {
      match: { path: '/apis/serving.knative.dev/v1/namespaces/ns/services' },
      message: 'services.serving.knative.dev is forbidden',
    });
    const err = await (async () => {
      for await (const _ of kube.watch(target)) return undefined;
    })().catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(
      /^list serving.knative.dev\/v1 Service: services.serving.knative.dev is forbidden \(HTTP 403/,
    );
  });
});
