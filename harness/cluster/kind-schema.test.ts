import { expect } from 'chai';
import { parse } from 'yaml';
import { kindConfigProblems } from './kind-schema.ts';

// The example of ecosystem.md §6.2, field for field (comments dropped, `name` kept).
const referenceExample = `
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: knative-e2e
featureGates: { "SomeGate": true }
runtimeConfig: { "api/alpha": "false" }
networking:
  ipFamily: ipv4
  kubeProxyMode: iptables
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
containerdConfigPatchesJSON6902: []
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
kubeadmConfigPatchesJSON6902: []
nodes:
- role: control-plane
  image: kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed
  labels: { ingress-ready: "true" }
  extraMounts: [{ hostPath: ./patches, containerPath: /patches, readOnly: true }]
  extraPortMappings:
  - { containerPort: 31080, hostPort: 8080, listenAddress: "127.0.0.1" }
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
- role: worker
`;

describe('kind v1alpha4 schema', () => {
  it('accepts the reference example of ecosystem.md §6.2', () => {
    expect(kindConfigProblems(parse(referenceExample))).to.deep.equal([]);
  });

  it('names the path of each problem', () => {
    const config = {
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'Bad_Name',
      networking: { kubeProxyMode: 'userspace' },
      nodes: [
        { role: 'worker', extraPortMappings: [{ containerPort: 80, hostPort: 70000, protocol: 'HTTP' }] },
        { role: 'worker', extraMounts: [{ hostPath: '/x' }] },
      ],
      containerdConfigPatchesJSON6902: [{ op: 'add' }],
    };
    const problems = kindConfigProblems(config);
    expect(problems.map((p) => p.split(':')[0])).to.have.members([
      'name',
      'networking.kubeProxyMode',
      'nodes[0].extraPortMappings[0].hostPort',
      'nodes[0].extraPortMappings[0].protocol',
      'nodes[1].extraMounts[0].containerPath',
      'containerdConfigPatchesJSON6902[0]',
    ]);
  });

  it('wants at least one control-plane node', () => {
    const config = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'worker' }] };
    expect(kindConfigProblems(config)).to.deep.equal(['nodes: must have at least one control-plane node']);
  });

  it('rejects unknown fields and the wrong apiVersion, as kind does', () => {
    expect(kindConfigProblems({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha3' })[0]).to.match(
      /^apiVersion: /,
    );
    const problems = kindConfigProblems({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      nodes: [{ role: 'control-plane', extraPortMapping: [] }],
    });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^nodes\[0\]: .*extraPortMapping/);
  });

  it('treats a node without a role as a control-plane node and allows port -1 and 0 (kind picks one)', () => {
    const config = {
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      nodes: [
        {
          extraPortMappings: [
            { containerPort: 1, hostPort: 0 },
            { containerPort: 2, hostPort: -1 },
          ],
        },
      ],
    };
    expect(kindConfigProblems(config)).to.deep.equal([]);
  });
});
