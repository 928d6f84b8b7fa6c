import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { mcpDisabledDenial } from '../expect/fixtures.ts';
import { allureHistoryId } from './allure.ts';
import { writeAllureResults } from './allure-run.ts';
import { brokenMessage, fixtureProvenance, missingAttachment, writeFixtureRun } from './fixtures.ts';
import { findJava } from './html.ts';
import { testName } from './junit.ts';
import { type CaseResult, type CaseStatus, caseStatus, runExitCode } from './verdict.ts';
import { type ReportOutcome, writeRunReports } from './write-all.ts';

interface AllureStep {
  name: string;
  status: string;
  start: number;
  stop: number;
  statusDetails?: { message?: string };
  steps: AllureStep[];
}
interface AllureResult {
  name: string;
  status: string;
  historyId: string;
  statusDetails: { message?: string; trace?: string; flaky?: boolean };
  labels: { name: string; value: string }[];
  parameters: { name: string; value: string; excluded?: boolean }[];
  steps: AllureStep[];
  attachments: { name: string; source: string; type: string }[];
  start: number;
  stop: number;
}

const readJsonFiles = async <T>(dir: string, suffix: string): Promise<T[]> =>
  Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith(suffix))
      .map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as T),
  );

const attemptOf = (r: AllureResult) => r.parameters.find((p) => p.name === 'attempt')?.value ?? '';

/** Allure results per case, in attempt order. */
async function allureByCase(dir: string): Promise<Map<string, AllureResult[]>> {
  const byCase = new Map<string, AllureResult[]>();
  for (const r of await readJsonFiles<AllureResult>(dir, '-result.json')) {
    byCase.set(r.historyId, [...(byCase.get(r.historyId) ?? []), r]);
  }
  for (const list of byCase.values()) list.sort((a, b) => attemptOf(a).localeCompare(attemptOf(b)));
  return byCase;
}

/** The case status each view shows, read back from what it wrote. */
function junitStatuses(xml: string): Map<string, CaseStatus> {
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (n) => n === 'testsuite' || n === 'testcase',
  });
  const out = new Map<string, CaseStatus>();
  for (const suite of doc.parse(xml).testsuites.testsuite) {
    for (const tc of suite.testcase) {
      const found = (['failure', 'error', 'skipped', 'flakyFailure'] as const).find((k) => k in tc);
      const status = {
        failure: 'failed',
        error: 'broken',
        skipped: 'skipped',
        flakyFailure: 'flaky',
      } as const;
      out.set(tc['@_name'], found ? status[found] : 'passed');
    }
  }
  return out;
}

/** Allure's verdict for a case: its last attempt's status, `flaky` when Allure flags it so. */
function allureStatus(attempts: AllureResult[]): CaseStatus {
  const last = attempts.at(-1)!;
  return last.status === 'passed' && last.statusDetails.flaky ? 'flaky' : (last.status as CaseStatus);
}

describe('Allure results rendered from CaseResults', function () {
  this.timeout(90_000);
  let dir: string;
  let results: CaseResult[];
  let outcome: ReportOutcome;
  let allure: Map<string, AllureResult[]>;
  const find = (variant: string, id: string) => {
    const attempts = allure.get(allureHistoryId({ variant, id }));
    expect(attempts, `${variant}/${id} in allure-results`).to.not.equal(undefined);
    return attempts!;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-report-'));
    results = await writeFixtureRun(dir);
    const java = await findJava(process.env);
    if (!java.found) process.stderr.write(`      (no HTML report in these tests: ${java.reason})\n`);
    outcome = await writeRunReports(dir, results, fixtureProvenance(), { html: java.found });
    allure = await allureByCase(join(dir, 'allure-results'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('covers every combination: pass, fail, timing, flaky, skipped, known bug, broken, never ran', () => {
    expect(results.map((r) => `${r.variant}/${r.id}:${caseStatus(r)}`)).to.deep.equal([
      'candidate/sidecar-exec-readiness:passed',
      'candidate/probe-timing[period=1s]:failed',
      'baseline/sidecar-exec-readiness:failed',
      'candidate/flaky-readiness:flaky',
      'candidate/needs-feature:skipped',
      'baseline/known-bug:failed',
      'candidate/cluster-down:broken',
      'candidate/denied-apply:passed',
      'candidate/never-ran:skipped',
    ]);
  });

  it('writes one Allure result per attempt, each with its attempt’s own status', () => {
    expect([...allure.keys()].sort()).to.deep.equal(results.map(allureHistoryId).sort());
    for (const r of results) {
      const want = r.attempts.length ? r.attempts.map((a) => a.status) : ['skipped'];
      expect(
        find(r.variant, r.id).map((a) => a.status),
        `${r.variant}/${r.id}`,
      ).to.deep.equal(want);
    }
    const flaky = find('candidate', 'flaky-readiness');
    expect(flaky.map((a) => a.statusDetails.flaky)).to.deep.equal([true, true]);
    expect(flaky[0]!.statusDetails.message).to.match(/Ready was never True within 30s/);
  });

  it('agrees with the exit code, JUnit and summary.md for every case', async () => {
    const junit = junitStatuses(await readFile(join(dir, 'junit.xml'), 'utf8'));
    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    const shown: Record<CaseStatus, string> = {
      passed: '| passed |',
      flaky: '**flaky**',
      failed: '**FAILED**',
      broken: '**BROKEN**',
      skipped: '| skipped |',
    };
    for (const r of results) {
      const status = caseStatus(r);
      const where = `${r.variant}/${r.id}`;
      expect(allureStatus(find(r.variant, r.id)), where).to.equal(status);
      expect(junit.get(testName(r)), where).to.equal(status);
      const row = summary
        .split('\n')
        .find((l) => l.startsWith(`| ${r.title} |`) && l.includes(shown[status]));
      expect(row, `${where} in summary.md`).to.not.equal(undefined);
    }
    expect(outcome.exitCode).to.equal(runExitCode(results)).and.to.equal(1);
  });

  it('fails the mocha rendering exactly when the exit code fails, for each case alone', async () => {
    for (const r of results) {
      const single = await writeAllureResults([r], {
        resultsDir: dir,
        allureResultsDir: join(dir, 'single', r.variant, r.id.replace(/\W+/g, '-')),
      });
      expect(single.failures > 0 ? 1 : 0, `${r.variant}/${r.id}`).to.equal(runExitCode([r]));
    }
  });

  it('keeps a broken case broken even when its message mentions an assertion', () => {
    const [broken] = find('candidate', 'cluster-down');
    expect(broken).to.include({ status: 'broken' });
    expect(broken!.statusDetails.message).to.equal(brokenMessage);
  });

  it('labels each case for the suites, behaviours and filters, with a stable history id', () => {
    const [timing] = find('candidate', 'probe-timing[period=1s]');
    const labels = (name: string) => timing!.labels.filter((l) => l.name === name).map((l) => l.value);
    expect(timing!.historyId).to.equal('candidate/probe-timing[period=1s]');
    expect(labels('parentSuite')).to.deep.equal(['Kubernetes v1.37.0']);
    expect(labels('suite')).to.deep.equal(['candidate']);
    expect(labels('subSuite')).to.deep.equal(['probe-timing']);
    expect(labels('scenario')).to.deep.equal(['probe-timing']);
    expect(labels('variant')).to.deep.equal(['candidate']);
    expect(labels('level')).to.deep.equal(['MUST']);
    expect(labels('severity')).to.deep.equal(['blocker']);
    expect(labels('kubernetes')).to.deep.equal(['v1.37.0']);
    expect(labels('knative')).to.deep.equal(['v1.18.0']);
    expect(timing!.parameters).to.deep.include({ name: 'period', value: '1s' });
    expect(timing!.parameters).to.deep.include({ name: 'attempt', value: '1 of 1', excluded: true });
    const [known] = find('baseline', 'known-bug');
    expect(known!.labels).to.deep.include({ name: 'tag', value: 'known-upstream-bug' });
    expect(known!.labels).to.deep.include({ name: 'severity', value: 'normal' });
    expect(known!.labels).to.deep.include({ name: 'knative', value: 'v1.17.2' });
    expect(known!.statusDetails.message).to.match(/^\[known-upstream-bug\] Revision hello-00001/);
  });

  it('times each attempt with its recorded start and duration, and each step with the trace’s', () => {
    const r = results.find((x) => x.id === 'flaky-readiness')!;
    find('candidate', 'flaky-readiness').forEach((a, i) => {
      const start = Date.parse(r.attempts[i]!.startedAt);
      expect([a.start, a.stop]).to.deep.equal([start, start + r.attempts[i]!.durationMs]);
    });
    const [passing] = find('candidate', 'sidecar-exec-readiness');
    expect(passing!.steps.map((s) => [s.name, s.status])).to.deep.equal([
      ['apply-service: apply Service kpc-test/hello', 'passed'],
      [
        'touch-ready: exec Pod kpc-test/hello-00001-deployment-7d9c-abcde container sidecar → exit 0',
        'passed',
      ],
    ]);
    // The fixture trace starts at 2025-06-01T10:00:00Z; the apply is 100 ms in.
    expect(passing!.steps[0]!.stop).to.equal(Date.parse('2025-06-01T10:00:00.100Z'));
    const [denied] = find('candidate', 'denied-apply');
    expect(denied!.status).to.equal('passed');
    expect(denied!.steps[0]).to.include({
      name: 'apply-service: apply Service kpc-test/hello → error 400',
      status: 'failed',
    });
    expect(denied!.steps[0]!.statusDetails?.message).to.equal(mcpDisabledDenial);
  });

  it('attaches the trace, SVG timeline, manifests, and the diagnostic bundle of a failure', async () => {
    const [failed] = find('baseline', 'sidecar-exec-readiness');
    const types = Object.fromEntries(failed!.attachments.map((a) => [a.name, a.type]));
    expect(types).to.deep.equal({
      trace: 'text/plain',
      timeline: 'image/svg+xml',
      'service.yaml': 'text/yaml',
      'diagnostics/events.yaml': 'text/yaml',
      'diagnostics/logs/sidecar.log': 'text/plain',
    });
    const trace = failed!.attachments.find((a) => a.name === 'trace')!;
    expect(trace.source).to.match(/\.jsonl$/);
    const original = results.find((r) => r.variant === 'baseline' && r.id === 'sidecar-exec-readiness')!;
    expect(await readFile(join(dir, 'allure-results', trace.source), 'utf8')).to.equal(
      await readFile(join(dir, original.attempts[0]!.attachments!.trace!), 'utf8'),
    );
    const [passing] = find('candidate', 'sidecar-exec-readiness');
    expect(passing!.attachments.map((a) => a.name)).to.not.include('diagnostics/events.yaml');
    const [broken] = find('candidate', 'cluster-down');
    const missing = broken!.attachments.find((a) => a.name === `${missingAttachment.name} (missing)`)!;
    expect(await readFile(join(dir, 'allure-results', missing.source), 'utf8')).to.include(
      missingAttachment.path,
    );
  });

  it('shows an unreadable trace as a broken step, and keeps the attempt’s own status', async () => {
    await writeFile(join(dir, 'bad-trace.jsonl'), '{"v":2,"seq":1}\n');
    const r: CaseResult = {
      ...results[0]!,
      id: 'bad-trace',
      attempts: [{ ...results[0]!.attempts[0]!, attachments: { trace: 'bad-trace.jsonl' } }],
    };
    const out = join(dir, 'single', 'bad-trace');
    await writeAllureResults([r], { resultsDir: dir, allureResultsDir: out });
    const [written] = (await allureByCase(out)).get(allureHistoryId(r))!;
    expect(written!.status).to.equal('passed');
    expect(written!.steps.map((st) => st.status)).to.deep.equal(['broken']);
    expect(written!.steps[0]!.name).to.match(/^trace unreadable: .*bad-trace\.jsonl:1: /);
  });

  it('writes environment.properties and categories.json for the report', async () => {
    const env = await readFile(join(dir, 'allure-results', 'environment.properties'), 'utf8');
    expect(env).to.include('kpc.version=0.1.0').and.include('knative.baseline=v1.17.2');
    expect(env).to.include('node-image.kpc-candidate=kindest/node:v1.37.0@sha256:');
    const categories = JSON.parse(await readFile(join(dir, 'allure-results', 'categories.json'), 'utf8'));
    expect(categories.map((c: { name: string }) => c.name)).to.have.length(5);
  });

  describe('the HTML report (Allure 2, needs Java)', () => {
    let data: string;
    before(function () {
      if (outcome.html.status !== 'generated') {
        process.stderr.write(
          `      skipped: ${outcome.html.status === 'off' ? 'no Java' : outcome.html.message}\n`,
        );
        this.skip();
      }
      data = join(dir, 'allure-report', 'data');
    });

    it('holds every case with its status and its attachments', async () => {
      const cases = await readJsonFiles<{
        name: string;
        status: string;
        retry: boolean;
        flaky: boolean;
        labels: { name: string; value: string }[];
        /** Absent for a case that never ran. */
        testStage?: { attachments: { name: string; source: string }[] };
      }>(join(data, 'test-cases'), '.json');
      const latest = cases.filter((c) => !c.retry);
      const shown = latest.map((c) => {
        const variant = c.labels.find((l) => l.name === 'variant')!.value;
        return `${variant}/${c.name}:${c.status}${c.flaky ? ' flaky' : ''}`;
      });
      expect(shown.sort()).to.deep.equal(
        results
          .map((r) => {
            const s = caseStatus(r);
            return `${r.variant}/${r.title}:${s === 'flaky' ? 'passed flaky' : s}`;
          })
          .sort(),
      );
      expect(cases.filter((c) => c.retry).map((c) => `${c.name}:${c.status}`)).to.deep.equal([
        'flaky-readiness:failed',
      ]);
      const attachments = new Set(await readdir(join(data, 'attachments')));
      for (const c of cases) {
        for (const a of c.testStage?.attachments ?? [])
          expect(attachments.has(a.source), `${c.name}: ${a.name}`).to.equal(true);
      }
      const timeline = latest.find((c) => c.name === 'sidecar-exec-readiness' && c.status === 'failed')!;
      expect(timeline.testStage!.attachments.map((a) => a.name)).to.include.members(['trace', 'timeline']);
    });

    it('files each failure under exactly one kpc category', async () => {
      const tree = JSON.parse(await readFile(join(data, 'categories.json'), 'utf8')) as {
        children: { name: string; children: { name: string; children?: { name: string }[] }[] }[];
      };
      const names = (c: { name: string; children?: { name: string }[] }) =>
        c.children ? c.children.map((x) => x.name) : [c.name];
      const filed = Object.fromEntries(tree.children.map((g) => [g.name, g.children.flatMap(names).sort()]));
      expect(filed).to.deep.equal({
        'Known upstream bug: behaviour changed': ['known-bug'],
        'Infrastructure error (broken)': ['cluster-down'],
        'Timing bound missed': ['probe-timing[period=1s]'],
        'Expectation failure': ['sidecar-exec-readiness'],
        'Flaky (passed on retry)': ['flaky-readiness'],
      });
    });

    it('keeps Allure history, and the next run continues the trend from it', async () => {
      // Allure 2.46 keys its history by md5(testCaseId).md5(parameters not excluded); ours are stable.
      const md5 = (text: string) => createHash('md5').update(text).digest('hex');
      const history = JSON.parse(await readFile(join(dir, 'allure-history', 'history.json'), 'utf8'));
      expect(
        Object.keys(history)
          .map((k) => k.split('.')[0])
          .sort(),
      ).to.deep.equal(results.map((r) => md5(allureHistoryId(r))).sort());
      // The nightly's next run: a fresh results directory with only the cached history.
      const next = await mkdtemp(join(tmpdir(), 'kpc-report-next-'));
      try {
        await cp(join(dir, 'allure-history'), join(next, 'allure-history'), { recursive: true });
        const again = await writeRunReports(next, await writeFixtureRun(next), fixtureProvenance());
        expect(again.html.status).to.equal('generated');
        const trend = JSON.parse(
          await readFile(join(next, 'allure-report', 'history', 'history-trend.json'), 'utf8'),
        );
        expect(trend).to.have.length(2);
      } finally {
        await rm(next, { recursive: true, force: true });
      }
      const env = JSON.parse(
        await readFile(join(dir, 'allure-report', 'widgets', 'environment.json'), 'utf8'),
      );
      expect(env).to.deep.include({ name: 'kpc.version', values: ['0.1.0'] });
    });
  });
});
