import { CoreV1Api, type KubernetesObject, Watch } from '@kubernetes/client-node';
import { expect } from 'chai';
import { type FakeApiServer, startFakeApiServer } from './index.ts';
import { eventually, kubeConfigFor } from './test-support.ts';

interface Seen {
  readonly events: { type: string; name?: string; rv?: string; object: KubernetesObject }[];
  readonly done: Promise<unknown>;
  stop(): void;
}

/** Starts a client-node Watch and collects what it delivers. */
async function watch(
  server: FakeApiServer,
  path: string,
  query: Record<string, string | boolean | number>,
): Promise<Seen> {
  const events: Seen['events'] = [];
  let finished!: (err: unknown) => void;
  const done = new Promise<unknown>((resolve) => {
    finished = resolve;
  });
  const ac = await new Watch(kubeConfigFor(server)).watch(
    path,
    query,
    (type, object: KubernetesObject) =>
      events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion, object }),
    (err) => finished(err ?? null),
  );
  return { events, done, stop: () => ac.abort() };
}

const cm = (name: string, labels: Record<string, string> = {}): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
});

describe('fake API server: watch', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer({ bookmarkIntervalMs: 20 });
  });
  afterEach(() => server.close());

  it('starts with synthetic ADDED events, then streams changes with increasing resourceVersions', async () => {
    server.store.create(cm('before'));
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {});
    await eventually(() => seen.events.length === 1);
    const created = server.store.create(cm('after'));
    server.store.update({ ...created, data: { a: '1' } } as KubernetesObject);
    server.store.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'before' });
    await eventually(() => seen.events.length === 4);
    seen.stop();
    expect(seen.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal([
      'ADDED before',
      'ADDED after',
      'MODIFIED after',
      'DELETED before',
    ]);
    const rvs = seen.events.slice(1).map((e) => Number(e.rv));
    expect(rvs).to.deep.equal([...rvs].sort((a, b) => a - b));
    expect(seen.events[0]!.object.kind).to.equal('ConfigMap');
  });

  it('replays what happened after a resourceVersion', async () => {
    const a = server.store.create(cm('a'));
    server.store.create(cm('b'));
    server.store.update({ ...a, data: { x: 'y' } } as KubernetesObject);
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {
      resourceVersion: a.metadata!.resourceVersion!,
    });
    await eventually(() => seen.events.length === 2);
    seen.stop();
    expect(seen.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(['ADDED b', 'MODIFIED a']);
  });

  it('answers a compacted resourceVersion with an ERROR event: 410 Expired, then ends the stream', async () => {
    const a = server.store.create(cm('a'));
    server.store.create(cm('b'));
    server.faults.compact();
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {
      resourceVersion: a.metadata!.resourceVersion!,
    });
    expect(await seen.done).to.equal(null);
    expect(seen.events).to.have.length(1);
    expect(seen.events[0]!.type).to.equal('ERROR');
    expect(seen.events[0]!.object).to.deep.include({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect((seen.events[0]!.object as { message?: string }).message).to.match(
      /^too old resource version: \d+ \(\d+\)$/,
    );
  });

  it('goneOnce makes only the next resuming watch fail', async () => {
    const a = server.store.create(cm('a'));
    server.faults.goneOnce({ resource: { apiVersion: 'v1', kind: 'ConfigMap' } });
    const first = await watch(server, '/api/v1/namespaces/default/configmaps', {
      resourceVersion: a.metadata!.resourceVersion!,
    });
    await first.done;
    expect(first.events.map((e) => e.type)).to.deep.equal(['ERROR']);
    const second = await watch(server, '/api/v1/namespaces/default/configmaps', {
      resourceVersion: a.metadata!.resourceVersion!,
    });
    server.store.create(cm('b'));
    await eventually(() => second.events.length === 1);
    second.stop();
    expect(second.events[0]!.type).to.equal('ADDED');
  });

  it('sends BOOKMARK events carrying the current resourceVersion when allowed', async () => {
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', { allowWatchBookmarks: true });
    server.store.create(cm('x'));
    await eventually(() => seen.events.filter((e) => e.type === 'BOOKMARK').length >= 2);
    seen.stop();
    const bookmark = seen.events.find((e) => e.type === 'BOOKMARK')!;
    expect(bookmark.object.kind).to.equal('ConfigMap');
    expect(Number(bookmark.rv)).to.be.at.least(server.store.resourceVersion - 1);
    const plain = await watch(server, '/api/v1/namespaces/default/configmaps', {});
    await new Promise((r) => setTimeout(r, 60));
    plain.stop();
    expect(plain.events.filter((e) => e.type === 'BOOKMARK')).to.deep.equal([]);
  });

  it('drops a watch after N events when told to, and only that one', async () => {
    server.faults.dropWatchAfter(2, { resource: { apiVersion: 'v1', kind: 'ConfigMap' } });
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {});
    for (const n of ['a', 'b', 'c']) server.store.create(cm(n));
    expect(await seen.done).to.equal(null);
    expect(seen.events.map((e) => e.name)).to.deep.equal(['a', 'b']);
    const next = await watch(server, '/api/v1/namespaces/default/configmaps', {});
    await eventually(() => next.events.length === 3);
    next.stop();
  });

  it('ends a watch abruptly (socket destroyed) when asked', async () => {
    server.faults.dropWatchAfter(1, { abrupt: true });
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {});
    server.store.create(cm('a'));
    await seen.done;
    expect(seen.events.map((e) => e.name)).to.deep.equal(['a']);
  });

  it('filters by label and field selectors; objects leaving the selection arrive as DELETED', async () => {
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {
      labelSelector: 'tier in (web),!skip',
    });
    const byField = await watch(server, '/api/v1/configmaps', { fieldSelector: 'metadata.name=web1' });
    const web = server.store.create(cm('web1', { tier: 'web' }));
    server.store.create(cm('db', { tier: 'db' }));
    server.store.create(cm('web2', { tier: 'web', skip: 'y' }));
    server.store.update({
      ...web,
      metadata: { ...web.metadata, resourceVersion: undefined, labels: { tier: 'db' } },
    });
    await eventually(() => seen.events.length === 2 && byField.events.length === 2);
    seen.stop();
    byField.stop();
    expect(seen.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(['ADDED web1', 'DELETED web1']);
    expect(seen.events[1]!.object.metadata?.labels).to.deep.equal({ tier: 'web' });
    expect(byField.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(['ADDED web1', 'MODIFIED web1']);
  });

  it('ends the initial events with the initial-events-end bookmark when sendInitialEvents is asked for', async () => {
    server.store.create(cm('a'));
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
    });
    await eventually(() => seen.events.length >= 2);
    seen.stop();
    expect(seen.events.slice(0, 2).map((e) => e.type)).to.deep.equal(['ADDED', 'BOOKMARK']);
    expect(seen.events[1]!.object.metadata?.annotations).to.deep.equal({
      'k8s.io/initial-events-end': 'true',
    });
  });

  it('close() ends open watch streams promptly', async () => {
    const local = await startFakeApiServer();
    const seen = await watch(local, '/api/v1/namespaces/default/configmaps', {});
    const started = Date.now();
    await local.close();
    await seen.done;
    expect(Date.now() - started).to.be.lessThan(500);
  });

  it('closes the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const seen = await watch(server, '/api/v1/namespaces/default/configmaps', { timeoutSeconds: 1 });
    expect(await seen.done).to.equal(null);
    expect(Date.now() - started).to.be.within(900, 1500);
  });

  it('emits a Terminating namespace, then deletes its objects and the namespace (cascade)', async () => {
    // A termination window long enough that the checks made during it cannot race its end on a busy machine.
    await server.close();
    server = await startFakeApiServer({ bookmarkIntervalMs: 20, namespaceTerminationMs: 1_000 });
    const core = kubeConfigFor(server).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    server.store.create({ ...cm('inside'), metadata: { name: 'inside', namespace: 'doomed' } });
    const namespaces = await watch(server, '/api/v1/namespaces', { fieldSelector: 'metadata.name=doomed' });
    const contents = await watch(server, '/api/v1/namespaces/doomed/configmaps', {});
    await eventually(() => namespaces.events.length === 1 && contents.events.length === 1);

    const answer = await core.deleteNamespace({ name: 'doomed' });
    expect(answer).to.be.an('object');
    const terminating = await core.readNamespace({ name: 'doomed' });
    expect(terminating.status?.phase).to.equal('Terminating');
    expect(terminating.metadata?.deletionTimestamp).to.be.instanceOf(Date);
    const refused = await core
      .createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } })
      .catch((e: { code: number; body: string }) => e);
    expect((refused as { code: number }).code).to.equal(403);
    expect(JSON.parse((refused as { body: string }).body).message).to.equal(
      'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );

    await eventually(() => namespaces.events.some((e) => e.type === 'DELETED'));
    namespaces.stop();
    contents.stop();
    expect(namespaces.events.map((e) => e.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
    expect(contents.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal([
      'ADDED inside',
      'DELETED inside',
    ]);
    const contentsDeletedRv = Number(contents.events[1]!.rv);
    expect(contentsDeletedRv).to.be.lessThan(Number(namespaces.events[2]!.rv));
  });
});
