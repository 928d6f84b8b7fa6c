import { expect } from 'chai';
import { formatIssue } from './issues.ts';
import { parseScenario } from './load.ts';
import { lineOf, minimalScenario, withLine } from './testdata/minimal.ts';

const issuesOf = (text: string) => {
  const result = parseScenario(text, 'scenarios/minimal.yaml', { expectedName: 'minimal' });
  if (result.ok) throw new Error('expected issues');
  return result.issues.map(formatIssue);
};

describe('parseScenario', () => {
  it('loads a valid scenario and expands its matrix into named cases', () => {
    const result = parseScenario(minimalScenario, 'scenarios/minimal.yaml', { expectedName: 'minimal' });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    const { scenario } = result;
    expect(scenario.cases.map((c) => c.id)).to.deep.equal(['minimal[period=1]', 'minimal[period=5]']);
    expect(scenario.variants).to.deep.equal(['baseline', 'candidate']);
    expect(scenario.images).to.deep.equal(['workload']);
    expect(scenario.level).to.equal('MUST');
  });

  it('names file, line, column, path and the nearest key for a misspelled key', () => {
    const line = lineOf('periodSeconds:');
    const text = withLine(line, "              periodSecond: '{{ params.period }}'");
    expect(issuesOf(text)).to.deep.equal([
      `scenarios/minimal.yaml:${line}:15: service.spec.template.spec.containers[1].readinessProbe.periodSecond: unknown key \`periodSecond\` (did you mean \`periodSeconds\`?)`,
    ]);
  });

  it('says what type was expected and what was found', () => {
    const line = lineOf('exec: { container: sidecar');
    const text = withLine(line, '    exec: { container: 7, command: [touch, /tmp/ready] }');
    expect(issuesOf(text)).to.deep.equal([
      `scenarios/minimal.yaml:${line}:24: steps[1].exec.container: expected string, got number 7`,
    ]);
  });

  it('picks the step or expectation kind the author meant, and reports inside it', () => {
    const line = lineOf('wait: { until');
    expect(issuesOf(withLine(line, '    wiat: { until: [sidecar-ready], timeout: 1m }'))).to.deep.equal([
      `scenarios/minimal.yaml:${line}:5: steps[2].wiat: unknown key \`wiat\` (did you mean \`wait\`?); expected one of the keys apply, expectRejection, exec, patch, delete, request, wait, collect`,
    ]);
    expect(issuesOf(withLine(line, '    wait: { until: [sidecar-ready], timeout: soon }'))).to.deep.equal([
      `scenarios/minimal.yaml:${line}:46: steps[2].wait.timeout: expected a duration such as 500ms, 30s, 2m or 1m30s, got "soon"`,
    ]);
    const reach = lineOf('reach: { container');
    expect(
      issuesOf(withLine(reach, '      raech: { container: { name: sidecar, ready: true } }')),
    ).to.deep.equal([
      `scenarios/minimal.yaml:${reach}:7: expectations.candidate[0].raech: unknown key \`raech\` (did you mean \`reach\`?)`,
    ]);
  });

  it('reports a missing required key at its parent', () => {
    const text = minimalScenario.replace('level: MUST\n', '');
    expect(issuesOf(text)).to.deep.equal([
      'scenarios/minimal.yaml:1:1: level: missing required key `level` (one of "MUST", "SHOULD", "MAY")',
    ]);
  });

  it('rejects an undeclared variant with a suggestion', () => {
    const line = lineOf('  candidate:');
    expect(issuesOf(withLine(line, '  candiate:'))[0]).to.equal(
      `scenarios/minimal.yaml:${line}:3: expectations.candiate: unknown variant \`candiate\` (did you mean \`candidate\`?); declare it under \`variants\` (known: baseline, candidate)`,
    );
  });

  it('accepts a declared variant and rejects an unknown one on a step', () => {
    const declared = minimalScenario.replace(
      'matrix:',
      'variants:\n  v123: { knative: ">=1.23.0" }\nmatrix:',
    );
    expect(parseScenario(declared, 'scenarios/minimal.yaml').ok).to.equal(true);
    const line = lineOf('variants: [candidate]');
    expect(issuesOf(withLine(line, '    variants: [canddate]'))).to.include(
      `scenarios/minimal.yaml:${line}:16: steps[1].variants[0]: unknown variant \`canddate\` (did you mean \`candidate\`?); declare it under \`variants\` (known: baseline, candidate)`,
    );
  });

  it('requires the name to match the file', () => {
    expect(issuesOf(minimalScenario.replace('name: minimal', 'name: other'))).to.deep.equal([
      'scenarios/minimal.yaml:2:7: name: expected "minimal" (the file name), got "other"',
    ]);
  });

  it('checks Knative config keys and values, which Knative itself would silently ignore', () => {
    const line = lineOf('multi-container-probing');
    expect(issuesOf(withLine(line, '    multi-container-probeing: Enabled'))).to.deep.equal([
      `scenarios/minimal.yaml:${line}:5: requires.features.multi-container-probeing: unknown key \`multi-container-probeing\` (did you mean \`multi-container-probing\`?)`,
    ]);
    expect(issuesOf(withLine(line, '    multi-container-probing: enabled'))[0]).to.match(
      /requires\.features\.multi-container-probing: expected Enabled, Allowed or Disabled, or a template such as \{\{ params\.name \}\}, got "enabled"/,
    );
  });

  it('reports unknown template variables where they are written, with suggestions', () => {
    const line = lineOf("periodSeconds: '{{ params.period }}'");
    expect(issuesOf(withLine(line, "              periodSeconds: '{{ params.perod }}'"))).to.deep.equal([
      `scenarios/minimal.yaml:${line}:31: service.spec.template.spec.containers[1].readinessProbe.periodSeconds: unknown parameter \`perod\` (did you mean \`period\`?) (declared: period)`,
    ]);
    const image = lineOf("image: '{{ images.workload }}'");
    expect(issuesOf(withLine(image, "            image: 'x/{{ imagse.workload }}'"))[0]).to.equal(
      `scenarios/minimal.yaml:${image}:23: service.spec.template.spec.containers[0].image: unknown template variable \`imagse\` (did you mean \`images\`?) (known: params, service, namespace, images)`,
    );
  });

  it('reports a bad substituted value at the parameter that holds it', () => {
    const text = minimalScenario.replace('period: [1, 5]', 'period: [1, five]');
    expect(issuesOf(text)).to.deep.equal([
      `scenarios/minimal.yaml:${lineOf('period: [1, five]', text)}:15: matrix.period[1]: expected an integer, or a template such as {{ params.name }}, got "five" (used at service.spec.template.spec.containers[1].readinessProbe.periodSeconds)`,
    ]);
  });

  it('cross-checks steps, containers and expectation names', () => {
    const touch = lineOf('exec: { container: sidecar');
    expect(
      issuesOf(withLine(touch, '    exec: { container: sidecra, command: [touch, /tmp/ready] }')),
    ).to.deep.equal([
      `scenarios/minimal.yaml:${touch}:24: steps[1].exec.container: the Service has no container \`sidecra\` at this step (did you mean \`sidecar\`?) (containers: app, sidecar)`,
    ]);
    const wait = lineOf('wait: { until');
    expect(issuesOf(withLine(wait, '    wait: { until: [sidecar-raedy], timeout: 1m }'))).to.deep.equal([
      `scenarios/minimal.yaml:${wait}:21: steps[2].wait.until[0]: no expectation named \`sidecar-raedy\` for variant candidate (did you mean \`sidecar-ready\`?)`,
    ]);
    const after = lineOf('after: { step: touch }');
    expect(issuesOf(withLine(after, '        after: { step: tuoch }'))).to.deep.equal([
      `scenarios/minimal.yaml:${after}:24: expectations.candidate[0].by.after.step: no step \`tuoch\` (did you mean \`touch\`?) (steps: create, touch, ready)`,
    ]);
  });

  it('rejects anchoring a shared expectation on a step that runs on one variant only', () => {
    const text = minimalScenario.replace(
      'expectations:\n',
      'expectations:\n  shared:\n    - admitted: { action: { step: touch } }\n',
    );
    expect(issuesOf(text)).to.deep.equal([
      `scenarios/minimal.yaml:${lineOf('admitted:', text)}:35: expectations.shared[0].admitted.action.step: step \`touch\` does not run on baseline; anchor on it in those variants' expectations only`,
    ]);
  });

  it('refuses `exists` of a kind the recorder does not watch, which no trace could contradict', () => {
    const text = minimalScenario.replace(
      'expectations:\n',
      'expectations:\n  shared:\n    - never: { exists: { kind: Deploymnet } }\n',
    );
    expect(issuesOf(text)).to.deep.equal([
      `scenarios/minimal.yaml:${lineOf('never:', text)}:32: expectations.shared[0].never.exists.kind: kpc does not record Deploymnet objects (did you mean \`Deployment\`?) (recorded: Service, Configuration, Revision, Route, Deployment, Pod, EndpointSlice, Event)`,
    ]);
  });

  it('rejects a probe bound on a probe that queue-proxy runs', () => {
    const text = minimalScenario.replace(
      'exec: { command: [test, -f, /tmp/ready] }',
      'tcpSocket: { port: 8081 }',
    );
    expect(issuesOf(text)[0]).to.match(
      /by\.within\.probe: the readinessProbe of `sidecar` is not exec: .*queue-proxy runs them/,
    );
  });

  it('refuses probe bounds for liveness and startup probes: bounds are derived for readiness only', () => {
    const text = minimalScenario.replace(
      'within: { probe: { container: sidecar }',
      'within: { probe: { container: sidecar, kind: startup }',
    );
    expect(issuesOf(text)[0]).to.match(/by\.within\.probe\.kind: expected "readiness", got "startup"/);
  });

  it('requires metadata.name to be the case Service name when given', () => {
    const text = minimalScenario.replace(
      '  kind: Service\n',
      '  kind: Service\n  metadata: { name: fixed }\n',
    );
    expect(issuesOf(text)[0]).to.match(/service\.metadata\.name: must be \{\{ service \}\}/);
    const templated = minimalScenario.replace(
      '  kind: Service\n',
      "  kind: Service\n  metadata: { name: '{{ service }}' }\n",
    );
    expect(parseScenario(templated, 'scenarios/minimal.yaml').ok).to.equal(true);
  });

  it('never throws; a kpc bug would still come back as a located issue', () => {
    for (const text of ['', '\u0000', ': :', '[', '{a: }', 'a: b: c', '- - -', '"\\u{zz}"', 'x: &a [*a]']) {
      const result = parseScenario(text, 'f.yaml');
      expect(result.ok).to.equal(false);
      if (!result.ok) for (const issue of result.issues) expect(issue.message).not.to.match(/internal error/);
    }
  });
});
