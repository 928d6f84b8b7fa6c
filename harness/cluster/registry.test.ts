import { expect } from 'chai';
import { parse } from 'yaml';
import { FakeRunner } from './fake-runner.ts';
import { connectRegistryToKind, localRegistryHosting } from './registry.ts';

const registry = { name: 'kpc-registry', host: 'localhost:5001', endpoint: 'http://kpc-registry:5000' };

describe('local registry wiring (kind recipe, ecosystem.md §6.4)', () => {
  it('writes hosts.toml on every node, joins the kind network and returns the hosting ConfigMap', async () => {
    const runner = new FakeRunner()
      .on('kind get nodes --name kpc-baseline', {
        stdout: 'kpc-baseline-control-plane\nkpc-baseline-worker\n',
      })
      .on('docker inspect', { stdout: 'null\n' });
    const configMap = await connectRegistryToKind(registry, { runner, cluster: 'kpc-baseline' });
    const dir = '/etc/containerd/certs.d/localhost:5001';
    expect(runner.lines()).to.deep.equal([
      'kind get nodes --name kpc-baseline',
      `docker exec kpc-baseline-control-plane mkdir -p ${dir}`,
      `docker exec -i kpc-baseline-control-plane cp /dev/stdin ${dir}/hosts.toml`,
      `docker exec kpc-baseline-worker mkdir -p ${dir}`,
      `docker exec -i kpc-baseline-worker cp /dev/stdin ${dir}/hosts.toml`,
      `docker inspect '--format={{json (index .NetworkSettings.Networks "kind")}}' kpc-registry`,
      'docker network connect kind kpc-registry',
    ]);
    expect(runner.find('docker exec -i').map((c) => c.input)).to.deep.equal([
      '[host."http://kpc-registry:5000"]\n',
      '[host."http://kpc-registry:5000"]\n',
    ]);
    expect(configMap).to.deep.equal(localRegistryHosting('localhost:5001'));
    expect(configMap.metadata).to.deep.equal({ name: 'local-registry-hosting', namespace: 'kube-public' });
    expect(parse(configMap.data['localRegistryHosting.v1'])).to.deep.equal({
      host: 'localhost:5001',
      help: 'https://kind.sigs.k8s.io/docs/user/local-registry/',
    });
  });

  it('does not connect a registry that is already on the network', async () => {
    const runner = new FakeRunner()
      .on('kind get nodes', { stdout: 'n1\n' })
      .on('docker inspect', { stdout: '{"NetworkID":"abc"}\n' });
    await connectRegistryToKind(registry, { runner, cluster: 'c', network: 'kind-test' });
    expect(runner.find('docker network connect')).to.have.length(0);
    expect(runner.find('docker inspect')[0]!.args[1]).to.equal(
      '--format={{json (index .NetworkSettings.Networks "kind-test")}}',
    );
  });

  it('refuses a cluster without nodes', async () => {
    const error = await connectRegistryToKind(registry, { runner: new FakeRunner(), cluster: 'gone' }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).to.equal('kind cluster gone has no nodes');
  });
});
