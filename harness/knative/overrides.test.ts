import { expect } from 'chai';
import { byName, miniRelease } from './fixtures.ts';
import { parseManifest, uniqueObjects } from './manifests.ts';
import { applyOrder, applyVariant } from './overrides.ts';
import type { Variant } from './variant.ts';

const release = miniRelease();
const objects = uniqueObjects([
  ...parseManifest(release.crds, 'crds'),
  ...parseManifest(release.core, 'core'),
  ...parseManifest(release.kourier, 'kourier'),
]);
const variant = (over: Partial<Variant> = {}): Variant => ({
  name: 'candidate',
  release: 'v1.18.0',
  images: {},
  features: {},
  deployment: {},
  ...over,
});
const containerImage = (o: unknown) =>
  (o as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec
    .containers[0]?.image;

describe('Knative variant overrides', () => {
  it('replaces the images of the named components and nothing else', () => {
    const out = applyVariant(
      objects,
      variant({
        images: {
          controller: 'kind.local/controller@sha256:abc',
          'queue-proxy': 'kind.local/queue@sha256:def',
        },
      }),
    );
    expect(containerImage(byName(out, 'Deployment', 'controller'))).to.equal(
      'kind.local/controller@sha256:abc',
    );
    expect(containerImage(byName(out, 'Deployment', 'webhook'))).to.match(/^gcr\.io\/knative-releases/);
    expect(byName(out, 'ConfigMap', 'config-deployment')?.data).to.include({
      'queue-sidecar-image': 'kind.local/queue@sha256:def',
    });
  });

  it('sets flags at the top level of data and keeps _example untouched', () => {
    const out = applyVariant(
      objects,
      variant({
        features: { 'multi-container-probing': 'Enabled' },
        deployment: { 'progress-deadline': '30s' },
      }),
    );
    const features = byName(out, 'ConfigMap', 'config-features')?.data as Record<string, string>;
    expect(features['multi-container-probing']).to.equal('Enabled');
    expect(features._example).to.include('copy keys');
    expect(byName(out, 'ConfigMap', 'config-deployment')?.data).to.include({ 'progress-deadline': '30s' });
    expect(byName(out, 'ConfigMap', 'config-network')?.data).to.include({
      'ingress-class': 'kourier.ingress.networking.knative.dev',
    });
    expect(byName(out, 'ConfigMap', 'config-domain')?.data).to.have.property('kpc.test', '');
  });

  it('puts the Kourier gateway on the fixed NodePort kind maps to the host', () => {
    const service = byName(applyVariant(objects, variant()), 'Service', 'kourier') as {
      spec: { type: string; ports: { name: string; nodePort?: number }[] };
    };
    expect(service.spec.type).to.equal('NodePort');
    expect(service.spec.ports.find((p) => p.name === 'http2')?.nodePort).to.equal(31080);
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(objects);
    applyVariant(objects, variant({ images: { webhook: 'x@sha256:1' }, features: { a: 'b' } }));
    expect(JSON.stringify(objects)).to.equal(before);
  });

  it('refuses an override that matches nothing instead of installing the release image', () => {
    const withoutActivator = objects.filter((o) => o.metadata?.name !== 'activator');
    expect(() => applyVariant(withoutActivator, variant({ images: { activator: 'x@sha256:1' } }))).to.throw(
      /activator matched nothing/,
    );
  });

  it('orders CRDs, then namespaces, then the rest; CRDs repeated in serving-core appear once', () => {
    const groups = applyOrder(objects);
    expect(groups[0]?.every((o) => o.kind === 'CustomResourceDefinition')).to.equal(true);
    expect(groups[0]?.map((o) => o.metadata?.name)).to.deep.equal([
      'services.serving.knative.dev',
      'revisions.serving.knative.dev',
    ]);
    expect(groups[1]?.map((o) => o.kind)).to.deep.equal(['Namespace', 'Namespace']);
    expect(groups[2]?.some((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace')).to.equal(
      false,
    );
  });

  it('names the source and document of a broken manifest', () => {
    expect(() => parseManifest('a: 1\n---\nkind: [unclosed\n', 'serving-core.yaml')).to.throw(
      /serving-core\.yaml: document 2/,
    );
  });
});
