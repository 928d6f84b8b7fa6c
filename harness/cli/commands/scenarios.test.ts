import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { lineOf, minimalScenario, withLine } from '../../scenario/testdata/minimal.ts';
import { runKpc } from '../in-process.ts';

describe('kpc scenarios', () => {
  let cwd: string;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'kpc-scenarios-'));
    await mkdir(join(cwd, 'scenarios'));
    await writeFile(join(cwd, 'scenarios', 'minimal.yaml'), minimalScenario);
    const broken = withLine(lineOf('periodSeconds:'), "              periodSecond: '{{ params.period }}'");
    await writeFile(join(cwd, 'broken.yaml'), broken.replace('name: minimal', 'name: broken'));
  });
  after(() => rm(cwd, { recursive: true, force: true }));

  it('validate: exit 0 and one line per valid file', async () => {
    const result = await runKpc(['scenarios', 'validate'], { cwd });
    expect(result).to.deep.equal({ code: 0, stdout: 'ok  scenarios/minimal.yaml  (2 cases)\n', stderr: '' });
  });

  it('validate: exit 2 with located errors', async () => {
    const result = await runKpc(['scenarios', 'validate', 'broken.yaml', 'scenarios'], { cwd });
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('ok  scenarios/minimal.yaml  (2 cases)\n');
    expect(result.stderr).to.equal(
      `broken.yaml:${lineOf('periodSeconds:')}:15: service.spec.template.spec.containers[1].readinessProbe.periodSecond: unknown key \`periodSecond\` (did you mean \`periodSeconds\`?)\n1 problem in 1 file\n`,
    );
  });

  it('validate: exit 2 for a path that does not exist', async () => {
    const result = await runKpc(['scenarios', 'validate', 'nope.yaml'], { cwd });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('kpc scenarios: no such file or directory: nope.yaml\n');
  });

  it('list: scenarios with level, tags and expanded cases', async () => {
    const result = await runKpc(['scenarios', 'list'], { cwd });
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(
      'minimal  MUST  [sidecar]  2 cases\n  minimal[period=1]\n  minimal[period=5]\n1 scenario, 2 cases\n',
    );
  });

  it('plan: steps and bounds per variant, filtered by case and variant', async () => {
    const result = await runKpc(['scenarios', 'plan', '--case', 'period=5', '--variant', 'candidate'], {
      cwd,
    });
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^minimal\[period=5\] {2}MUST/);
    expect(result.stdout).not.to.include('variant baseline');
    expect(result.stdout).to.include('  variant candidate\n');
    expect(result.stdout).to.include(
      '2. touch: exec in container sidecar of all pods: touch /tmp/ready → exit 0',
    );
    expect(result.stdout).to.include('latest   T + S·max(P,TO) + TO = 1·5s + 1s = 6s');
    const none = await runKpc(['scenarios', 'plan', '--case', 'nothing'], { cwd });
    expect(none.code).to.equal(2);
  });

  it('plans and validates the real catalogue', async () => {
    const validate = await runKpc(['scenarios', 'validate']);
    expect(validate.stderr).to.equal('');
    expect(validate.code).to.equal(0);
    expect(validate.stdout.trim().split('\n')).to.have.length(14);
    const plan = await runKpc(['scenarios', 'plan', 'scenarios/sidecar-exec-readiness-immediate.yaml']);
    expect(plan.code).to.equal(0);
    expect(plan.stdout).to.include(
      'sidecar readiness probe does not define probe port on container: sidecar',
    );
  });
});
