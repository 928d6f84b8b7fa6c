import { expect } from 'chai';
import fc from 'fast-check';
import { nodeImages } from '../config/node-images.ts';
import { canonicalJson, clusterNameFor, containerdRegistryPatch, planKindCluster } from './kind-config.ts';
import { kindConfigProblems } from './kind-schema.ts';
import { configHashLabel } from './labels.ts';

describe('kind config from a variant', () => {
  it('pins the node image by digest, maps the Kourier NodePort and labels the node with its hash', () => {
    const plan = planKindCluster({ variant: 'baseline', kubernetes: '1.36' });
    expect(plan.name).to.equal('kpc-baseline');
    expect(plan.context).to.equal('kind-kpc-baseline');
    expect(plan.configHash).to.match(/^[0-9a-f]{64}$/);
    expect(plan.config).to.deep.equal({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'kpc-baseline',
      nodes: [
        {
          role: 'control-plane',
          image: nodeImages['1.36'].image,
          extraPortMappings: [
            { containerPort: 31080, hostPort: 0, listenAddress: '127.0.0.1', protocol: 'TCP' },
          ],
          labels: { [configHashLabel]: plan.configHash.slice(0, 16) },
        },
      ],
    });
    expect(kindConfigProblems(plan.config)).to.deep.equal([]);
  });

  it('adds workers, feature gates and the containerd certs.d patch when asked', () => {
    const plan = planKindCluster({
      variant: 'candidate',
      kubernetes: '1.35',
      workers: 2,
      registry: true,
      featureGates: { SidecarContainers: true },
      ingress: false,
    });
    expect(plan.config.nodes?.map((n) => n.role)).to.deep.equal(['control-plane', 'worker', 'worker']);
    expect(plan.config.nodes?.every((n) => n.image === nodeImages['1.35'].image)).to.equal(true);
    expect(plan.config.nodes?.[0]?.extraPortMappings).to.equal(undefined);
    expect(plan.config.containerdConfigPatches).to.deep.equal([containerdRegistryPatch]);
    expect(containerdRegistryPatch).to.include('config_path = "/etc/containerd/certs.d"');
    expect(plan.config.featureGates).to.deep.equal({ SidecarContainers: true });
    expect(kindConfigProblems(plan.config)).to.deep.equal([]);
  });

  it('gives equal specs equal hashes and any change a new one', () => {
    const base = planKindCluster({ variant: 'baseline', kubernetes: '1.36' }).configHash;
    expect(planKindCluster({ kubernetes: 'v1.36.4', variant: 'baseline' }).configHash).to.equal(base);
    for (const changed of [
      { variant: 'baseline', kubernetes: '1.37' },
      { variant: 'baseline', kubernetes: '1.36', workers: 1 },
      { variant: 'baseline', kubernetes: '1.36', registry: true },
      { variant: 'baseline', kubernetes: '1.36', ingress: { hostPort: 8080 } },
      { variant: 'other', kubernetes: '1.36' },
    ]) {
      expect(planKindCluster(changed).configHash, JSON.stringify(changed)).not.to.equal(base);
    }
  });

  it('hashes key order away', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: 'x' }] })).to.equal(
      '{"a":[{"d":2,"e":"x"}],"b":1}',
    );
  });

  it('produces a schema-valid config for every acceptable spec', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
        fc.constantFrom('1.34', '1.35', '1.36', '1.37'),
        fc.nat(3),
        fc.boolean(),
        fc.option(
          fc.record({
            hostPort: fc.integer({ min: 0, max: 65535 }),
            nodePort: fc.integer({ min: 30000, max: 32767 }),
          }),
          { nil: undefined },
        ),
        (variant, kubernetes, workers, registry, ingress) => {
          const plan = planKindCluster({ variant, kubernetes, workers, registry, ingress });
          expect(kindConfigProblems(plan.config)).to.deep.equal([]);
          expect(plan.config.nodes).to.have.length(workers + 1);
        },
      ),
    );
  });

  it('refuses variant names that cannot name a kind cluster', () => {
    expect(clusterNameFor('a-1')).to.equal('kpc-a-1');
    for (const bad of ['', 'Baseline', 'a_b', '-a', 'a-', 'x'.repeat(46)]) {
      expect(() => clusterNameFor(bad), bad).to.throw(/cannot name a kind cluster/);
    }
    expect(clusterNameFor('x'.repeat(45))).to.have.length(49);
    expect(() => planKindCluster({ variant: 'ok', workers: -1 })).to.throw(/workers must be a whole number/);
  });
});
