import { expect } from 'chai';
import { runKpc } from './in-process.ts';

describe('kpc command tree', () => {
  it('lists every command of the design in --help', async () => {
    const { code, stdout } = await runKpc(['--help']);
    expect(code).to.equal(0);
    for (const name of [
      'doctor',
      'run',
      'verify',
      'record',
      'scenarios',
      'cluster',
      'images',
      'lock',
      'report',
      'diff',
      'gate',
    ]) {
      expect(stdout).to.match(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it('exits 2 with a usage message on an unknown command or option', async () => {
    expect((await runKpc(['frobnicate'])).code).to.equal(2);
    const bad = await runKpc(['doctor', '--no-such-flag']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("unknown option '--no-such-flag'");
  });

  it('refuses --public-images together with --image, naming both', async () => {
    const both = await runKpc(['run', '--public-images', '--image', 'workload=x@sha256:0']);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include(
      "option '--public-images' cannot be used with option '--image <name=ref...>'",
    );
  });

  it('doctor --json reports one row per check and an exit code that matches canRun', async () => {
    const { code, stdout } = await runKpc(['doctor', '--json']);
    const report = JSON.parse(stdout) as { canRun: boolean; checks: { name: string }[] };
    expect(report.checks.map((c) => c.name)).to.deep.equal([
      'node',
      'docker',
      'kind',
      'kubectl',
      'ko',
      'java',
      'disk',
      'cgroup',
    ]);
    expect(code).to.equal(report.canRun ? 0 : 1);
  });
});
