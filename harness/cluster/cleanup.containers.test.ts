import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { cleanupByLabel } from './cleanup.ts';
import { execaRunner } from './command.ts';
import { buildWorkload, leftovers, repoRoot, requireDocker } from './container-tests.ts';

/** An interrupted run, as a real child process: what it started is removed, and nothing else. */
describe('cleanup after an interrupted run', () => {
  const runner = execaRunner();
  let image: string;

  before(async function () {
    await requireDocker(this, { '/bin/busybox': 'apt-get install -y busybox-static' });
    image = await buildWorkload(runner);
  });

  /** Starts testdata/interrupted-run.ts and resolves once its containers and network exist. */
  async function startRun(runId: string) {
    const child = execa(
      'node',
      ['--import', 'tsx', join(repoRoot, 'harness/cluster/testdata/interrupted-run.ts'), runId, image],
      {
        cwd: repoRoot,
        reject: false,
        all: true,
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.on('exit', () => reject(new Error('interrupted-run exited before it was ready')));
    });
    // Wrapped: the execa subprocess is a thenable, so returning it bare would wait for it to end.
    return { child };
  }

  it('SIGINT: the run stops new work, removes its containers and network, and exits 130', async () => {
    const runId = `interrupt-${process.pid}-int`;
    const { child } = await startRun(runId);
    expect(await leftovers(runId)).to.have.length(3);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).to.equal(130);
    expect(result.all).to.include(`kpc: SIGINT: stopping run ${runId} and cleaning up`);
    expect(await leftovers(runId)).to.deep.equal([]);
  });

  it('SIGKILL: nothing could clean up, so cleanupByLabel finds and removes the leftovers, idempotently', async () => {
    const runId = `interrupt-${process.pid}-kill`;
    const { child } = await startRun(runId);
    child.kill('SIGKILL');
    await child;
    expect(await leftovers(runId)).to.have.length(3);
    const report = await cleanupByLabel(runId, { runner });
    expect(report.containers).to.have.length(2);
    expect(report.networks).to.have.length(1);
    expect(await leftovers(runId)).to.deep.equal([]);
    expect(await cleanupByLabel(runId, { runner })).to.deep.equal({
      containers: [],
      networks: [],
      clusters: [],
    });
  });
});
