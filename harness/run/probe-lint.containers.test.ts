import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildWorkload, leftovers, requireDocker } from '../cluster/container-tests.ts';
import { formatProbeLintReport, lintProbes } from '../probe-lint/lint.ts';
import { caseServiceName } from '../scenario/case.ts';
import {
  catalogueFiles,
  loadScenarios,
  parseScenario,
  renderScenarioCase,
  type Scenario,
} from '../scenario/load.ts';
import { probeLintInputs } from './probe-lint-plan.ts';

describe('probe-lint of the catalogue in the real workload image', () => {
  let images: Record<string, string>;
  const runId = `catalogue-lint-${process.pid}`;

  before(async function () {
    await requireDocker(this, { '/bin/busybox': 'apt-get install -y busybox-static' });
    images = { workload: await buildWorkload() };
  });

  after(async () => {
    if (images) expect(await leftovers(runId)).to.deep.equal([]);
  });

  const inputsOf = (scenario: Scenario, variant: string) =>
    scenario.cases.flatMap((c) => {
      const rendered = renderScenarioCase(scenario, c, {
        service: caseServiceName(c.id),
        namespace: 'lint',
        images,
      });
      if (!rendered.ok) throw new Error(`${c.id} does not render`);
      return probeLintInputs(rendered.case, variant);
    });

  it('finds nothing wrong with any exec probe of any catalogue case on either variant', async function () {
    this.timeout(300_000);
    const { scenarios, issues } = await loadScenarios(await catalogueFiles('scenarios'), process.cwd());
    expect(issues).to.deep.equal([]);
    const distinct = new Map(
      scenarios
        .flatMap((s) => ['baseline', 'candidate'].flatMap((v) => inputsOf(s, v)))
        .map((i) => [JSON.stringify(i), i]),
    );
    expect(distinct.size).to.be.greaterThan(3);
    for (const input of distinct.values()) {
      const report = await lintProbes(input, { runId });
      expect(report.findings, formatProbeLintReport(report)).to.deep.equal([]);
    }
  });

  it('catches a file-gated probe whose exec step touches the wrong file', async function () {
    this.timeout(60_000);
    const text = readFileSync('scenarios/sidecar-exec-readiness-file-gated.yaml', 'utf8');
    const loaded = parseScenario(
      text.replace('command: [touch, /tmp/ready]', 'command: [touch, /tmp/raedy]'),
      'scenarios/sidecar-exec-readiness-file-gated.yaml',
    );
    if (!loaded.ok) throw new Error('the edited scenario does not load');
    const [input] = inputsOf(loaded.scenario, 'candidate');
    const report = await lintProbes(input!, { runId, settleTimeoutMs: 2_000 });
    expect(report.findings.map((f) => f.kind)).to.deep.equal(['never-passes']);
  });
});
