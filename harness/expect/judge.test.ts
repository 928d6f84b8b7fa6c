import { expect } from 'chai';
import { parse } from 'yaml';
import {
  deniedApplyTrace,
  knative117SidecarExecTrace,
  knative118SidecarExecTrace,
  mcpDisabledDenial,
  sidecarPortError,
  TraceScript,
  traceStart,
} from './fixtures.ts';
import { judge } from './judge.ts';
import { type Expectation, expectationSchema } from './schema.ts';
import { timelineOf } from './timeline.ts';
import { formatVerdict, type Verdict } from './verdict.ts';

/** Expectations as a scenario author writes them: YAML, parsed by the real schema. */
const yamlExpectations = (text: string): Expectation[] =>
  (parse(text) as unknown[]).map((e) => expectationSchema.parse(e));

const judgeYaml = (script: TraceScript, text: string): Verdict =>
  judge(yamlExpectations(text), timelineOf(script.lines));

const only = (verdict: Verdict) => {
  expect(verdict.results).to.have.length(1);
  return verdict.results[0]!;
};

describe('judge', () => {
  describe('Knative 1.17: sidecar exec readiness probe (knative-facts.md §2.4)', () => {
    const trace = knative117SidecarExecTrace(5);

    it('holds the Revision at Unknown/Deploying and sees the repeated InternalError warning', () => {
      const verdict = judgeYaml(
        trace,
        `
- never:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: 'True' }
- never:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: 'False' }
- reach:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: Unknown, reason: Deploying, message: '' }
- reach:
    condition:
      object: { kind: Service, name: hello }
      type: Ready
      status: Unknown
      reason: RevisionMissing
      message: 'Configuration "hello" is waiting for a Revision to become ready.'
- event:
    type: Warning
    reason: InternalError
    object: { kind: Revision, name: hello-00001 }
    message: '${sidecarPortError('hello-00001')}'
  times: { atLeast: 3 }
- event: { reason: InternalError }
  times: { exactly: 5 }
`,
      );
      expect(verdict.results.map((r) => [r.ok, r.summary])).to.deep.equal(
        verdict.results.map((r) => [true, r.summary]),
      );
      expect(verdict.ok).to.equal(true);
    });

    it('fails "reaches Ready True" with the states that decided it and their times', () => {
      const result = only(
        judgeYaml(
          trace,
          `
- reach:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: 'True' }
  by: { after: { step: apply-service }, within: 30s }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain(
        'Revision hello-00001 condition Ready was never True within 30s after step apply-service',
      );
      expect(result.evidence.map((e) => e.text)).to.deep.equal([
        'Revision hello-00001 · Ready: Unknown/Deploying',
      ]);
      expect(result.evidence[0]!.at).to.equal(traceStart + 600);
    });

    it('counts repeats of one Event by its count field, and can bound them', () => {
      const verdict = judgeYaml(
        trace,
        `
- event: { reason: InternalError }
  times: { atMost: 2 }
- event: { reason: InternalError }
  times: never
  during: { until: { step: apply-service } }`,
      );
      expect(verdict.results[0]!.ok).to.equal(false);
      expect(verdict.results[0]!.summary).to.contain('5 occurrences');
      expect(verdict.results[1]!.ok).to.equal(true);
    });

    it('shows a word diff when a message is nearly right', () => {
      const result = only(
        judgeYaml(
          trace,
          `
- event:
    reason: InternalError
    message: '${sidecarPortError('hello-00001', 'side-car')}'`,
        ),
      );
      expect(result.ok).to.equal(false);
      const notes = result.notes.join('\n');
      expect(notes).to.contain('near miss');
      expect(notes).to.contain('[-side-car-]{+sidecar+}');
    });
  });

  describe('Knative 1.18: the sidecar turns ready after the probe file appears', () => {
    it('passes the ordered Ready sequence and the probe-derived timing bound', () => {
      const verdict = judgeYaml(
        knative118SidecarExecTrace(),
        `
- sequence:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready }
    states: [{ status: Unknown }, { status: 'True' }]
- sequence:
    container: { pod: { labels: { serving.knative.dev/revision: hello-00001 } }, name: sidecar }
    states: [{ ready: false }, { ready: true }]
- reach:
    container: { name: sidecar, ready: true }
  by:
    after: { step: touch-ready }
    within: { probe: { container: sidecar }, transition: becomes-ready, slack: 1s }
- never:
    container: { name: sidecar, ready: true }
  during: { until: { step: touch-ready } }
- event: { reason: Unhealthy, type: Warning, container: sidecar, source: kubelet, message: 'Readiness probe failed: ' }
  times: { exactly: 4 }
`,
      );
      expect(verdict.failed, formatVerdict(verdict)).to.equal(0);
      const bound = verdict.results[2]!;
      expect(bound.summary).to.contain('ready 0.84s after step touch-ready, inside the bound [-1s, 3s]');
      expect(bound.notes.join('\n')).to.contain('S·max(P,TO) + TO = 1·1s + 1s = 2s');
    });

    it('fails a transition that comes later than the probe allows, showing the derivation', () => {
      const result = only(
        judgeYaml(
          knative118SidecarExecTrace({ readyAfterTouchMs: 5_000 }),
          `
- reach:
    container: { name: sidecar, ready: true }
  by:
    after: { step: touch-ready }
    within: { probe: { container: sidecar }, transition: becomes-ready, slack: 1s }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain(
        'became ready 5.04s after step touch-ready: 2.04s later than the bound',
      );
      expect(result.notes.join('\n')).to.contain('the readinessProbe of container sidecar in Service hello');
    });

    it('catches a Ready=False that lasted 200 ms between two polls 5 s apart', () => {
      const script = knative118SidecarExecTrace({ flap: true });
      const timeline = timelineOf(script.lines);
      // What a poller would have seen every 5 s: only True after the probe passed.
      const ready = [...timeline.objects.values()].find((o) => o.kind === 'Pod')!.conditions.get('Ready')!;
      const polled = [10_000, 15_000, 20_000, 25_000].map(
        (ms) => ready.filter((o) => o.at <= traceStart + ms).at(-1)!.status,
      );
      expect(polled).to.deep.equal(['True', 'True', 'True', 'True']);

      const [never, sequence] = judge(
        yamlExpectations(`
- never:
    condition: { object: { kind: Pod }, type: Ready, status: 'False' }
  during: { from: { note: serving } }
- sequence:
    condition: { object: { kind: Pod }, type: Ready }
    states: [{ status: 'False' }, { status: 'True' }]
  during: { from: { note: serving } }`),
        timeline,
      ).results;
      expect(never!.ok).to.equal(false);
      expect(never!.summary).to.contain('was False at +20.1s');
      expect(never!.evidence[0]!.text).to.contain('held until +20.3s (0.2s)');
      expect(sequence!.ok, 'True → False → True contains False → True').to.equal(true);

      const strict = only(
        judge(
          yamlExpectations(`
- sequence:
    condition: { object: { kind: Pod }, type: Ready }
    states: [{ status: 'True' }, { status: 'True', reason: Nope }]
  during: { from: { note: serving } }`),
          timeline,
        ),
      );
      expect(strict.ok).to.equal(false);
      expect(strict.notes.join('\n')).to.contain('after True came False/ContainersNotReady');
    });
  });

  describe('ordered sequences', () => {
    const t = new TraceScript();
    const states = [
      ['Unknown', 'Deploying'],
      ['False', 'ProgressDeadlineExceeded'],
      ['Unknown', 'Deploying'],
      ['True', undefined],
    ] as const;
    states.forEach(([status, reason], i) => {
      t.at(1_000 * (i + 1)).watch(
        i === 0 ? 'ADDED' : 'MODIFIED',
        t.revision('r-00001', [{ type: 'Ready', status, reason }]),
      );
    });
    const sequence = (strict: boolean) => `
- sequence:
    condition: { object: { kind: Revision, name: r-00001 }, type: Ready }
    states: [{ status: Unknown }, { status: 'True' }]
    strict: ${strict}`;

    it('strict: a False between the first Unknown and the True fails, naming it', () => {
      const result = only(judgeYaml(t, sequence(true)));
      expect(result.ok).to.equal(false);
      expect(result.notes[0]).to.contain('after Unknown came False/ProgressDeadlineExceeded');
      expect(result.evidence.map((e) => e.text.split(': ')[1])).to.deep.equal([
        'Unknown/Deploying',
        'False/ProgressDeadlineExceeded',
        'Unknown/Deploying',
        'True',
      ]);
    });

    it('loose: the states in order with anything between pass', () => {
      expect(only(judgeYaml(t, sequence(false))).ok).to.equal(true);
    });
  });

  describe('objects that exist (or never do)', () => {
    const t = new TraceScript();
    t.at(500).watch('ADDED', t.revision('hello-00001', [{ type: 'Ready', status: 'Unknown' }]));
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello-00001-deployment', namespace: t.namespace },
    };
    t.at(2_000).watch('ADDED', deployment);
    t.at(2_300).watch('DELETED', deployment);
    t.at(5_000).watch('MODIFIED', t.revision('hello-00001', [{ type: 'Ready', status: 'True' }]));

    it('never: a Deployment that existed for 300 ms fails it, with when and how long', () => {
      const result = only(judgeYaml(t, '- never: { exists: { kind: Deployment } }'));
      expect(result.ok).to.equal(false);
      expect(result.name).to.equal('any Deployment is never present');
      expect(result.summary).to.equal(
        'any Deployment was present at +1.5s (1 offending state) over the whole trace',
      );
      expect(result.evidence.map((e) => e.text)).to.deep.equal([
        'any Deployment: present (hello-00001-deployment)  — held until +1.8s (0.3s)',
      ]);
    });

    it('never: passes over a window in which none existed, and for a kind never recorded at all', () => {
      const verdict = judgeYaml(
        t,
        `
- never: { exists: { kind: Deployment } }
  during: { for: 1s }
- never: { exists: { kind: Deployment, name: other } }
- reach: { exists: { kind: Deployment, name: hello-00001-deployment } }
  by: { within: 2s }
- reach: { exists: { kind: Deployment } }
  by: { within: 1s }`,
      );
      expect(verdict.results.map((r) => r.ok)).to.deep.equal([true, true, true, false]);
      expect(verdict.results[3]!.summary).to.contain('any Deployment was never present within 1s after');
    });
  });

  describe('ready addresses of a Service (EndpointSlices)', () => {
    const t = new TraceScript();
    const slice = (name: string, endpoints: { ready?: boolean; addresses?: string[] }[]) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name,
        namespace: t.namespace,
        labels: { 'kubernetes.io/service-name': 'hello-00001-private' },
      },
      addressType: 'IPv4',
      endpoints: endpoints.map((e, i) => ({
        addresses: e.addresses ?? [`10.0.0.${i + 1}`],
        ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
      })),
    });
    t.at(1_000).watch('ADDED', slice('hello-00001-private-a', []));
    t.at(2_000).watch('MODIFIED', slice('hello-00001-private-a', [{ ready: true }, { ready: false }]));
    // An endpoint without conditions.ready counts as ready, as Knative's e2e ReadyAddresses counts it.
    t.at(2_500).watch('ADDED', slice('hello-00001-private-b', [{}]));
    t.writer.action({
      action: 'exec',
      step: 'remove',
      target: { apiVersion: 'v1', kind: 'Pod', namespace: t.namespace, name: 'p', container: 'sidecar' },
      outcome: 'ok',
    });
    t.at(4_000).watch('MODIFIED', slice('hello-00001-private-a', [{ ready: false }, { ready: false }]));
    t.at(4_200).watch('DELETED', slice('hello-00001-private-b', [{}]));

    it('sums ready addresses over the slices and sees them drop to zero after the step', () => {
      const verdict = judgeYaml(
        t,
        `
- reach: { endpoints: { service: hello-00001-private, ready: 2 } }
- reach: { endpoints: { service: hello-00001-private, ready: 0 } }
  by: { after: { step: remove }, within: 2s }
- never: { endpoints: { service: hello-00001-private, ready: { atLeast: 3 } } }
- reach: { endpoints: { service: hello-00001-private, ready: 0 } }
  by: { after: { step: remove }, within: 1s }`,
      );
      expect(verdict.results.map((r) => r.ok)).to.deep.equal([true, true, true, false]);
      expect(verdict.results[1]!.summary).to.equal('at 0 ready addresses 1.7s after step remove');
      expect(verdict.results[3]!.evidence.map((e) => e.text)).to.include(
        'EndpointSlices of Service hello-00001-private · ready addresses: 0 ready addresses  (0.7s after the deadline)',
      );
    });

    it('fails a check on a Service with no recorded EndpointSlice, naming the recorded ones', () => {
      const result = only(judgeYaml(t, '- never: { endpoints: { service: hello-00001-privat, ready: 1 } }'));
      expect(result.ok).to.equal(false);
      expect(result.summary).to.equal(
        'no EndpointSlice of Service hello-00001-privat was recorded (recorded for: hello-00001-private), so "never" would hold vacuously',
      );
    });
  });

  describe('admission', () => {
    it('passes a rejection by the named webhook with the exact message', () => {
      const verdict = judgeYaml(
        deniedApplyTrace(),
        `
- rejected:
    action: { step: apply-service }
    webhook: validation.webhook.serving.knative.dev
    message: '${mcpDisabledDenial}'`,
      );
      expect(verdict.ok, formatVerdict(verdict)).to.equal(true);
    });

    it('fails a different message with a diff, and an expected admission with the error', () => {
      const verdict = judgeYaml(
        deniedApplyTrace(),
        `
- rejected:
    action: { step: apply-service }
    webhook: validation.webhook.serving.knative.dev
    message: 'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe'
- admitted: { action: { step: apply-service } }`,
      );
      const [rejected, admitted] = verdict.results;
      expect(rejected!.ok).to.equal(false);
      expect(rejected!.notes.join('\n')).to.contain(
        '{+, spec.template.spec.containers[1].readinessProbe.successThreshold+}',
      );
      expect(admitted!.ok).to.equal(false);
      expect(admitted!.summary).to.contain('denied the request');
    });
  });

  describe('explains what it could not judge', () => {
    it('names the missing anchor and lists the recorded actions', () => {
      const result = only(
        judgeYaml(
          knative117SidecarExecTrace(1),
          `
- reach: { condition: { object: { kind: Revision }, type: Ready, status: Unknown } }
  by: { after: { step: touch-ready }, within: 5s }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain('no recorded action matches step touch-ready');
      expect(result.summary).to.contain('step apply-service: apply Service hello → ok');
    });

    it('refuses a vacuous "never" about an object that was never recorded', () => {
      const result = only(
        judgeYaml(
          knative117SidecarExecTrace(1),
          `- never: { condition: { object: { kind: Revision, name: hello-00002 }, type: Ready, status: 'False' } }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain(
        'no Revision hello-00002 was recorded (recorded Revisions: hello-00001)',
      );
    });

    it('does not vouch for a window that outlasts the recording', () => {
      const result = only(
        judgeYaml(
          knative117SidecarExecTrace(1),
          `
- never: { condition: { object: { kind: Revision }, type: Ready, status: 'True' } }
  during: { from: { step: apply-service }, for: 5m }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain('the trace ends 4m0.1s before the window does');
    });

    it('judges unready bounds from below too: the kubelet needs F failures', () => {
      const t = new TraceScript();
      const pod = (ready: boolean) =>
        t.pod('p', 'hello-00001', [{ name: 'sidecar', ready }], {
          containers: [
            {
              name: 'sidecar',
              readinessProbe: {
                exec: { command: ['cat', '/tmp/ready'] },
                periodSeconds: 1,
                failureThreshold: 3,
              },
            },
          ],
        });
      t.at(0).watch('ADDED', pod(true));
      t.at(5_000).writer.action({
        action: 'exec',
        step: 'rm-ready',
        target: { kind: 'Pod', name: 'p', container: 'sidecar' },
        outcome: 'ok',
      });
      t.at(5_500).watch('MODIFIED', pod(false));
      const result = only(
        judgeYaml(
          t,
          `
- reach: { container: { name: sidecar, ready: false } }
  by: { after: { step: rm-ready }, within: { probe: { container: sidecar }, transition: becomes-unready, slack: 500ms } }`,
        ),
      );
      expect(result.ok).to.equal(false);
      expect(result.summary).to.contain(
        'became not ready 0.5s after step rm-ready: 1s earlier than the probe allows',
      );
      expect(result.notes.join('\n')).to.contain('in the spec of Pod p');
    });
  });

  it('formats a verdict for people with relative and absolute times', () => {
    const text = formatVerdict(
      judgeYaml(
        knative117SidecarExecTrace(1),
        `- reach: { condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: 'True' } }`,
      ),
    );
    expect(text).to.contain('FAIL  Revision hello-00001 Ready reaches True');
    expect(text).to.contain(
      '+0.6s  2025-06-01T10:00:00.600Z  Revision hello-00001 · Ready: Unknown/Deploying',
    );
    expect(text).to.match(/0 passed, 1 failed over \d+ trace lines/);
  });
});
