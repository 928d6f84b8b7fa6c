import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { CommandCanceled } from './command.ts';
import { FakeRunner, type RecordedCall } from './fake-runner.ts';
import { planKindCluster } from './kind-config.ts';
import { KindProvider } from './kind-provider.ts';
import { kindConfigProblems } from './kind-schema.ts';
import { ClusterCreateError, ClusterOwnershipError } from './provider.ts';
import { RunScope } from './run-scope.ts';

const flag = (call: RecordedCall, name: string) => call.args[call.args.indexOf(name) + 1]!;

/** A scripted kind + docker: clusters by name with the id of their control-plane container. */
function fakeKind(runner: FakeRunner) {
  const clusters = new Map<string, string>();
  let next = 1;
  runner
    .on('kind get clusters', () => ({ stdout: [...clusters.keys()].map((n) => `${n}\n`).join('') }))
    .on('kind create cluster', (call) => {
      clusters.set(flag(call, '--name'), `container-${next++}`);
      writeFileSync(flag(call, '--kubeconfig'), 'kind: Config\n', { mode: 0o644 });
      return {};
    })
    .on('kind delete cluster', (call) => {
      clusters.delete(flag(call, '--name'));
      return {};
    })
    .on("docker inspect --format '{{.Id}}'", (call) => {
      const id = clusters.get(call.args.at(-1)!.replace(/-control-plane$/, ''));
      return id ? { stdout: `${id}\n` } : { exitCode: 1, stderr: 'Error: No such object' };
    })
    .on('kind get kubeconfig', () => ({
      stdout: 'kind: Config\nusers: [{ user: { client-key-data: c2VjcmV0 } }]\n',
    }))
    .on('docker port', () => ({ stdout: '127.0.0.1:40123\n' }));
  return clusters;
}

describe('KindProvider', () => {
  let dir: string;
  let runner: FakeRunner;
  let clusters: Map<string, string>;
  const provider = (runId = 'run-a', extra: Partial<ConstructorParameters<typeof KindProvider>[0]> = {}) =>
    new KindProvider({
      runner,
      runId,
      stateDir: join(dir, 'clusters'),
      logsDir: join(dir, 'logs'),
      now: () => new Date('2026-11-27T10:00:00Z'),
      ...extra,
    });
  const spec = { variant: 'baseline', kubernetes: '1.36' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kpc-kind-'));
    runner = new FakeRunner();
    clusters = fakeKind(runner);
  });

  it('creates a cluster with the exact kind command line and records that it owns it', async () => {
    const info = await provider().create(spec);
    const state = join(dir, 'clusters');
    expect(runner.lines()).to.deep.equal([
      'kind get clusters',
      `kind create cluster --name kpc-baseline --config ${state}/kpc-baseline.kind.yaml --wait 5m --kubeconfig ${state}/kpc-baseline.kubeconfig --retain`,
      "docker inspect --format '{{.Id}}' kpc-baseline-control-plane",
      'docker port kpc-baseline-control-plane 31080/tcp',
    ]);
    const written = parse(readFileSync(join(state, 'kpc-baseline.kind.yaml'), 'utf8'));
    expect(written).to.deep.equal(planKindCluster(spec).config);
    expect(kindConfigProblems(written)).to.deep.equal([]);
    const record = JSON.parse(readFileSync(join(state, 'kpc-baseline.json'), 'utf8'));
    expect(record).to.include({
      name: 'kpc-baseline',
      runId: 'run-a',
      status: 'ready',
      controlPlaneContainerId: 'container-1',
      configHash: planKindCluster(spec).configHash,
      createdAt: '2026-11-27T10:00:00.000Z',
    });
    expect(statSync(info.kubeconfigPath).mode & 0o777).to.equal(0o600);
    expect(info).to.deep.include({
      name: 'kpc-baseline',
      context: 'kind-kpc-baseline',
      created: true,
      reused: false,
      ingress: { nodePort: 31080, address: '127.0.0.1:40123' },
    });
  });

  it('reuses its own cluster when the recorded config hash matches, from another run too', async () => {
    await provider('run-a').create(spec);
    runner.calls.length = 0;
    const info = await provider('run-b').create(spec);
    expect(info.reused).to.equal(true);
    expect(info.created).to.equal(false);
    expect(info.note).to.match(
      /^reused kind cluster kpc-baseline \(created 2026-11-27T10:00:00.000Z, same config\)$/,
    );
    expect(runner.find('kind create')).to.have.length(0);
    expect(runner.find('kind delete')).to.have.length(0);
    expect(runner.find('kind get kubeconfig --name kpc-baseline')).to.have.length(1);
    expect(statSync(info.kubeconfigPath).mode & 0o777).to.equal(0o600);
  });

  it('re-creates its own cluster when the config changed or reuse is off, saying why', async () => {
    await provider().create(spec);
    const changed = await provider().create({ ...spec, kubernetes: '1.37' });
    expect(changed.note).to.match(
      /^re-created kind cluster kpc-baseline: its config changed \(hash [0-9a-f]{12} → [0-9a-f]{12}\)$/,
    );
    const again = await provider().create({ ...spec, kubernetes: '1.37' }, { reuse: false });
    expect(again.note).to.equal('re-created kind cluster kpc-baseline: reuse is off');
    expect(runner.find('kind delete cluster --name kpc-baseline')).to.have.length(2);
    expect(runner.find('kind create cluster')).to.have.length(3);
    expect(clusters.get('kpc-baseline')).to.equal('container-3');
  });

  it('never reuses or deletes a cluster of that name it has no record of', async () => {
    clusters.set('kpc-baseline', 'someone-elses');
    const error = await provider()
      .create(spec)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ClusterOwnershipError);
    expect((error as Error).message).to.match(
      /kind cluster kpc-baseline was not created by kpc \(no record .*kpc-baseline\.json\)/,
    );
    await provider()
      .destroy('kpc-baseline')
      .then(
        () => expect.fail('destroy should refuse'),
        (e: unknown) => expect(e).to.be.instanceOf(ClusterOwnershipError),
      );
    expect(runner.find('kind delete')).to.have.length(0);
    expect(clusters.has('kpc-baseline')).to.equal(true);
  });

  it('refuses a cluster re-created by hand under the same name (its container is not the recorded one)', async () => {
    await provider().create(spec);
    clusters.set('kpc-baseline', 'hand-made');
    const error = await provider()
      .destroy('kpc-baseline')
      .catch((e: unknown) => e);
    expect((error as Error).message).to.include(
      'its control-plane container is not the one kpc recorded at creation',
    );
    expect(runner.find('kind delete')).to.have.length(0);
  });

  it('deletes its own cluster, and treats a missing one as already gone', async () => {
    await provider().create(spec);
    expect(await provider().destroy('kpc-baseline')).to.deep.equal({
      deleted: true,
      note: 'deleted kind cluster kpc-baseline',
    });
    expect(clusters.has('kpc-baseline')).to.equal(false);
    expect(() => statSync(join(dir, 'clusters', 'kpc-baseline.json'))).to.throw(/ENOENT/);
    expect(await provider().destroy('kpc-baseline')).to.deep.equal({
      deleted: false,
      note: 'no kind cluster named kpc-baseline',
    });
  });

  it('exports node logs of a failed create, deletes the half-made cluster and forgets it', async () => {
    runner.on('kind create cluster', (call) => {
      clusters.set(flag(call, '--name'), 'retained');
      return { exitCode: 1, stderr: 'ERROR: failed to create cluster: failed to init node with kubeadm' };
    });
    const error = await provider()
      .create(spec)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ClusterCreateError);
    const logs = join(dir, 'logs', 'kpc-baseline-create-failed');
    expect((error as Error).message).to.include('failed to init node with kubeadm');
    expect((error as Error).message).to.include(`node logs: ${logs}`);
    expect(runner.lines().slice(-3)).to.deep.equal([
      'kind get clusters',
      `kind export logs ${logs} --name kpc-baseline`,
      'kind delete cluster --name kpc-baseline',
    ]);
    expect(clusters.has('kpc-baseline')).to.equal(false);
    expect(await provider().records.read('kpc-baseline')).to.equal(undefined);
  });

  it('leaves an interrupted create to the run scope, which deletes the half-made cluster', async () => {
    const scope = new RunScope({ runId: 'run-a' });
    runner.on('kind create cluster', (call) => {
      clusters.set(flag(call, '--name'), 'half-made');
      throw new CommandCanceled(call.line);
    });
    const error = await provider('run-a', { scope })
      .create(spec)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CommandCanceled);
    expect(runner.find('kind export logs')).to.have.length(0);
    expect(runner.find('kind delete')).to.have.length(0);
    expect((await scope.close()).done).to.deep.equal(['kind cluster kpc-baseline']);
    expect(clusters.size).to.equal(0);
    expect(runner.find('kind delete cluster --name kpc-baseline')).to.have.length(1);
  });

  it('lets the run that started an unfinished create delete it, and no other run', async () => {
    const plan = planKindCluster(spec);
    const records = provider().records;
    await mkdir(records.dir, { recursive: true });
    await records.write({
      version: 1,
      name: 'kpc-baseline',
      provider: 'kind',
      runId: 'run-a',
      configHash: plan.configHash,
      nodeImage: plan.nodeImage,
      createdAt: '2026-11-27T10:00:00Z',
      status: 'creating',
      kubeconfigPath: records.kubeconfigPath('kpc-baseline'),
    });
    clusters.set('kpc-baseline', 'interrupted');
    await provider('run-b')
      .destroy('kpc-baseline')
      .then(
        () => expect.fail('run-b must not delete it'),
        (e: unknown) => expect((e as Error).message).to.include('unfinished create by run run-a'),
      );
    expect(await provider('run-b').destroyCreatedBy('run-a')).to.deep.equal(['kpc-baseline']);
    expect(clusters.size).to.equal(0);
  });

  it('registers deletion with the run scope, which --keep skips', async () => {
    const scope = new RunScope({ runId: 'run-a' });
    await provider('run-a', { scope }).create(spec);
    expect((await scope.close()).done).to.deep.equal(['kind cluster kpc-baseline']);
    expect(clusters.size).to.equal(0);

    const keeping = new RunScope({ runId: 'run-b', keep: true });
    await provider('run-b', { scope: keeping }).create(spec);
    expect(await keeping.close()).to.deep.equal({
      done: [],
      kept: ['kind cluster kpc-baseline'],
      failed: [],
    });
    expect(clusters.has('kpc-baseline')).to.equal(true);
  });

  it('does not start a create once the run is stopping', async () => {
    const scope = new RunScope({ runId: 'run-a' });
    scope.stop('SIGINT');
    await provider('run-a', { scope })
      .create(spec)
      .then(
        () => expect.fail('should refuse'),
        (e: unknown) =>
          expect((e as Error).message).to.equal('run interrupted (SIGINT): not starting new work'),
      );
    expect(runner.find('kind create')).to.have.length(0);
  });

  it('loads images, exports logs and lists what it owns with exact commands', async () => {
    await provider().create(spec);
    runner.calls.length = 0;
    const loaded = await provider().loadImages('kpc-baseline', [
      'dev.local/kpc/workload:abc',
      'dev.local/kpc/x:1',
    ]);
    expect(loaded).to.deep.equal({
      'dev.local/kpc/workload:abc': 'dev.local/kpc/workload:abc',
      'dev.local/kpc/x:1': 'dev.local/kpc/x:1',
    });
    expect(await provider().exportLogs('kpc-baseline', '/tmp/out/logs')).to.deep.equal({
      exported: true,
      dir: '/tmp/out/logs',
    });
    expect(runner.lines()).to.deep.equal([
      'kind load docker-image dev.local/kpc/workload:abc dev.local/kpc/x:1 --name kpc-baseline',
      'kind get clusters',
      'kind export logs /tmp/out/logs --name kpc-baseline',
    ]);
    expect(await provider().exportLogs('kpc-gone', '/tmp/x')).to.deep.equal({
      exported: false,
      reason: 'no kind cluster named kpc-gone',
    });
    const listed = await provider().list();
    expect(listed.map((l) => [l.record.name, l.present, l.owned])).to.deep.equal([
      ['kpc-baseline', true, true],
    ]);
  });

  it('forgets a stale record whose cluster is gone and reports an unreadable one by path', async () => {
    await provider().create(spec);
    clusters.clear();
    const info = await provider().create(spec);
    expect(info.created).to.equal(true);
    await writeFile(join(dir, 'clusters', 'kpc-broken.json'), '{"version": 2}');
    await provider()
      .destroy('kpc-broken')
      .then(
        () => expect.fail('should throw'),
        (e: unknown) =>
          expect((e as Error).message).to.match(/kpc-broken\.json: not a kpc cluster record: version: /),
      );
  });
});
