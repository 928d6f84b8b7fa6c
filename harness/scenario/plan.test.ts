import { expect } from 'chai';
import { caseServiceName, expectationsFor, type RenderedCase, requirementsFor, stepsFor } from './case.ts';
import { formatIssue } from './issues.ts';
import { parseScenario, planContext, renderScenarioCase } from './load.ts';
import { formatPlan, planCase } from './plan.ts';
import { minimalScenario } from './testdata/minimal.ts';

function renderedCases(text: string): RenderedCase[] {
  const loaded = parseScenario(text, 'scenarios/minimal.yaml');
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  return loaded.scenario.cases.map((c) => {
    const result = renderScenarioCase(loaded.scenario, c, planContext(c));
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    return result.case;
  });
}

describe('rendered cases and plans', () => {
  it('renders names, images and parameters, and fills in the Service identity', () => {
    const [p1, p5] = renderedCases(minimalScenario);
    expect(p1!.service.metadata).to.deep.include({
      name: caseServiceName('minimal[period=1]'),
      namespace: 'kpc-plan',
    });
    const sidecar = p5!.service.spec.template.spec.containers[1];
    expect(sidecar).to.deep.include({ image: '<image:workload>' });
    expect(typeof sidecar === 'object' && sidecar.readinessProbe?.periodSeconds).to.equal(5);
    expect(p1!.expectations.baseline?.[0]).to.deep.include({
      event: {
        reason: 'InternalError',
        object: { kind: 'Revision', name: `${caseServiceName('minimal[period=1]')}-00001` },
      },
    });
  });

  it('gives each case a short, stable, distinct Service name', () => {
    const a = caseServiceName('sidecar-exec-readiness-file-gated[timing=p1]');
    expect(a).to.equal(caseServiceName('sidecar-exec-readiness-file-gated[timing=p1]'));
    expect(a).not.to.equal(caseServiceName('sidecar-exec-readiness-file-gated[timing=p5]'));
    expect(a).to.match(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(a.length).to.be.at.most(40);
  });

  it('selects steps and expectations per variant, and turns expectRejection into a rejected expectation', () => {
    const text = minimalScenario.replace(
      'steps:\n',
      "steps:\n  - name: denied\n    variants: [baseline]\n    expectRejection: { webhook: validation.webhook.serving.knative.dev, message: 'validation failed: x' }\n",
    );
    const [rendered] = renderedCases(text);
    expect(stepsFor(rendered!, 'baseline').map((s) => s.id)).to.deep.equal(['denied', 'create']);
    expect(stepsFor(rendered!, 'candidate').map((s) => s.id)).to.deep.equal(['create', 'touch', 'ready']);
    expect(expectationsFor(rendered!, 'baseline').map((e) => e.name)).to.deep.equal([
      'controller-error',
      'denied is rejected',
    ]);
    expect(expectationsFor(rendered!, 'baseline')[1]).to.deep.equal({
      name: 'denied is rejected',
      rejected: {
        action: { step: 'denied' },
        webhook: 'validation.webhook.serving.knative.dev',
        message: 'validation failed: x',
      },
    });
    expect(expectationsFor(rendered!, 'candidate').map((e) => e.name)).to.deep.equal(['sidecar-ready']);
  });

  it('merges scenario and variant requirements, the variant winning', () => {
    const text = minimalScenario.replace(
      'matrix:',
      'variants:\n  candidate:\n    knative: ">=1.18.0"\n    deployment: { progress-deadline: 30s }\n    features: { multi-container-probing: Allowed }\nmatrix:',
    );
    const [rendered] = renderedCases(text);
    expect(requirementsFor(rendered!, 'baseline')).to.deep.equal({
      knative: [],
      features: { 'multi-container-probing': 'Enabled' },
      deployment: {},
    });
    expect(requirementsFor(rendered!, 'candidate')).to.deep.equal({
      knative: ['>=1.18.0'],
      features: { 'multi-container-probing': 'Allowed' },
      deployment: { 'progress-deadline': '30s' },
    });
  });

  it('computes probe bounds from the rendered probe and writes down the derivation', () => {
    const [p1, p5] = renderedCases(minimalScenario);
    const bound = (c: RenderedCase) => planCase(c, 'candidate').expectations[0]!.bound!;
    // kubelet-probe-facts.md §6 A: latest T + S·max(P,TO) + TO, plus the default 1s slack
    expect(bound(p1!)).to.include({ earliestMs: -1000, latestMs: 3000 });
    expect(bound(p5!)).to.include({ earliestMs: -1000, latestMs: 7000 });
    expect(bound(p5!).derivation.join('\n')).to.include('latest   T + S·max(P,TO) + TO = 1·5s + 1s = 6s');
    expect(planCase(p1!, 'baseline').expectations[0]!.bound).to.equal(undefined);
  });

  it('formats a plan with steps in order and the bound derivation', () => {
    const [p1] = renderedCases(minimalScenario);
    const text = formatPlan(
      p1!,
      ['baseline', 'candidate'].map((v) => planCase(p1!, v)),
    );
    expect(text).to.include('minimal[period=1]  MUST  [sidecar]');
    expect(text).to.include(
      '  variant baseline\n    needs: config-features multi-container-probing=Enabled\n    steps:\n      1. create: apply Service',
    );
    expect(text).to.include(
      '      2. touch: exec in container sidecar of all pods: touch /tmp/ready → exit 0',
    );
    expect(text).to.include('      3. ready: wait until sidecar-ready (timeout 1m)');
    expect(text).to.include('          T = step touch');
    expect(text).to.include('checked over [T − 1s, T + 3s]');
  });
});
