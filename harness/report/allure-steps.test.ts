import { expect } from 'chai';
import { deniedApplyTrace, mcpDisabledDenial, TraceScript } from '../expect/fixtures.ts';
import { stepsFromTrace } from './allure-steps.ts';

const at = (ms: number) => Date.parse('2025-06-01T10:00:00.000Z') + ms;

describe('Allure steps from a trace', () => {
  it('groups consecutive actions of one scenario step, with recorded times and the worst outcome', async () => {
    const t = new TraceScript();
    const pod = (name: string) => ({ kind: 'Pod', namespace: t.namespace, name, container: 'sidecar' });
    t.at(1_000).writer.action({
      action: 'exec',
      step: 'touch',
      target: pod('a'),
      outcome: 'ok',
      detail: { exitCode: 0 },
      startedAt: at(900),
    });
    t.at(1_500).writer.action({
      action: 'exec',
      step: 'touch',
      target: pod('b'),
      outcome: 'error',
      error: { code: 404, reason: 'NotFound', message: 'pods "b" not found' },
    });
    t.at(2_000).writer.note('between');
    t.at(2_500).writer.action({
      action: 'delete',
      target: { kind: 'Service', name: 'hello' },
      outcome: 'ok',
    });
    const steps = await stepsFromTrace(t.lines);
    expect(steps).to.have.length(2);
    expect(steps[0]).to.deep.include({
      name: 'touch',
      start: at(900),
      stop: at(1_500),
      status: 'failed',
      message: 'pods "b" not found',
    });
    expect(steps[0]!.children.map((c) => c.name)).to.deep.equal([
      'exec Pod kpc-test/a container sidecar → exit 0',
      'exec Pod kpc-test/b container sidecar → error 404',
    ]);
    expect(steps[1]).to.deep.include({
      name: 'delete Service hello',
      start: at(2_500),
      stop: at(2_500),
      status: 'passed',
      children: [],
    });
  });

  it('shows an admission denial with the webhook’s own message', async () => {
    const [step] = await stepsFromTrace(deniedApplyTrace().lines);
    expect(step).to.deep.include({
      name: 'apply-service: apply Service kpc-test/hello → error 400',
      status: 'failed',
      message: mcpDisabledDenial,
    });
  });
});
