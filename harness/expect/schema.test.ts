import { expect } from 'chai';
import { parse } from 'yaml';
import { z } from 'zod';
import { expectationSchema } from './schema.ts';

const parseYaml = (text: string) => expectationSchema.safeParse(parse(text));
const errorOf = (text: string): string => {
  const result = parseYaml(text);
  if (result.success) throw new Error('expected a parse error');
  return z.prettifyError(result.error);
};

describe('expectationSchema', () => {
  it('accepts every kind as a human would write it in YAML', () => {
    const docs = [
      `
name: revision turns ready
reach:
  condition:
    object: { kind: Revision, name: '{{service}}-00001' }
    type: Ready
    status: 'True'
by: { after: start, within: 90s }`,
      `
reach:
  container: { pod: { labels: { serving.knative.dev/revision: hello-00001 } }, name: sidecar, ready: true }
by:
  after: { step: touch-ready-file }
  within: { probe: { container: sidecar }, transition: becomes-ready, slack: 2s }`,
      `
never:
  condition: { object: { kind: Pod }, type: Ready, status: 'False' }
during: { from: { action: exec, container: sidecar }, for: 30s }`,
      `
sequence:
  condition: { object: { kind: Revision, name: hello-00001 }, type: Ready }
  states: [{ status: Unknown }, { status: 'True' }]`,
      `
event:
  reason: InternalError
  type: Warning
  message: { contains: 'sidecar readiness probe does not define probe port on container: sidecar' }
  object: { kind: Revision, name: hello-00001 }
times: { atLeast: 2 }`,
      `
event: { reason: Unhealthy, message: { matches: '^Readiness probe failed: ' }, container: sidecar }
times: never`,
      `
rejected:
  action: { step: apply-service }
  webhook: validation.webhook.serving.knative.dev
  message: 'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe'`,
      `
admitted: { action: { action: apply, kind: Service } }`,
    ];
    for (const doc of docs) {
      const result = parseYaml(doc);
      expect(result.success, `${doc}\n${result.success ? '' : z.prettifyError(result.error)}`).to.equal(true);
    }
  });

  it('names the misspelled key and its place instead of "Invalid input"', () => {
    const message = errorOf(`
reach:
  condition: { object: { kind: Revision }, type: Ready, stauts: 'True' }`);
    expect(message).to.contain('Unrecognized key: "stauts"');
    expect(message).to.contain('reach.condition');
    expect(message).not.to.contain('Invalid input');
  });

  it('lists the kinds when no kind key is present', () => {
    expect(errorOf('nevr: {}')).to.contain(
      'one of the keys reach, never, sequence, event, rejected, admitted',
    );
  });

  it('rejects keys that belong to another kind', () => {
    expect(errorOf('event: { reason: Unhealthy }\nby: { within: 3s }')).to.contain('Unrecognized key: "by"');
  });

  it('explains a bad text match, duration and count', () => {
    expect(
      errorOf(
        "reach: { condition: { object: { kind: Route }, type: Ready, status: 'True', message: { contain: x } } }",
      ),
    ).to.contain('{ contains }');
    expect(
      errorOf("reach: { container: { name: s, ready: true } }\nby: { within: '30 seconds' }"),
    ).to.contain('a duration such as');
    expect(errorOf('event: { reason: Unhealthy }\ntimes: { atleast: 2 }')).to.contain(
      "'never', { atLeast: n }",
    );
  });

  it('requires exactly one subject and states that fit it', () => {
    expect(errorOf('reach: {}')).to.contain('exactly one of condition, container, exists or endpoints');
    expect(
      errorOf('never: { exists: { kind: Deployment }, endpoints: { service: s, ready: 0 } }'),
    ).to.contain('exactly one of condition, container, exists or endpoints');
    expect(errorOf('never: { endpoints: { service: s } }')).to.contain('ready');
    expect(
      errorOf(`
sequence:
  condition: { object: { kind: Revision }, type: Ready }
  states: [{ status: Unknown }, { ready: true }]`),
    ).to.contain('a condition sequence lists condition states');
  });

  it('exports a JSON Schema for the published scenario schema', () => {
    const schema = z.toJSONSchema(expectationSchema, { io: 'input' }) as { anyOf?: unknown[] };
    expect(schema.anyOf).to.have.length(6);
  });
});
