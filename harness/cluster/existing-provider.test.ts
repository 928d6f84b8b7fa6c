import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ExistingClusterProvider, withoutRegistry } from './existing-provider.ts';
import { FakeRunner } from './fake-runner.ts';
import { UnsupportedByProvider } from './provider.ts';

const kubeconfig = `apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: prod
  context: { cluster: prod, user: admin }
- name: staging
  context: { cluster: staging, user: admin }
users:
- name: admin
  user: { token: do-not-print-me }
`;

describe('ExistingClusterProvider', () => {
  let path: string;
  let runner: FakeRunner;
  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'kpc-existing-')), 'config');
    writeFileSync(path, kubeconfig);
    runner = new FakeRunner();
  });

  it('uses the cluster as it is: create only says so and destroy never deletes', async () => {
    const provider = new ExistingClusterProvider({ kubeconfigPath: path, runner });
    const info = await provider.create({ variant: 'baseline' });
    expect(info).to.deep.include({
      provider: 'existing',
      context: 'prod',
      kubeconfigPath: path,
      created: false,
    });
    expect(info.note).to.equal(`using existing cluster (context prod in ${path}); kpc does not create it`);
    expect(await provider.destroy()).to.deep.equal({
      deleted: false,
      note: 'existing cluster: kpc never deletes a cluster it did not create',
    });
    expect((await provider.exportLogs()).exported).to.equal(false);
    expect(runner.calls).to.have.length(0);
  });

  it('checks the context exists without ever echoing credentials', async () => {
    expect(
      (await new ExistingClusterProvider({ kubeconfigPath: path, context: 'staging', runner }).kubeconfig())
        .context,
    ).to.equal('staging');
    const error = await new ExistingClusterProvider({ kubeconfigPath: path, context: 'dev', runner })
      .kubeconfig()
      .catch((e: Error) => e);
    expect((error as Error).message).to.equal(`kubeconfig ${path}: no context "dev" (it has: prod, staging)`);
    expect((error as Error).message).not.to.include('do-not-print-me');
    const missing = await new ExistingClusterProvider({ kubeconfigPath: `${path}.nope`, runner })
      .kubeconfig()
      .catch((e: Error) => e);
    expect((missing as Error).message).to.match(/cannot read it \(ENOENT/);
  });

  it('cannot load images without a registry, and says what to configure', async () => {
    const error = await new ExistingClusterProvider({ kubeconfigPath: path, runner })
      .loadImages('prod', ['a:1'])
      .catch((e: Error) => e);
    expect(error).to.be.instanceOf(UnsupportedByProvider);
    expect((error as Error).message).to.include('--registry host:port');
  });

  it('pushes through a registry and hands back the digest reference pods must use', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    runner.on("docker image inspect --format '{{json .RepoDigests}}'", () => ({
      stdout: JSON.stringify([
        `dev.local/kpc/workload@sha256:${'a'.repeat(64)}`,
        `registry.example:5000/kpc/workload@${digest}`,
      ]),
    }));
    const provider = new ExistingClusterProvider({
      kubeconfigPath: path,
      registry: 'registry.example:5000',
      runner,
    });
    const loaded = await provider.loadImages('prod', ['dev.local/kpc/workload:abc123']);
    expect(loaded).to.deep.equal({
      'dev.local/kpc/workload:abc123': `registry.example:5000/kpc/workload@${digest}`,
    });
    expect(runner.lines()).to.deep.equal([
      'docker tag dev.local/kpc/workload:abc123 registry.example:5000/kpc/workload:abc123',
      'docker push registry.example:5000/kpc/workload:abc123',
      "docker image inspect --format '{{json .RepoDigests}}' registry.example:5000/kpc/workload:abc123",
    ]);
  });

  it('strips a registry host only when the first path element is one', () => {
    expect(withoutRegistry('dev.local/kpc/workload:1')).to.equal('kpc/workload:1');
    expect(withoutRegistry('localhost:5001/a/b:2')).to.equal('a/b:2');
    expect(withoutRegistry('localhost/a')).to.equal('a');
    expect(withoutRegistry('library/busybox:1')).to.equal('library/busybox:1');
    expect(withoutRegistry('busybox')).to.equal('busybox');
  });
});
