import { expect } from 'chai';
import { caseServiceName } from '../scenario/case.ts';
import { loadScenarioFile, renderScenarioCase } from '../scenario/load.ts';
import { probeLintInputs } from './probe-lint-plan.ts';

async function rendered(file: string, caseIndex = 0) {
  const loaded = await loadScenarioFile(`scenarios/${file}.yaml`);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
  const scenarioCase = loaded.scenario.cases[caseIndex]!;
  const result = renderScenarioCase(loaded.scenario, scenarioCase, {
    service: caseServiceName(scenarioCase.id),
    namespace: 'ns',
    images: { workload: 'dev.local/kpc/workload:test' },
  });
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
  return result.case;
}

describe('probe-lint plans from scenario cases', () => {
  it('file-gated readiness: fails before the touch, must pass somewhere, only on the candidate', async () => {
    const c = await rendered('sidecar-exec-readiness-file-gated');
    const [sidecar, ...others] = probeLintInputs(c, 'candidate');
    expect(others).to.deep.equal([]);
    expect(sidecar).to.deep.include({
      image: 'dev.local/kpc/workload:test',
      container: 'sidecar',
      mustPassSomewhere: ['readiness'],
    });
    expect(sidecar!.probes.map((p) => p.exec.command)).to.deep.equal([['test', '-f', '/tmp/ready']]);
    expect(sidecar!.checkpoints).to.deep.equal([
      { name: 'start', before: [], expect: 'fail', probes: ['readiness'] },
      { name: 'after step touch', before: [['touch', '/tmp/ready']], expect: 'any' },
    ]);
    // The baseline never reaches a pod, so nothing there asks the probe to pass.
    const [baseline] = probeLintInputs(c, 'baseline');
    expect(baseline!.mustPassSomewhere).to.equal(undefined);
    expect(baseline!.checkpoints.map((k) => k.expect)).to.deep.equal(['any']);
  });

  it('a probe that never passes on purpose is only checked for running, never asked to pass', async () => {
    const c = await rendered('sidecar-exec-readiness-never-passes');
    for (const input of probeLintInputs(c, 'candidate')) expect(input.mustPassSomewhere).to.equal(undefined);
  });

  it('containers without exec probes need no lint', async () => {
    expect(probeLintInputs(await rendered('sidecar-port-probes'), 'candidate')).to.deep.equal([]);
  });
});
