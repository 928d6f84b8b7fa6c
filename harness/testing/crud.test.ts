import {
  AppsV1Api,
  CoreV1Api,
  EventsV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { type FakeApiServer, startFakeApiServer } from './index.ts';
import { apiError, eventually, kubeConfigFor, rawRequest } from './test-support.ts';

const ksvc = (
  name: string,
  image = 'ghcr.io/example/app:v1',
  extra: Record<string, unknown> = {},
): KubernetesObject =>
  ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', ...extra },
    spec: { template: { spec: { containers: [{ image }] } } },
  }) as KubernetesObject;

describe('fake API server: CRUD through client-node', () => {
  let server: FakeApiServer;
  let core: CoreV1Api;
  let objects: KubernetesObjectApi;
  before(async () => {
    server = await startFakeApiServer();
    const kc = kubeConfigFor(server);
    core = kc.makeApiClient(CoreV1Api);
    objects = KubernetesObjectApi.makeApiClient(kc);
  });
  after(() => server.close());

  it('creates, reads, lists, replaces and deletes a ConfigMap with server-set metadata', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cm1', labels: { app: 'a' } }, data: { k: 'v' } },
    });
    expect(created.metadata?.uid).to.match(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).to.match(/^\d+$/);
    expect(created.metadata?.creationTimestamp).to.be.instanceOf(Date);
    expect(created.metadata?.managedFields?.[0]?.manager).to.equal('kubernetes-client-javascript');

    const read = await core.readNamespacedConfigMap({ name: 'cm1', namespace: 'default' });
    expect(read.data).to.deep.equal({ k: 'v' });

    const replaced = await core.replaceNamespacedConfigMap({
      name: 'cm1',
      namespace: 'default',
      body: { ...read, data: { k: 'w' } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).to.be.greaterThan(
      Number(read.metadata?.resourceVersion),
    );

    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=a' });
    expect(list.items.map((i) => i.metadata?.name)).to.deep.equal(['cm1']);
    expect(Number(list.metadata?.resourceVersion)).to.be.at.least(Number(replaced.metadata?.resourceVersion));

    const status = await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: 'default' });
    expect(status).to.include({ status: 'Success' });
    const gone = await apiError(() => core.readNamespacedConfigMap({ name: 'cm1', namespace: 'default' }));
    expect(gone.code).to.equal(404);
    expect(gone.status).to.include({ reason: 'NotFound', message: 'configmaps "cm1" not found' });
    expect(gone.status.details).to.include({ name: 'cm1', kind: 'configmaps' });
  });

  it('omits kind/apiVersion on list items of built-ins, as the real server does, but not on CRDs', async () => {
    server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'listed', namespace: 'default' },
    });
    const raw = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(raw.kind).to.equal('ConfigMapList');
    await objects.create(ksvc('listed-svc'));
    const list = await objects.list('serving.knative.dev/v1', 'Service', 'default');
    expect(list.items[0]).to.include({ kind: 'Service', apiVersion: 'serving.knative.dev/v1' });
    const direct = server.requests.filter((r) => r.path === '/api/v1/namespaces/default/configmaps');
    expect(direct.at(-1)?.status).to.equal(200);
  });

  it('answers AlreadyExists and Conflict on a stale resourceVersion with real Status bodies', async () => {
    const first = await objects.create(ksvc('dup'));
    const again = await apiError(() => objects.create(ksvc('dup')));
    expect(again.code).to.equal(409);
    expect(again.status).to.include({
      reason: 'AlreadyExists',
      message: 'services.serving.knative.dev "dup" already exists',
    });
    expect(again.status.details).to.include({ name: 'dup', group: 'serving.knative.dev', kind: 'services' });

    await objects.replace({ ...first, metadata: { ...first.metadata, labels: { x: '1' } } });
    const stale = await apiError(() =>
      objects.replace({ ...first, metadata: { ...first.metadata, labels: { x: '2' } } }),
    );
    expect(stale.code).to.equal(409);
    expect(stale.status.reason).to.equal('Conflict');
    expect(stale.status.message).to.equal(
      'Operation cannot be fulfilled on services.serving.knative.dev "dup": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('server-side apply creates, then updates, records the manager and drops fields it stops applying', async () => {
    const applied = await objects.patch(
      ksvc('ssa', 'img:v1', { labels: { keep: 'yes', drop: 'soon' } }),
      undefined,
      undefined,
      'kpc',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.generation).to.equal(1);
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).to.deep.equal([
      ['kpc', 'Apply'],
    ]);
    const createReq = server.requests.at(-1)!;
    expect(createReq).to.include({
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      status: 201,
    });
    expect(createReq.query).to.include({ fieldManager: 'kpc', force: 'true' });

    const updated = await objects.patch(
      ksvc('ssa', 'img:v2', { labels: { keep: 'yes' } }),
      undefined,
      undefined,
      'kpc',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(updated.metadata?.generation).to.equal(2);
    expect(updated.metadata?.labels).to.deep.equal({ keep: 'yes' });
    expect(updated.metadata?.uid).to.equal(applied.metadata?.uid);
    expect(server.requests.at(-1)?.status).to.equal(200);

    const same = await objects.patch(
      ksvc('ssa', 'img:v2', { labels: { keep: 'yes' } }),
      undefined,
      undefined,
      'kpc',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(same.metadata?.resourceVersion).to.equal(updated.metadata?.resourceVersion);
  });

  it("rejects apply without a field manager with the server's 422", async () => {
    const err = await apiError(() =>
      objects.patch(
        ksvc('nomanager'),
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(err.code).to.equal(422);
    expect(err.status.message).to.equal(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('applies merge and JSON patches, and refuses strategic merge on a custom resource (415)', async () => {
    await objects.create(ksvc('patched'));
    const merged: KubernetesObject = await objects.patch(
      {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'patched', namespace: 'default', annotations: { a: '1' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(merged.metadata?.annotations).to.deep.equal({ a: '1' });
    expect(merged.metadata?.generation).to.equal(1);

    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'jp' }, data: { a: '1' } },
    });
    const jp = await core.patchNamespacedConfigMap({
      name: 'jp',
      namespace: 'default',
      body: [
        { op: 'replace', path: '/data/a', value: '2' },
        { op: 'add', path: '/data/b', value: '3' },
      ],
    });
    expect(jp.data).to.deep.equal({ a: '2', b: '3' });
    const failedTest = await apiError(() =>
      core.patchNamespacedConfigMap({
        name: 'jp',
        namespace: 'default',
        body: [{ op: 'test', path: '/data/a', value: 'nope' }],
      }),
    );
    expect(failedTest.code).to.equal(422);

    const smp = await apiError(() => objects.patch(ksvc('patched')));
    expect(smp.code).to.equal(415);
    expect(smp.status.reason).to.equal('UnsupportedMediaType');

    const smpBuiltin = await core.patchNamespacedConfigMap(
      { name: 'jp', namespace: 'default', body: { data: { c: '4' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smpBuiltin.data).to.deep.equal({ a: '2', b: '3', c: '4' });
  });

  it('keeps status and spec apart: /status writes only status, main writes ignore status, generation tracks spec', async () => {
    const created = (await objects.create({
      ...ksvc('st'),
      status: { observedGeneration: 9 },
    } as KubernetesObject)) as KubernetesObject & {
      status?: unknown;
    };
    expect(created.status).to.equal(undefined);

    const statusPatch = await rawRequest(
      server,
      'PATCH',
      '/apis/serving.knative.dev/v1/namespaces/default/services/st/status',
      {
        contentType: 'application/merge-patch+json',
        body: {
          status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'Unknown' }] },
          spec: { template: { spec: { containers: [{ image: 'ignored' }] } } },
        },
      },
    );
    expect(statusPatch.status).to.equal(200);
    expect(statusPatch.json).to.nested.include({
      'status.observedGeneration': 1,
      'spec.template.spec.containers[0].image': 'ghcr.io/example/app:v1',
      'metadata.generation': 1,
    });

    const current = (await objects.read({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'st', namespace: 'default' },
    })) as KubernetesObject & {
      spec: { template: { spec: { containers: { image: string }[] } } };
      status: unknown;
    };
    current.spec.template.spec.containers[0]!.image = 'img:v2';
    current.status = { observedGeneration: 42 };
    const replaced = (await objects.replace(current)) as typeof current;
    expect(replaced.metadata?.generation).to.equal(2);
    expect(replaced.status).to.deep.include({ observedGeneration: 1 });
  });

  it('serves cluster-scoped and namespaced paths correctly, and generateName', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'scoped' } } });
    expect(ns.metadata?.namespace).to.equal(undefined);
    expect(ns.status?.phase).to.equal('Active');
    expect(ns.metadata?.labels).to.deep.equal({ 'kubernetes.io/metadata.name': 'scoped' });
    const pod = await core.createNamespacedPod({
      namespace: 'scoped',
      body: { metadata: { generateName: 'p-' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    expect(pod.metadata?.name).to.match(/^p-[a-z0-9]{5}$/);
    const all = await core.listPodForAllNamespaces();
    expect(all.items.map((p) => p.metadata?.name)).to.include(pod.metadata?.name);
    const missing = await apiError(() =>
      core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
    );
    expect(missing.code).to.equal(404);
    expect(missing.status.message).to.equal('namespaces "nowhere" not found');
  });

  it('honours dryRun=All and pages lists with limit/continue', async () => {
    const dry = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect(dry.metadata?.name).to.equal('dry');
    expect(
      server.store.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'dry' }),
    ).to.equal(undefined);

    for (const n of ['page-a', 'page-b', 'page-c']) {
      server.store.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: n, namespace: 'default', labels: { page: 'yes' } },
      });
    }
    const first = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'page',
      limit: 2,
    });
    expect(first.items.map((i) => i.metadata?.name)).to.deep.equal(['page-a', 'page-b']);
    expect(first.metadata?.remainingItemCount).to.equal(1);
    const second = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'page',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(second.items.map((i) => i.metadata?.name)).to.deep.equal(['page-c']);
    expect(second.metadata?._continue).to.equal(undefined);
  });

  it('stores core/v1 and events.k8s.io/v1 Events once, visible through both APIs with their own field names', async () => {
    const eventsApi = kubeConfigFor(server).makeApiClient(EventsV1Api);
    const created = await core.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'hello.1' },
        involvedObject: {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Revision',
          name: 'hello-00001',
          namespace: 'default',
        },
        reason: 'RevisionReady',
        message: 'Revision becomes ready upon all resources being ready',
        type: 'Normal',
        source: { component: 'revision-controller' },
        count: 1,
      },
    });
    const modern = await eventsApi.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'regarding.name=hello-00001',
    });
    expect(modern.items).to.have.length(1);
    const [event] = modern.items;
    expect(event?.note).to.equal('Revision becomes ready upon all resources being ready');
    expect(event?.regarding?.kind).to.equal('Revision');
    expect(event?.deprecatedSource?.component).to.equal('revision-controller');
    expect(event?.metadata?.uid).to.equal(created.metadata?.uid);
    expect(event?.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);
    await eventsApi.deleteNamespacedEvent({ name: 'hello.1', namespace: 'default' });
    const legacy = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=hello-00001',
    });
    expect(legacy.items).to.deep.equal([]);
  });

  it('deletes with propagationPolicy: Background collects dependents, Orphan keeps them, Foreground waits', async () => {
    const apps = kubeConfigFor(server).makeApiClient(AppsV1Api);
    const owner = (name: string) =>
      apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { containers: [{ name: 'c', image: 'i' }] },
            },
          },
        },
      });
    const dependent = (name: string, ownerUid: string, ownerName: string) =>
      server.store.create({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: 'default',
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: ownerName,
              uid: ownerUid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
      });
    const rsRef = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: 'default',
      name,
    });

    const bg = await owner('bg');
    dependent('bg-rs', bg.metadata!.uid!, 'bg');
    await apps.deleteNamespacedDeployment({
      name: 'bg',
      namespace: 'default',
      propagationPolicy: 'Background',
    });
    await eventually(() => server.store.get(rsRef('bg-rs')) === undefined);

    const orphan = await owner('orphan');
    dependent('orphan-rs', orphan.metadata!.uid!, 'orphan');
    await apps.deleteNamespacedDeployment({
      name: 'orphan',
      namespace: 'default',
      propagationPolicy: 'Orphan',
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(server.store.get(rsRef('orphan-rs'))?.metadata?.ownerReferences).to.deep.equal([]);

    const fg = await owner('fg');
    dependent('fg-rs', fg.metadata!.uid!, 'fg');
    await apps.deleteNamespacedDeployment({
      name: 'fg',
      namespace: 'default',
      propagationPolicy: 'Foreground',
    });
    const pending = server.store.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'default',
      name: 'fg',
    });
    expect(pending?.metadata?.finalizers).to.deep.equal(['foregroundDeletion']);
    expect(pending?.metadata?.deletionTimestamp).to.be.a('string');
    await eventually(
      () =>
        server.store.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'fg' }) ===
        undefined,
    );
    expect(server.store.get(rsRef('fg-rs'))).to.equal(undefined);
  });
});
