import {
  CoreV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { type AdmissionRequest, type FakeApiServer, startFakeApiServer, webhookDenial } from './index.ts';
import { apiError, kubeConfigFor, rawRequest } from './test-support.ts';

// knative-facts.md §1.4: the exact webhook text for a sidecar exec readinessProbe with MCP off.
const KNATIVE_DENIAL =
  'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe, spec.template.spec.containers[1].readinessProbe.successThreshold';
const WEBHOOK = 'validation.webhook.serving.knative.dev';

const ksvc = (name: string, sidecarProbe: boolean): KubernetesObject =>
  ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        spec: {
          containers: [
            { image: 'app', ports: [{ containerPort: 8080 }] },
            {
              image: 'sidecar',
              ...(sidecarProbe ? { readinessProbe: { exec: { command: ['true'] } } } : {}),
            },
          ],
        },
      },
    },
  }) as KubernetesObject;

describe('fake API server: admission hooks', () => {
  let server: FakeApiServer;
  let objects: KubernetesObjectApi;
  const seen: AdmissionRequest[] = [];
  before(async () => {
    server = await startFakeApiServer();
    objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(server));
    server.admission((req) => {
      seen.push(req);
      if (req.resource.kind !== 'Service' || req.resource.group !== 'serving.knative.dev') return undefined;
      const containers = (
        req.object as { spec?: { template?: { spec?: { containers?: { readinessProbe?: unknown }[] } } } }
      )?.spec?.template?.spec?.containers;
      return containers?.[1]?.readinessProbe ? webhookDenial(WEBHOOK, KNATIVE_DENIAL) : undefined;
    });
  });
  after(() => server.close());

  it('denies a write with the apiserver wrapper around the webhook message (HTTP 400, BadRequest)', async () => {
    const err = await apiError(() =>
      objects.patch(ksvc('probed', true), undefined, undefined, 'kpc', true, PatchStrategy.ServerSideApply),
    );
    expect(err.code).to.equal(400);
    expect(err.status).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `admission webhook "${WEBHOOK}" denied the request: ${KNATIVE_DENIAL}`,
      reason: 'BadRequest',
      code: 400,
    });
    expect(
      server.store.get({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        namespace: 'default',
        name: 'probed',
      }),
    ).to.equal(undefined);
  });

  it('shows hooks the operation, the object as it would be stored, and the old object', async () => {
    const created = await objects.create(ksvc('plain', false));
    await objects.replace({ ...created, metadata: { ...created.metadata, labels: { v: '2' } } });
    const update = seen.filter((r) => r.name === 'plain').at(-1)!;
    expect(update.operation).to.equal('UPDATE');
    expect(update.object?.metadata?.labels).to.deep.equal({ v: '2' });
    expect(update.oldObject?.metadata?.labels).to.equal(undefined);
    const denied = await apiError(() => objects.replace(ksvc('plain', true)));
    expect(denied.status.message).to.contain('denied the request');
    const stored = server.store.get({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      namespace: 'default',
      name: 'plain',
    });
    expect(stored?.metadata?.labels).to.deep.equal({ v: '2' });
  });

  it('lets a mutating hook change the stored object, and skips hooks for direct store writes', async () => {
    server.admission((req) =>
      req.resource.kind === 'ConfigMap' && req.operation === 'CREATE'
        ? { allowed: true, object: { ...req.object!, data: { defaulted: 'yes' } } as KubernetesObject }
        : undefined,
    );
    const core = kubeConfigFor(server).makeApiClient(CoreV1Api);
    const cm = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'mutated' } },
    });
    expect(cm.data).to.deep.equal({ defaulted: 'yes' });
    const direct = server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'direct', namespace: 'default' },
    });
    expect((direct as { data?: unknown }).data).to.equal(undefined);
  });
});

describe('fake API server: fault injection', () => {
  let server: FakeApiServer;
  let core: CoreV1Api;
  beforeEach(async () => {
    server = await startFakeApiServer();
    core = kubeConfigFor(server).makeApiClient(CoreV1Api);
  });
  afterEach(() => server.close());

  it('answers the next N matching requests with 429 and Retry-After, then recovers', async () => {
    server.faults.respond(429, {
      retryAfterSeconds: 2,
      times: 2,
      match: { method: 'GET', path: /configmaps$/ },
    });
    for (let i = 0; i < 2; i++) {
      const err = await apiError(() => core.listNamespacedConfigMap({ namespace: 'default' }));
      expect(err.code).to.equal(429);
      expect(err.headers['retry-after']).to.equal('2');
      expect(err.status).to.deep.include({
        reason: 'TooManyRequests',
        message: 'Too many requests, please try again later.',
      });
      expect(err.status.details).to.deep.equal({ retryAfterSeconds: 2 });
    }
    await core.listNamespace();
    const ok = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(ok.items).to.deep.equal([]);
    expect(server.requests.map((r) => r.status)).to.deep.equal([429, 429, 200, 200]);
  });

  it('injects 500 and 503 with their Status reasons', async () => {
    server.faults.respond(500);
    server.faults.respond(503, { retryAfterSeconds: 1 });
    expect((await apiError(() => core.listNamespace())).status.reason).to.equal('InternalError');
    const unavailable = await apiError(() => core.listNamespace());
    expect(unavailable.code).to.equal(503);
    expect(unavailable.status.reason).to.equal('ServiceUnavailable');
  });

  it('adds latency to matching requests only', async () => {
    server.faults.latency(120, { match: { path: '/api/v1/namespaces' } });
    let started = Date.now();
    await core.listNamespace();
    expect(Date.now() - started).to.be.at.least(115);
    started = Date.now();
    await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Date.now() - started).to.be.lessThan(100);
  });

  it('resets the connection of the next matching request', async () => {
    server.faults.resetConnection({ match: { path: '/version' } });
    const failed = await rawRequest(server, 'GET', '/version').then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    expect(failed).to.be.oneOf(['ECONNRESET', 'socket hang up']);
    expect((await rawRequest(server, 'GET', '/version')).status).to.equal(200);
  });

  it('clear() removes pending faults', async () => {
    server.faults.respond(500, { times: 5 });
    server.faults.clear();
    expect((await core.listNamespace()).items.length).to.equal(4);
  });
});
