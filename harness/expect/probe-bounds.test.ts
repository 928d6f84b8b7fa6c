import { expect } from 'chai';
import fc from 'fast-check';
import { describeBound, effectiveProbe, probeBounds } from './probe-bounds.ts';

const exec = { exec: { command: ['test', '-f', '/tmp/ready'] } };

describe('probeBounds (kubelet-probe-facts.md §6)', () => {
  // The worked examples of §6 use e ≈ 0.05 s and δ ≈ 0.2 s; the bound takes e ≤ TO and leaves δ to the slack.
  it('matches the worked example P=1, TO=1, S=1, F=1', () => {
    const spec = { ...exec, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 };
    expect(probeBounds(spec, 'becomes-ready')).to.include({ earliestMs: 0, latestMs: 2_000 });
    expect(probeBounds(spec, 'becomes-unready')).to.include({ earliestMs: 0, latestMs: 2_000 });
  });

  it('matches the worked example P=1, S=2, F=3', () => {
    const spec = { ...exec, periodSeconds: 1, successThreshold: 2, failureThreshold: 3 };
    expect(probeBounds(spec, 'becomes-ready')).to.include({ earliestMs: 0, latestMs: 3_000 });
    expect(probeBounds(spec, 'becomes-unready')).to.include({ earliestMs: 2_000, latestMs: 4_000 });
  });

  it('matches the worked example with the defaults P=10, TO=1, S=1, F=3', () => {
    expect(probeBounds(exec, 'becomes-ready')).to.include({ earliestMs: 0, latestMs: 11_000 });
    expect(probeBounds(exec, 'becomes-unready')).to.include({ earliestMs: 20_000, latestMs: 31_000 });
  });

  it("runs a Knative periodSeconds: 0 exec probe with the Kubernetes defaults, not queue-proxy's aggressive mode", () => {
    const knative = {
      ...exec,
      periodSeconds: 0,
      timeoutSeconds: 0,
      failureThreshold: 0,
      successThreshold: 1,
    };
    expect(effectiveProbe(knative)).to.deep.include({
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 1,
      defaulted: ['periodSeconds', 'timeoutSeconds', 'failureThreshold'],
    });
    expect(describeBound(knative, 'becomes-unready')).to.contain(
      "Knative's periodSeconds: 0 aggressive mode is queue-proxy's; exec probes run in the kubelet",
    );
  });

  it('stretches periods to the timeout when probes can hang longer than a period', () => {
    const spec = { ...exec, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 3 };
    expect(probeBounds(spec, 'becomes-ready').latestMs).to.equal(1 * 5_000 + 5_000);
    expect(probeBounds(spec, 'becomes-unready').latestMs).to.equal(1_000 + 2 * 5_000 + 5_000);
  });

  it('starts the clock at eligibility when the anchor comes before it (first readiness after start)', () => {
    const spec = { ...exec, periodSeconds: 2, initialDelaySeconds: 5 };
    const bound = probeBounds(spec, 'becomes-ready', { eligibleInMs: 4_000 });
    expect(bound).to.include({ earliestMs: 4_000, latestMs: 4_000 + 1_000 + 2_000 + 1_000 + 1_000 });
    expect(bound.latestFormula).to.contain('(G − T)');
  });

  it('always gives earliest ≤ latest, and more failures never make unreadiness faster', () => {
    const positive = fc.integer({ min: 0, max: 60 });
    fc.assert(
      fc.property(positive, positive, positive, positive, positive, (P, TO, S, F, D) => {
        const spec = {
          ...exec,
          periodSeconds: P,
          timeoutSeconds: TO,
          successThreshold: S,
          failureThreshold: F,
          initialDelaySeconds: D,
        };
        for (const t of ['becomes-ready', 'becomes-unready'] as const) {
          const b = probeBounds(spec, t);
          expect(b.earliestMs).to.be.at.most(b.latestMs);
        }
        const more = probeBounds({ ...spec, failureThreshold: (F || 3) + 1 }, 'becomes-unready');
        expect(more.earliestMs).to.be.at.least(probeBounds(spec, 'becomes-unready').earliestMs);
      }),
    );
  });

  it('writes the derivation with the numbers put in', () => {
    const text = describeBound({ ...exec, periodSeconds: 1 }, 'becomes-ready', {
      slackMs: 2_000,
      container: 'sidecar',
    });
    expect(text).to.contain(
      'readiness probe of container "sidecar" as the kubelet runs it: exec ["test","-f","/tmp/ready"]',
    );
    expect(text).to.contain('latest   T + S·max(P,TO) + TO = 1·1s + 1s = 2s');
    expect(text).to.contain('checked over [T − 2s, T + 4s] with slack 2s');
  });
});
