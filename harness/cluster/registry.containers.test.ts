import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildWorkloadImage } from '../images/workload.ts';
import { createLabelledNetwork } from './cleanup.ts';
import { execaRunner } from './command.ts';
import { buildWorkload, leftovers, repoRoot, requireDocker } from './container-tests.ts';
import { FakeRunner } from './fake-runner.ts';
import { runLabels } from './labels.ts';
import { connectRegistryToKind, type LocalRegistry, startLocalRegistry } from './registry.ts';
import { RunScope } from './run-scope.ts';

/**
 * The local registry on the real engine: a stand-in for registry:3 built from Debian's docker-registry
 * binary, and the kind recipe's node wiring tried on a busybox "node" container on a labelled network
 * (kind itself cannot run here: it needs privileged containers).
 */
describe('local registry on the local Docker engine', () => {
  const runId = `registry-test-${process.pid}`;
  const runner = execaRunner();
  let scope: RunScope;
  let registry: LocalRegistry;
  let registryImage: string;

  before(async function () {
    await requireDocker(this, {
      '/usr/bin/docker-registry': 'apt-get install -y docker-registry',
      '/bin/busybox': 'apt-get install -y busybox-static',
    });
    registryImage = (
      await buildWorkloadImage(
        { name: 'registry-standin', dir: join(repoRoot, 'harness/cluster/testdata/registry') },
        { runner },
      )
    ).ref;
    scope = new RunScope({ runId });
  });

  after(async () => {
    if (!scope) return;
    const report = await scope.close();
    expect(report.failed).to.deep.equal([]);
    expect(await leftovers(runId)).to.deep.equal([]);
  });

  it('starts with testcontainers from a configurable image, labelled, serving /v2/ on 127.0.0.1', async () => {
    registry = await startLocalRegistry({
      image: registryImage,
      name: `kpc-registry-${process.pid}`,
      hostPort: 0,
      runId,
      scope,
    });
    expect(registry.host).to.match(/^localhost:\d+$/);
    expect(registry.endpoint).to.equal(`http://kpc-registry-${process.pid}:5000`);
    const response = await fetch(`http://${registry.host}/v2/`);
    expect(response.status).to.equal(200);
    const inspect = JSON.parse((await runner.run('docker', ['inspect', registry.name])).stdout)[0];
    expect(inspect.Config.Labels).to.include(runLabels(runId, 'registry'));
    expect(inspect.HostConfig.PortBindings['5000/tcp'][0].HostIp).to.equal('127.0.0.1');
  });

  it('accepts a pushed image, as ko and kpc images load would push', async () => {
    const workload = await buildWorkload(runner);
    const target = `${registry.host}/kpc/workload:${workload.split(':').at(-1)}`;
    await runner.run('docker', ['tag', workload, target]);
    try {
      await runner.run('docker', ['push', target]);
      const catalog = (await (await fetch(`http://${registry.host}/v2/_catalog`)).json()) as {
        repositories: string[];
      };
      expect(catalog.repositories).to.include('kpc/workload');
    } finally {
      await runner.run('docker', ['rmi', target], { reject: false });
    }
  });

  it('wires a node to it: hosts.toml via docker exec, network connect, and the hosting ConfigMap', async () => {
    const workload = await buildWorkload(runner);
    // A "kind node": busybox with every applet (mkdir, cp, wget) on a network standing in for `kind`.
    const context = mkdtempSync(join(tmpdir(), 'kpc-node-'));
    writeFileSync(
      join(context, 'Dockerfile'),
      `FROM ${workload}\nUSER 0:0\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n`,
    );
    const nodeImage = `dev.local/kpc/fake-node:${process.pid}`;
    await runner.run('docker', ['build', '--tag', nodeImage, context]);
    scope.defer('fake node image', async () => {
      await runner.run('docker', ['rmi', '--force', nodeImage], { reject: false });
    });
    const networkName = `kpc-kind-${process.pid}`;
    const network = await createLabelledNetwork(networkName, runLabels(runId), { runner });
    scope.defer('network', network.remove);
    const node = `kpc-fake-node-${process.pid}`;
    await runner.run('docker', [
      'run',
      '--detach',
      '--name',
      node,
      '--network',
      networkName,
      '--label',
      `kpc.knative.dev/run=${runId}`,
      nodeImage,
      'sleep',
      '3600',
    ]);
    scope.defer('node container', async () => {
      await runner.run('docker', ['rm', '--force', node]);
    });

    // kind itself is scripted; docker is the real one.
    const kindThenDocker = new FakeRunner().on('kind get nodes', { stdout: `${node}\n` });
    const mixed = {
      run: (file: string, args: readonly string[], options?: Parameters<typeof runner.run>[2]) =>
        file === 'kind' ? kindThenDocker.run(file, args, options) : runner.run(file, args, options),
    };
    const configMap = await connectRegistryToKind(registry, {
      runner: mixed,
      cluster: 'kpc-test',
      network: networkName,
    });
    expect(configMap.data['localRegistryHosting.v1']).to.include(`host: "${registry.host}"`);

    const hostsToml = await runner.run('docker', [
      'exec',
      node,
      'cat',
      `/etc/containerd/certs.d/${registry.host}/hosts.toml`,
    ]);
    expect(hostsToml.stdout).to.equal(`[host."${registry.endpoint}"]\n`);
    const fromNode = await runner.run('docker', [
      'exec',
      node,
      'wget',
      '-q',
      '-O',
      '-',
      `${registry.endpoint}/v2/_catalog`,
    ]);
    expect(JSON.parse(fromNode.stdout).repositories).to.be.an('array');

    // Connecting again is a no-op: the registry is already on the network.
    await connectRegistryToKind(registry, { runner: mixed, cluster: 'kpc-test', network: networkName });
    // The registry must leave the network before the network can be removed at cleanup.
    scope.defer('disconnect registry', async () => {
      await runner.run('docker', ['network', 'disconnect', networkName, registry.name], { reject: false });
    });
  });
});
