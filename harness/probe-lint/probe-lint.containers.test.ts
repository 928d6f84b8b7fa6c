import { expect } from 'chai';
import { buildWorkload, leftovers, requireDocker } from '../cluster/container-tests.ts';
import { RunScope } from '../cluster/run-scope.ts';
import type { ProbeLintInput } from './input.ts';
import { formatProbeLintReport, lintProbes } from './lint.ts';

describe('probe-lint on the local Docker engine', () => {
  let image: string;
  const runId = `probe-lint-test-${process.pid}`;

  before(async function () {
    await requireDocker(this, { '/bin/busybox': 'apt-get install -y busybox-static' });
    image = await buildWorkload();
  });

  after(async () => {
    if (image) expect(await leftovers(runId)).to.deep.equal([]);
  });

  const sidecar = (probe: string[], timeoutSeconds = 1): ProbeLintInput => ({
    image,
    container: 'sidecar',
    command: ['sleep', '3600'],
    env: { READY_FILE: '/tmp/ready' },
    probes: [{ kind: 'readiness', exec: { command: probe }, timeoutSeconds }],
    checkpoints: [
      { name: 'initial', expect: 'fail' },
      { name: 'after-touch', before: [['touch', '/tmp/ready']], expect: 'pass' },
      { name: 'after-rm', before: [['rm', '/tmp/ready']], expect: 'fail' },
    ],
  });

  it('passes a good probe that follows its file, in seconds', async () => {
    const report = await lintProbes(sidecar(['test', '-f', '$(READY_FILE)']), { runId });
    expect(report.findings, formatProbeLintReport(report)).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(
      report.checkpoints.map((c) => [c.name, c.probes[0]!.run.result, c.probes[0]!.run.exitCode]),
    ).to.deep.equal([
      ['initial', 'failure', 1],
      ['after-touch', 'success', 0],
      ['after-rm', 'failure', 1],
    ]);
    expect(report.durationMs).to.be.below(15_000);
  });

  it('finds a probe program missing from the image (exec, no shell)', async () => {
    const report = await lintProbes(sidecar(['cat', '/tmp/ready']), { runId });
    expect(report.ok).to.equal(false);
    expect(report.findings).to.have.length(1);
    expect(report.findings[0]!.kind).to.equal('command-not-found');
    expect(report.findings[0]!.message).to.match(
      /^readiness probe command `cat` not found in image dev\.local\/kpc\/workload:[0-9a-f]{12} \(.*executable file not found/,
    );
    expect(formatProbeLintReport(report)).to.include('finding: readiness probe command `cat` not found');
  });

  it('finds a probe that can never pass (wrong path)', async () => {
    const report = await lintProbes(sidecar(['test', '-f', '/tmp/wrong/ready']), { runId });
    expect(report.findings.map((f) => f.kind)).to.deep.equal(['never-passes']);
    expect(report.findings[0]!.message).to.include(
      'failed at every checkpoint (initial: exit 1; after-touch: exit 1; after-rm: exit 1)',
    );
  });

  it('fails a probe that runs past timeoutSeconds, after about that long', async () => {
    const input: ProbeLintInput = {
      ...sidecar(['sleep', '5']),
      checkpoints: [{ name: 'steady', expect: 'pass' }],
    };
    const report = await lintProbes(input, { runId });
    const run = report.checkpoints[0]!.probes[0]!.run;
    expect(run).to.include({
      result: 'failure',
      reason: 'timeout',
      output: 'command timed out: "sleep 5" timed out after 1s',
    });
    expect(run.durationMs).to.be.within(1000, 2500);
  });

  it('reports a container that exits at once, and registers with a run scope', async () => {
    const scope = new RunScope({ runId });
    const report = await lintProbes({ ...sidecar(['true']), command: ['sh', '-c', 'exit 3'] }, { scope });
    expect(report.findings.length).to.be.greaterThan(0);
    expect(report.findings.every((f) => f.kind === 'container-not-running')).to.equal(true);
    expect((await scope.close()).failed).to.deep.equal([]);
  });
});
