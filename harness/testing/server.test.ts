import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:https';
import {
  ApisApi,
  CoreApi,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1APIResourceList,
  VersionApi,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { parse } from 'yaml';
import { type FakeApiServer, fakePki, getCondition, startFakeApiServer } from './index.ts';
import { eventually, kubeConfigFor, rawRequest } from './test-support.ts';

describe('fake API server: TLS, kubeconfig, discovery', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer({ namespaces: ['knative-serving'] });
  });
  after(() => server.close());

  it('serves HTTPS on 127.0.0.1 with a kind-like admin kubeconfig', async () => {
    expect(server.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const doc = parse(server.kubeconfig);
    expect(doc['current-context']).to.equal('fake');
    expect(doc.clusters[0].cluster.server).to.equal(server.url);
    expect(doc.clusters[0].cluster['certificate-authority-data']).to.be.a('string');
    expect(doc.users[0].user['client-certificate-data']).to.be.a('string');
    const clientCert = Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString();
    expect(clientCert).to.equal(fakePki().clientCertPem);
    const kc = kubeConfigFor(server);
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).to.equal('v1.37.0');
  });

  it('rejects a TLS client without a client certificate', async () => {
    const error = await new Promise<Error>((resolve) => {
      const req = request(`${server.url}/version`, { ca: fakePki().caCertPem }, (res) =>
        resolve(new Error(`answered ${res.statusCode}`)),
      );
      req.on('error', resolve);
      req.end();
    });
    expect(error.message).to.not.match(/^answered/);
  });

  it('writes the kubeconfig with mode 0600 to a temp file', async () => {
    const path = await server.writeKubeconfig();
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(await readFile(path, 'utf8')).to.equal(server.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    expect(kc.getCurrentCluster()?.server).to.equal(server.url);
  });

  it('answers /api, /apis and resource lists with subresources after their resource', async () => {
    const kc = kubeConfigFor(server);
    const core = await kc.makeApiClient(CoreApi).getAPIVersions();
    expect(core.versions).to.deep.equal(['v1']);
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    expect(names).to.include.members([
      'apps',
      'discovery.k8s.io',
      'events.k8s.io',
      'serving.knative.dev',
      'networking.internal.knative.dev',
      'autoscaling.internal.knative.dev',
      'apiextensions.k8s.io',
    ]);
    const coreV1 = await kc.makeApiClient(CoreV1Api).getAPIResources();
    const byName = Object.fromEntries(coreV1.resources.map((r) => [r.name, r]));
    expect(byName.pods).to.include({ kind: 'Pod', namespaced: true, singularName: 'pod' });
    expect(byName['pods/exec']).to.include({ kind: 'PodExecOptions' });
    expect(byName['pods/log']?.verbs).to.deep.equal(['get']);
    expect(byName['pods/status']?.verbs).to.deep.equal(['get', 'patch', 'update']);
    expect(byName.namespaces?.namespaced).to.equal(false);
    const names2 = coreV1.resources.map((r) => r.name);
    expect(names2.indexOf('pods')).to.be.lessThan(names2.indexOf('pods/status'));
  });

  it('serves Knative resources so KubernetesObjectApi can resolve them', async () => {
    const serving = await rawRequest(server, 'GET', '/apis/serving.knative.dev/v1');
    const resources = (serving.json as V1APIResourceList).resources;
    expect(resources.find((r) => r.name === 'services')).to.deep.include({
      kind: 'Service',
      namespaced: true,
      shortNames: ['kservice', 'ksvc'],
    });
    expect(resources.map((r) => r.name)).to.include.members(['revisions/status', 'configurations', 'routes']);
    const objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(server));
    const pas = await objects.list('autoscaling.internal.knative.dev/v1alpha1', 'PodAutoscaler', 'default');
    expect(pas.items).to.deep.equal([]);
    expect(server.requests.at(-1)?.path).to.equal(
      '/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/default/podautoscalers',
    );
  });

  it('lets tests register extra resources and starts with the system namespaces', async () => {
    const extra = await startFakeApiServer({
      resources: [
        {
          group: 'example.dev',
          version: 'v1',
          kind: 'Widget',
          plural: 'widgets',
          namespaced: true,
          status: true,
        },
      ],
    });
    try {
      const objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(extra));
      const created: KubernetesObject = await objects.create({
        apiVersion: 'example.dev/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
      });
      expect(created.metadata?.uid).to.be.a('string');
      const namespaces = extra.store.list('v1', 'Namespace').map((n) => n.metadata?.name);
      expect(namespaces).to.deep.equal(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    } finally {
      await extra.close();
    }
    expect(server.store.get({ apiVersion: 'v1', kind: 'Namespace', name: 'knative-serving' })).to.not.equal(
      undefined,
    );
  });

  it('records requests without auth material', async () => {
    const kc = kubeConfigFor(server);
    await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default', labelSelector: 'app=x' });
    const last = server.requests.at(-1)!;
    expect(last).to.include({
      method: 'GET',
      path: '/api/v1/namespaces/default/pods',
      status: 200,
      watch: false,
    });
    expect(last.query).to.deep.equal({ labelSelector: 'app=x' });
    expect(JSON.stringify(server.requests)).to.not.match(/BEGIN|PRIVATE|authorization/i);
  });

  it('answers unknown paths with a 404 Status', async () => {
    const kc = kubeConfigFor(server);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const err = await objects
      .read({ apiVersion: 'nope.dev/v1', kind: 'Thing', metadata: { name: 'x' } })
      .catch((e: Error) => e);
    expect(String(err)).to.match(/Failed to fetch resource metadata for nope.dev\/v1\/Thing: HTTP-Code: 404/);
  });
});

describe('fake API server: CustomResourceDefinitions', () => {
  it('serves a created CRD and reports it Established, as installers wait for', async () => {
    const server = await startFakeApiServer();
    try {
      const objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(server));
      await objects.create({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gadgets.example.dev' },
        spec: {
          group: 'example.dev',
          scope: 'Namespaced',
          names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget' },
          versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
        },
      } as KubernetesObject);
      await eventually(() => {
        const crd = server.store.get({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name: 'gadgets.example.dev',
        });
        return getCondition(crd!, 'Established')?.status === 'True';
      });
      const gadget: KubernetesObject = await objects.create({
        apiVersion: 'example.dev/v1',
        kind: 'Gadget',
        metadata: { name: 'g', namespace: 'default' },
      });
      expect(gadget.metadata?.uid).to.be.a('string');
      expect(server.registry.byKind('example.dev/v1', 'Gadget')?.status).to.equal(true);
    } finally {
      await server.close();
    }
  });
});
