/**
 * Shared watches through the whole client stack against the fake API server: subscribers of different
 * namespaces share one list+watch per kind and each sees exactly its namespace's states, in server order.
 */
import { expect } from 'chai';
import { type FakeApiServer, setCondition, startFakeApiServer } from '../testing/index.ts';
import { KubeApiError, UnknownKindError } from './errors.ts';
import { connectKube, type Kube } from './kube.ts';
import { SharedWatches } from './shared-watches.ts';
import type { KubernetesObject, WatchEvent } from './types.ts';

const ksvc = { apiVersion: 'serving.knative.dev/v1', kind: 'Service' } as const;
type StoredObject = Parameters<FakeApiServer['store']['create']>[0];

const until = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

const stateOf = (type: string, obj: KubernetesObject) => {
  const ready = (
    obj.status as { conditions?: { type: string; message?: string }[] } | undefined
  )?.conditions?.find((c) => c.type === 'Ready');
  return `${type} ${obj.metadata?.name}@${obj.metadata?.resourceVersion}:${ready?.message ?? '-'}`;
};

describe('SharedWatches against the fake API server', () => {
  let server: FakeApiServer;
  let kube: Kube;
  let shared: SharedWatches;

  beforeEach(async () => {
    server = await startFakeApiServer({ namespaces: ['a', 'b'], bookmarkIntervalMs: 0 });
    kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
    // Fast reconnects: the default backoff would make the fault tests slow, not different.
    shared = new SharedWatches({
      watch: (target, options) =>
        kube.watch(target, { ...options, backoff: { initialMs: 2, maxMs: 20, factor: 2 } }),
    });
  });

  afterEach(async () => {
    shared.close();
    await kube.close();
    await server.close();
  });

  const create = (namespace: string, name: string) =>
    server.store.create({ ...ksvc, metadata: { name, namespace }, spec: {} } as StoredObject);
  const transition = (namespace: string, name: string, i: number) =>
    server.store.mutateStatus({ ...ksvc, namespace, name }, (obj) =>
      setCondition(obj, { type: 'Ready', status: 'True', message: `transition ${i}` }),
    );

  /** Subscribes to one namespace in the background, recording what arrives. */
  const subscribe = (namespace: string) => {
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const reasons: string[] = [];
    let listed = false;
    let failure: unknown;
    const done = (async () => {
      try {
        for await (const event of shared.watch(
          { ...ksvc, namespace },
          {
            signal: controller.signal,
            onListed: () => {
              listed = true;
            },
            onReconnect: (info) => reasons.push(info.reason),
          },
        ))
          seen.push(event);
      } catch (error) {
        failure = error;
      }
    })();
    return {
      seen,
      reasons,
      listed: () => listed,
      failure: () => failure,
      states: () => seen.map((e) => stateOf(e.type, e.object)),
      stop: async () => {
        controller.abort();
        await done;
      },
      done,
    };
  };

  it('gives each namespace exactly its own states, in server order, over one list+watch per kind', async () => {
    const truth = new Map<string, string[]>([
      ['a', []],
      ['b', []],
    ]);
    const stop = server.store.onChange((change) => {
      const ns = change.object.metadata?.namespace;
      if (change.resource.kind === 'Service' && ns)
        truth.get(ns)?.push(stateOf(change.type, change.object as KubernetesObject));
    });
    const a = subscribe('a');
    const b = subscribe('b');
    await until(() => a.listed() && b.listed(), 'both subscribers listed');
    create('a', 'one');
    create('b', 'two');
    for (let i = 1; i <= 200; i++) {
      transition('a', 'one', i);
      if (i % 2) transition('b', 'two', i);
      if (i === 100) server.faults.dropWatchAfter(1, { resource: ksvc });
    }
    server.store.delete({ ...ksvc, namespace: 'b', name: 'two' });
    await until(() => a.seen.length === 201 && b.seen.length === 102, 'every change delivered');
    stop();
    expect(a.states()).to.deep.equal(truth.get('a'));
    expect(b.states()).to.deep.equal(truth.get('b'));
    expect(a.reasons, 'the dropped shared stream is reported to every subscriber').to.have.length(1);
    expect(b.reasons).to.deep.equal(a.reasons);
    const serviceRequests = server.requests.filter((r) => r.path === '/apis/serving.knative.dev/v1/services');
    expect(
      serviceRequests.filter((r) => !r.watch),
      'one cluster-wide list',
    ).to.have.length(1);
    expect(
      serviceRequests.filter((r) => r.watch),
      'one watch, one resume after the drop',
    ).to.have.length(2);
    expect(server.requests.filter((r) => r.path.includes('/namespaces/a/services'))).to.have.length(0);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('starts a late subscriber with its namespace as a list would show it, then every later change', async () => {
    const first = subscribe('a');
    await until(() => first.listed(), 'the shared watch listed');
    create('a', 'early');
    create('b', 'elsewhere');
    transition('a', 'early', 1);
    await until(() => first.seen.length === 2, 'the first subscriber saw the changes');

    const late = subscribe('a');
    await until(() => late.listed() && late.seen.length === 1, 'the late subscriber listed');
    expect(late.seen.map((e) => [e.type, e.origin, e.object.metadata?.name])).to.deep.equal([
      ['ADDED', 'list', 'early'],
    ]);
    expect(late.states()[0]).to.equal(first.states()[1].replace('MODIFIED', 'ADDED'));
    transition('a', 'early', 2);
    await until(() => late.seen.length === 2, 'the change after listing');
    expect(late.seen[1]?.origin).to.equal('watch');
    expect(late.states()[1]).to.equal(first.states()[2]);
    await Promise.all([first.stop(), late.stop()]);
  });

  it('ends every subscriber cleanly on close, and a stopped subscriber leaves the others running', async () => {
    const a = subscribe('a');
    const b = subscribe('b');
    await until(() => a.listed() && b.listed(), 'both listed');
    await a.stop();
    create('b', 'still');
    await until(() => b.seen.length === 1, 'b still receives');
    shared.close();
    await b.done;
    expect(b.failure()).to.equal(undefined);
  });

  it('fails every subscriber when the shared watch gets a definite answer, and starts afresh for the next', async () => {
    server.faults.respond(403, { match: { path: '/apis/serving.knative.dev/v1/services', watch: false } });
    const [first, second] = [subscribe('a'), subscribe('b')];
    await Promise.all([first.done, second.done]);
    for (const s of [first, second]) {
      expect(s.failure()).to.be.instanceOf(KubeApiError);
      expect((s.failure() as KubeApiError).code).to.equal(403);
    }
    const next = subscribe('a');
    await until(() => next.listed(), 'a fresh shared watch listed');
    create('a', 'after');
    await until(() => next.seen.length === 1, 'the fresh watch delivers');
    await next.stop();
  });

  it('fails subscribers of a kind the server does not serve', async () => {
    let failure: unknown;
    try {
      for await (const _ of shared.watch({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'a' })) {
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(UnknownKindError);
  });

  it('does not share watches with selectors or without a namespace', async () => {
    create('a', 'labelled');
    const seen: string[] = [];
    const controller = new AbortController();
    let listed = false;
    const done = (async () => {
      for await (const event of shared.watch(
        { ...ksvc, namespace: 'a', fieldSelector: 'metadata.name=labelled' },
        { signal: controller.signal, onListed: () => (listed = true) },
      ))
        seen.push(event.object.metadata?.name ?? '');
    })();
    await until(() => listed, 'listed');
    controller.abort();
    await done;
    expect(seen).to.deep.equal(['labelled']);
    const own = server.requests.filter(
      (r) => r.path === '/apis/serving.knative.dev/v1/namespaces/a/services',
    );
    expect(own.length, 'its own namespaced list').to.be.greaterThan(0);
  });
});
