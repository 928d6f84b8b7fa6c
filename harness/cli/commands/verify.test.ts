import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';
import { knative117SidecarExecTrace, sidecarPortError } from '../../expect/fixtures.ts';
import { runKpc } from '../in-process.ts';

const scenario = `apiVersion: kpc/v1
name: sidecar-exec
description: a sidecar with an exec readiness probe
level: MUST
requires:
  features:
    multi-container-probing: Enabled
service:
  apiVersion: serving.knative.dev/v1
  kind: Service
  spec:
    template:
      spec:
        containers:
          - name: app
            image: '{{ images.workload }}'
            ports: [{ containerPort: 8080 }]
          - name: sidecar
            image: '{{ images.workload }}'
            readinessProbe:
              exec: { command: [test, -f, /tmp/ready] }
              periodSeconds: 1
steps:
  - name: apply-service
    apply: {}
expectations:
  shared:
    - name: the Revision is never Ready=False
      never: { condition: { object: { kind: Revision, name: '{{ service }}-00001' }, type: Ready, status: 'False' } }
  baseline:
    - name: InternalError repeats
      event:
        type: Warning
        reason: InternalError
        message: '${sidecarPortError('hello-00001')}'
      times: { atLeast: 3 }
  candidate:
    - name: the Revision turns Ready
      reach: { condition: { object: { kind: Revision, name: '{{ service }}-00001' }, type: Ready, status: 'True' } }
      by: { after: { step: apply-service }, within: 2m }
`;

describe('kpc verify', () => {
  let dir: string;
  let trace: string;
  let scenarioFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kpc-verify-'));
    trace = join(dir, 'trace.jsonl');
    scenarioFile = join(dir, 'sidecar-exec.yaml');
    const script = knative117SidecarExecTrace(4);
    writeFileSync(
      trace,
      script.text.replace('"variant":"baseline"', '"variant":"baseline","service":"hello"'),
    );
    writeFileSync(scenarioFile, scenario);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0 when the header's variant holds, with templates resolved from the header", async () => {
    const { code, stdout } = await runKpc(['verify', '--scenario', scenarioFile, '--trace', trace]);
    expect(code, stdout).to.equal(0);
    expect(stdout).to.contain('PASS  the Revision is never Ready=False');
    expect(stdout).to.contain('PASS  InternalError repeats');
    expect(stdout).to.contain('2 passed, 0 failed');
  });

  it('exits 1 with the explanation when one fails, and writes JSON and an SVG timeline', async () => {
    const svg = join(dir, 'timeline.svg');
    const { code, stdout } = await runKpc([
      'verify',
      '--scenario',
      scenarioFile,
      '--trace',
      trace,
      '--variant',
      'candidate',
      '--json',
      '--svg',
      svg,
    ]);
    expect(code).to.equal(1);
    const verdict = JSON.parse(stdout);
    expect(verdict).to.include({ variant: 'candidate', ok: false, passed: 1, failed: 1 });
    expect(verdict.results[1].summary).to.contain(
      'Revision hello-00001 condition Ready was never True within 2m',
    );
    expect(XMLValidator.validate(readFileSync(svg, 'utf8'))).to.equal(true);
  });

  it('exits 2 naming the file and line of an unusable trace line', async () => {
    writeFileSync(trace, `${readFileSync(trace, 'utf8')}not json\n`);
    const { code, stderr } = await runKpc(['verify', '--scenario', scenarioFile, '--trace', trace]);
    expect(code).to.equal(2);
    expect(stderr).to.match(/unusable trace: .*trace\.jsonl:\d+: not JSON/);
  });

  it('exits 2 naming the place of a bad expectation or a missing file', async () => {
    writeFileSync(scenarioFile, scenario.replace("status: 'False'", "stauts: 'False'"));
    const bad = await runKpc(['verify', '--scenario', scenarioFile, '--trace', trace]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/sidecar-exec\.yaml:\d+:\d+: expectations\.shared\[0\]\.never\.condition/);
    expect(bad.stderr).to.contain('stauts');
    const missing = await runKpc(['verify', '--scenario', scenarioFile, '--trace', join(dir, 'nope.jsonl')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('cannot read trace');
  });
});
