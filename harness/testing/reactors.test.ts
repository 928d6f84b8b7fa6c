import { type KubernetesObject, KubernetesObjectApi, PatchStrategy, Watch } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  type Condition,
  type FakeApiServer,
  getCondition,
  refOf,
  setCondition,
  startFakeApiServer,
} from './index.ts';
import { kubeConfigFor } from './test-support.ts';

const ksvc: KubernetesObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'app' }] } } },
} as KubernetesObject;

describe('fake API server: reactors', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(() => server.close());

  it('runs scripted steps in order at their times after the trigger, seen through a real watch', async () => {
    const revision = (ctx: { trigger: KubernetesObject }): KubernetesObject => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: {
        name: 'hello-00001',
        namespace: 'default',
        ownerReferences: [
          {
            apiVersion: 'serving.knative.dev/v1',
            kind: 'Configuration',
            name: 'hello',
            uid: ctx.trigger.metadata!.uid!,
            controller: true,
          },
        ],
      },
    });
    const handle = server.react({
      on: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' },
      steps: [
        {
          atMs: 60,
          setConditions: [
            { type: 'Ready', status: 'True' },
            { type: 'ConfigurationsReady', status: 'True' },
          ],
        },
        { atMs: 0, setConditions: [{ type: 'Ready', status: 'Unknown', reason: 'Deploying', message: '' }] },
        { atMs: 30, create: revision },
        { atMs: 30, mergeStatus: { observedGeneration: 1, url: 'http://hello.default.example.com' } },
      ],
    });

    const events: { type: string; kind?: string; ready?: string; at: number }[] = [];
    const kc = kubeConfigFor(server);
    const watches = await Promise.all(
      ['services', 'revisions'].map((plural) =>
        new Watch(kc).watch(
          `/apis/serving.knative.dev/v1/namespaces/default/${plural}`,
          {},
          (type, obj: KubernetesObject) =>
            events.push({ type, kind: obj.kind, ready: getCondition(obj, 'Ready')?.status, at: Date.now() }),
          () => {},
        ),
      ),
    );
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const t0 = Date.now();
    await objects.patch(ksvc, undefined, undefined, 'kpc', true, PatchStrategy.ServerSideApply);
    await handle.settled();
    await new Promise((r) => setTimeout(r, 20));
    for (const w of watches) w.abort();

    expect(handle.errors).to.deep.equal([]);
    expect(handle.fired).to.equal(1);
    expect(events.map((e) => `${e.type} ${e.kind} ${e.ready ?? '-'}`)).to.deep.equal([
      'ADDED Service -',
      'MODIFIED Service Unknown',
      'ADDED Revision -',
      'MODIFIED Service Unknown',
      'MODIFIED Service True',
    ]);
    expect(events[2]!.at - t0).to.be.within(25, 200);
    expect(events[4]!.at - t0).to.be.within(55, 250);

    const svc = server.store.get(refOf(ksvc))! as KubernetesObject & {
      status: { conditions: Condition[]; url: string };
    };
    expect(svc.status.conditions.map((c) => c.type)).to.deep.equal(['ConfigurationsReady', 'Ready']);
    expect(svc.status.url).to.equal('http://hello.default.example.com');
  });

  it('fires once by default, on every match with repeat, and only for the chosen events and predicate', async () => {
    const once = server.react({ on: { kind: 'ConfigMap' }, steps: [] });
    const each = server.react({
      on: {
        kind: 'ConfigMap',
        event: ['update', 'delete'],
        where: (c) => c.object.metadata?.labels?.watch === 'me',
      },
      repeat: true,
      steps: [],
    });
    const cm = server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default', labels: { watch: 'me' } },
    });
    server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'b', namespace: 'default' },
    });
    const updated = server.store.update({ ...cm, data: { x: '1' } } as KubernetesObject);
    server.store.update({ ...updated, data: { x: '2' } } as KubernetesObject);
    server.store.delete(refOf(cm));
    expect(once.fired).to.equal(1);
    expect(each.fired).to.equal(3);
  });

  it('collects step errors instead of crashing, and keeps running later steps', async () => {
    const handle = server.react({
      on: { kind: 'ConfigMap' },
      steps: [
        {
          atMs: 0,
          create: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'trigger', namespace: 'default' },
          },
        },
        {
          atMs: 0,
          run: ({ store }) =>
            void store.create({
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: 's', namespace: 'default' },
            }),
        },
      ],
    });
    server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'trigger', namespace: 'default' },
    });
    await handle.settled();
    expect(handle.errors.map((e) => e.message)).to.deep.equal(['configmaps "trigger" already exists']);
    expect(
      server.store.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 's' }),
    ).to.not.equal(undefined);
  });

  it('close() cancels steps that have not run yet', async () => {
    let ran = false;
    const handle = server.react({
      on: { kind: 'ConfigMap' },
      steps: [
        {
          atMs: 40,
          run: () => {
            ran = true;
          },
        },
      ],
    });
    server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default' },
    });
    expect(handle.fired).to.equal(1);
    await server.close();
    await new Promise((r) => setTimeout(r, 70));
    expect(ran).to.equal(false);
  });
});

describe('setCondition', () => {
  const base = { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' } } as KubernetesObject;
  const t1 = new Date('2026-01-01T00:00:00.123Z');
  const t2 = new Date('2026-01-01T00:01:00Z');

  it('knative style: sorts by type, stamps lastTransitionTime on any change, keeps it when nothing changes', () => {
    const a = setCondition(
      setCondition(base, { type: 'Ready', status: 'Unknown' }, { now: t1 }),
      { type: 'Active', status: 'True' },
      { now: t1 },
    );
    expect((a as { status?: { conditions?: Condition[] } }).status?.conditions).to.deep.equal([
      { type: 'Active', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
    const same = setCondition(a, { type: 'Ready', status: 'Unknown' }, { now: t2 });
    expect(getCondition(same, 'Ready')?.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
    const reasonOnly = setCondition(
      a,
      { type: 'Ready', status: 'Unknown', reason: 'Deploying' },
      { now: t2 },
    );
    expect(getCondition(reasonOnly, 'Ready')?.lastTransitionTime).to.equal('2026-01-01T00:01:00Z');
    expect(getCondition(a, 'Ready')?.reason).to.equal(undefined);
  });

  it('kubernetes style: keeps list order, moves lastTransitionTime only when status changes', () => {
    const a = setCondition(
      setCondition(base, { type: 'Ready', status: 'False' }, { now: t1, style: 'kubernetes' }),
      { type: 'Initialized', status: 'True' },
      { now: t1, style: 'kubernetes' },
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
      { now: t2, style: 'kubernetes' },
    );
    expect(getCondition(b, 'Ready')?.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
    const c = setCondition(b, { type: 'Ready', status: 'True' }, { now: t2, style: 'kubernetes' });
    expect(getCondition(c, 'Ready')?.lastTransitionTime).to.equal('2026-01-01T00:01:00Z');
    expect(
      (c as { status?: { conditions?: Condition[] } }).status?.conditions?.map((x) => x.type),
    ).to.deep.equal(['Ready', 'Initialized']);
  });
});
