import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { expect } from 'chai';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { caseServiceName, expectationsFor } from './case.ts';
import { formatIssue } from './issues.ts';
import {
  catalogueFiles,
  loadScenarios,
  parseScenario,
  planContext,
  renderScenarioCase,
  type Scenario,
} from './load.ts';
import { planCase } from './plan.ts';

const root = new URL('../../', import.meta.url).pathname;

/** The exact controller error of knative-facts.md §2.4 (3), for a revision and a sidecar. */
const sidecarPortError = (revision: string, sidecar: string) =>
  `failed to create deployment "${revision}-deployment": failed to make deployment: failed to create PodSpec: ` +
  `failed to create queue-proxy container: sidecar readiness probe does not define probe port on container: ${sidecar}`;

describe('the scenario catalogue', () => {
  let scenarios: Scenario[];
  let files: string[];
  before(async () => {
    files = await catalogueFiles(`${root}scenarios`);
    const loaded = await loadScenarios(files, root);
    expect(loaded.issues.map(formatIssue)).to.deep.equal([]);
    scenarios = loaded.scenarios;
  });
  const byName = (name: string) => scenarios.find((s) => s.name === name)!;

  it('holds the fourteen scenarios of the issue, each named after its file', () => {
    expect(scenarios.map((s) => s.name)).to.have.members([
      'sidecar-exec-readiness-immediate',
      'sidecar-exec-readiness-file-gated',
      'sidecar-exec-readiness-never-passes',
      'sidecar-exec-probe-timeout',
      'sidecar-probe-mcp-disabled',
      'serving-exec-readiness',
      'serving-and-sidecar-exec-readiness',
      'sidecar-readiness-lost',
      'sidecar-port-probes',
      'sidecar-named-port-or-portless-grpc',
      'two-sidecars-exec-and-http',
      'update-adds-bad-sidecar',
      'cold-start-sidecar-exec',
      'sidecar-exec-liveness-startup',
    ]);
    for (const s of scenarios) expect(basename(s.file, '.yaml')).to.equal(s.name);
  });

  it('points editors at the committed JSON Schema on the first line of every file', async () => {
    for (const file of files) {
      const first = (await readFile(file, 'utf8')).split('\n')[0];
      expect(first, file).to.equal('# yaml-language-server: $schema=../docs/schema/scenario.schema.json');
    }
  });

  it('cites a facts-sheet section in a comment above every expectation', async () => {
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const lines = text.split('\n');
      const counter = new LineCounter();
      const doc = parseDocument(text, { lineCounter: counter });
      const expectations = doc.get('expectations', true);
      if (!isMap(expectations)) continue;
      for (const pair of expectations.items) {
        if (!isSeq(pair.value)) continue;
        for (const item of pair.value.items) {
          const line = counter.linePos((item as { range: [number] }).range[0]).line;
          const comments: string[] = [];
          for (let l = line - 2; l >= 0 && lines[l]!.trim().startsWith('#'); l--) comments.unshift(lines[l]!);
          expect(comments.join('\n'), `${basename(file)}:${line}`).to.match(
            /(knative|kubelet-probe)-facts\.md §\d/,
          );
        }
      }
    }
  });

  it('names inferred behaviour as (inferred) in the description', () => {
    for (const name of [
      'update-adds-bad-sidecar',
      'cold-start-sidecar-exec',
      'sidecar-exec-readiness-never-passes',
    ]) {
      expect(byName(name).description, name).to.match(/inferred/);
    }
  });

  it('marks the open upstream bug SHOULD and tags it', () => {
    const bug = byName('sidecar-named-port-or-portless-grpc');
    expect(bug.level).to.equal('SHOULD');
    expect(bug.tags).to.include('known-upstream-bug');
    expect(bug.cases.map((c) => c.id)).to.have.length(3);
  });

  it('renders and plans every case for both variants, with every probe bound computable', () => {
    let cases = 0;
    for (const scenario of scenarios) {
      for (const scenarioCase of scenario.cases) {
        const rendered = renderScenarioCase(scenario, scenarioCase, planContext(scenarioCase));
        if (!rendered.ok) throw new Error(rendered.issues.map(formatIssue).join('\n'));
        for (const variant of ['baseline', 'candidate']) {
          const plan = planCase(rendered.case, variant);
          expect(plan.steps.length, `${scenarioCase.id} ${variant}`).to.be.greaterThan(0);
          expect(plan.expectations.length, `${scenarioCase.id} ${variant}`).to.be.greaterThan(0);
          for (const e of plan.expectations)
            expect(e.note, `${scenarioCase.id} ${variant} ${e.name}`).to.equal(undefined);
        }
        cases++;
      }
    }
    expect(cases).to.equal(23);
  });

  it('expects the exact controller error of knative-facts.md §2.4 on baseline for every sidecar exec readiness probe', () => {
    const expected: Record<string, string> = {
      'sidecar-exec-readiness-immediate': 'sidecar',
      'sidecar-exec-readiness-file-gated': 'sidecar',
      'sidecar-exec-readiness-never-passes': 'sidecar',
      'sidecar-exec-probe-timeout': 'sidecar',
      'serving-and-sidecar-exec-readiness': 'sidecar',
      'sidecar-readiness-lost': 'sidecar',
      'two-sidecars-exec-and-http': 'sidecar-exec',
      'cold-start-sidecar-exec': 'sidecar',
    };
    for (const [name, sidecar] of Object.entries(expected)) {
      const scenario = byName(name);
      const scenarioCase = scenario.cases[0]!;
      const rendered = renderScenarioCase(scenario, scenarioCase, planContext(scenarioCase));
      if (!rendered.ok) throw new Error('render failed');
      const revision = `${caseServiceName(scenarioCase.id)}-00001`;
      const events = expectationsFor(rendered.case, 'baseline').filter((e) => 'event' in e);
      expect(
        events.map((e) => 'event' in e && e.event.message),
        name,
      ).to.deep.include(sidecarPortError(revision, sidecar));
    }
  });

  it('runs only commands the workload image has (images/workload: BusyBox applets and sh builtins)', async () => {
    const dockerfile = await readFile(`${root}images/workload/Dockerfile`, 'utf8');
    const applets = /for applet in ([^;]+);/.exec(dockerfile)?.[1]?.trim().split(/\s+/);
    expect(applets, 'the applet list in images/workload/Dockerfile').to.include('sh');
    const builtins = ['echo', 'trap', 'exit', 'while', 'do', 'done', 'true', ':', 'exec'];
    const programs = (command: readonly string[]): string[] => {
      if (command[0] !== 'sh' || command[1] !== '-c') return [command[0]!];
      return (command[2] ?? '')
        .split(/;|&&|\|\||\||\bdo\b|\bthen\b/)
        .map((segment) => segment.trim().split(/\s+/))
        .map((words) => (words[0] === 'exec' ? words[1] : words[0]) ?? '')
        .filter((word) => word !== '' && !builtins.includes(word) && !/^\w+=/.test(word));
    };
    for (const scenario of scenarios) {
      for (const scenarioCase of scenario.cases) {
        const rendered = renderScenarioCase(scenario, scenarioCase, planContext(scenarioCase));
        if (!rendered.ok) throw new Error('render failed');
        const commands: string[][] = [];
        for (const service of [rendered.case.service, ...rendered.case.serviceAfterStep]) {
          for (const c of service?.spec.template.spec.containers ?? []) {
            if (typeof c !== 'object') continue;
            if (c.command) commands.push(c.command);
            for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
              if (probe?.exec) commands.push(probe.exec.command);
            }
          }
        }
        for (const s of rendered.case.steps) if ('exec' in s.step) commands.push(s.step.exec.command);
        for (const command of commands) {
          for (const program of programs(command)) {
            expect(applets, `${scenarioCase.id}: ${JSON.stringify(command)}`).to.include(program);
          }
        }
      }
    }
  });

  it('keeps the example of docs/scenarios.md valid', async () => {
    const doc = await readFile(`${root}docs/scenarios.md`, 'utf8');
    const example = /## By example\n\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example, 'the example block').to.be.a('string');
    const result = parseScenario(example!, 'docs/scenarios.md');
    expect(result.ok ? [] : result.issues.map(formatIssue)).to.deep.equal([]);
    expect(result.ok && result.scenario.cases.map((c) => c.id)).to.deep.equal([
      'sidecar-exec-readiness-file-gated[timing=p1]',
      'sidecar-exec-readiness-file-gated[timing=p5]',
      'sidecar-exec-readiness-file-gated[timing=defaults]',
    ]);
  });

  it('expects the exact webhook denial of knative-facts.md §1.4 with multi-container-probing off', () => {
    const scenario = byName('sidecar-probe-mcp-disabled');
    const denials = scenario.cases.map((c) => {
      const rendered = renderScenarioCase(scenario, c, planContext(c));
      if (!rendered.ok) throw new Error('render failed');
      const rejected = expectationsFor(rendered.case, 'candidate').find((e) => 'rejected' in e);
      return [c.id, rejected && 'rejected' in rejected ? rejected.rejected : undefined];
    });
    expect(denials[0]).to.deep.equal([
      'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]',
      {
        action: { step: 'create' },
        webhook: 'validation.webhook.serving.knative.dev',
        message:
          'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe, spec.template.spec.containers[1].readinessProbe.successThreshold',
      },
    ]);
  });
});
