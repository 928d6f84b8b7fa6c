import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { releaseManifests } from '../config/knative-releases.ts';
import { connectKube, type Kube } from '../kube/kube.ts';
import { type FakeApiServer, startFakeApiServer } from '../testing/index.ts';
import { miniRelease } from './fixtures.ts';
import { installKnative } from './install.ts';
import { ManifestChecksumError } from './manifests.ts';
import type { Variant } from './variant.ts';

/** The fields of stored objects these checks read. */
interface Stored {
  data?: Record<string, string>;
  spec: { type?: string; template: { spec: { containers: { image: string }[] } } };
}

const digest = (name: string) => `sha256:${createHash('sha256').update(name).digest('hex')}`;

describe('installing Knative against the fake API server', function () {
  this.timeout(30_000);
  let server: FakeApiServer;
  let kube: Kube;
  let dir: string;
  const files = miniRelease();
  const texts = new Map(
    releaseManifests({ serving: 'v1.18.0', kourier: 'v1.18.0', role: '' }).map((m, i) => [
      m.url,
      [files.crds, files.core, files.kourier][i]!,
    ]),
  );
  const variant: Variant = {
    name: 'candidate',
    release: 'v1.18.0',
    images: {
      controller: `kind.local/controller:${'a'.repeat(64)}`,
      'queue-proxy': `kind.local/queue:${'b'.repeat(64)}`,
    },
    features: { 'multi-container-probing': 'Enabled' },
    deployment: { 'progress-deadline': '120s' },
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-install-'));
    server = await startFakeApiServer();
    // Scripted from the kubelet/Deployment controller's observable result: a rollout that completes, and a
    // running pod per Deployment whose image resolved to a digest.
    server.react({
      on: { apiVersion: 'apps/v1', kind: 'Deployment', event: ['create', 'update'] },
      repeat: true,
      steps: [
        {
          atMs: 20,
          mergeStatus: ({ trigger }) => ({
            observedGeneration: trigger.metadata?.generation ?? 1,
            replicas: 1,
            updatedReplicas: 1,
            readyReplicas: 1,
            availableReplicas: 1,
            conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
          }),
        },
        {
          atMs: 25,
          run: ({ trigger, store }) => {
            const name = trigger.metadata?.name ?? '';
            const container = (
              trigger as { spec: { template: { spec: { containers: { name: string; image: string }[] } } } }
            ).spec.template.spec.containers[0]!;
            store.create(
              {
                apiVersion: 'v1',
                kind: 'Pod',
                metadata: {
                  name: `${name}-abc`,
                  namespace: trigger.metadata?.namespace,
                  labels: { app: name },
                },
                spec: { containers: [container] },
                status: {
                  phase: 'Running',
                  containerStatuses: [
                    {
                      name: container.name,
                      image: container.image,
                      imageID: `${container.image.split(':')[0]}@${digest(container.image)}`,
                      ready: true,
                    },
                  ],
                },
              } as KubernetesObject,
              { withStatus: true },
            );
          },
        },
      ],
    });
    kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
  });
  afterEach(async () => {
    await kube.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const store = () => ({
    cacheDir: join(dir, 'cache'),
    lockFile: join(dir, 'knative.lock.json'),
    fetchText: async (url: string) => texts.get(url)!,
  });

  it('applies CRDs first, waits on real signals, sets flags at the top level and reads back the running images', async () => {
    const record = await installKnative(kube, variant, store());
    const writes = server.requests.filter((r) => r.method === 'PATCH' && !r.query.dryRun).map((r) => r.path);
    const firstNonCrd = writes.findIndex((p) => !p.includes('customresourcedefinitions'));
    expect(writes.slice(0, firstNonCrd).every((p) => p.includes('customresourcedefinitions'))).to.equal(true);
    expect(firstNonCrd).to.equal(2);
    expect(
      server.requests.some(
        (r) =>
          r.method === 'PATCH' && r.query.dryRun === 'All' && r.path.endsWith('/services/kpc-webhook-check'),
      ),
    ).to.equal(true);

    const get = (kind: string, namespace: string, name: string) =>
      server.store.get({
        apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
        kind,
        namespace,
        name,
      }) as Stored;
    expect(get('ConfigMap', 'knative-serving', 'config-features').data).to.include({
      'multi-container-probing': 'Enabled',
    });
    expect(get('ConfigMap', 'knative-serving', 'config-deployment').data).to.include({
      'progress-deadline': '120s',
      'queue-sidecar-image': variant.images['queue-proxy'],
    });
    expect(
      get('Deployment', 'knative-serving', 'controller').spec.template.spec.containers[0]?.image,
    ).to.equal(variant.images.controller);
    expect(get('Service', 'kourier-system', 'kourier').spec.type).to.equal('NodePort');

    expect(record.components.controller?.configured).to.equal(variant.images.controller);
    expect(record.components.controller?.running).to.deep.equal([
      {
        pod: 'controller-abc',
        image: variant.images.controller,
        imageID: `kind.local/controller@${digest(variant.images.controller!)}`,
      },
    ]);
    expect(record.components.webhook?.running[0]?.image).to.match(/^gcr\.io\/knative-releases/);
    expect(record.components['queue-proxy']).to.deep.equal({
      configured: variant.images['queue-proxy'],
      running: [],
    });
    expect(record.manifests.map((m) => m.url)).to.have.length(3);
  });

  it('says what did not become ready, and how much was applied, when a Deployment never rolls out', async () => {
    await server.close();
    server = await startFakeApiServer();
    await kube.close();
    kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
    const error = await installKnative(kube, variant, { ...store(), timeouts: { deploymentsMs: 500 } }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(
      /Deployments in knative-serving not ready after 0\.5s: controller \(no conditions yet\)/,
    );
    expect((error as Error).message).to.match(
      /The cluster holds \d+ of \d+ objects of this install\. Re-running is safe/,
    );
  });

  it('stops before applying anything when a manifest does not match the lockfile', async () => {
    const url = releaseManifests({ serving: 'v1.18.0', kourier: 'v1.18.0', role: '' })[1]!.url;
    await writeFile(
      join(dir, 'knative.lock.json'),
      JSON.stringify({ version: 1, manifests: { [url]: 'f'.repeat(64) } }),
    );
    const error = await installKnative(kube, variant, store()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ManifestChecksumError);
    expect((error as Error).message)
      .to.include(url)
      .and.include('Nothing was applied');
    expect(server.requests.filter((r) => r.method === 'PATCH')).to.deep.equal([]);
  });
});
