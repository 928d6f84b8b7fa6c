import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { classify, diffResults } from './diff.ts';
import { decideGate } from './gate.ts';
import { renderJUnit, testName } from './junit.ts';
import { renderSummary } from './summary.ts';
import {
  type Attempt,
  type AttemptStatus,
  type CaseResult,
  type CaseStatus,
  caseStatus,
  type Level,
  runExitCode,
} from './verdict.ts';

const attempt = (status: AttemptStatus, message?: string): Attempt => ({
  status,
  startedAt: '2026-11-27T04:00:00.000Z',
  durationMs: 1500,
  ...(message ? { message, details: `${message}\n  seen: Ready=Unknown/Deploying at +3.2s` } : {}),
});

const result = (
  id: string,
  statuses: AttemptStatus[],
  level: Level = 'MUST',
  variant = 'candidate',
  tags: string[] = [],
): CaseResult => ({
  id,
  scenario: id.split('[')[0] ?? id,
  title: id,
  variant,
  level,
  tags,
  parameters: {},
  attempts: statuses.map((s) =>
    attempt(s, s === 'passed' ? undefined : `${s}: Revision Ready never reached True <&>`),
  ),
});

/** Every combination the views must agree on. */
const fixed: CaseResult[] = [
  result('pass', ['passed']),
  result('fail', ['failed']),
  result('flaky', ['failed', 'passed']),
  result('broken', ['broken']),
  result('skipped', ['skipped']),
  result('known-bug', ['passed'], 'SHOULD', 'candidate', ['known-upstream-bug']),
  result('known-bug-fixed-upstream', ['failed'], 'SHOULD', 'candidate', ['known-upstream-bug']),
];

function junitOutcomes(xml: string): Map<string, CaseStatus> {
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  }).parse(xml);
  const out = new Map<string, CaseStatus>();
  for (const suite of doc.testsuites.testsuite) {
    for (const tc of suite.testcase) {
      const status: CaseStatus =
        'failure' in tc
          ? 'failed'
          : 'error' in tc
            ? 'broken'
            : 'skipped' in tc
              ? 'skipped'
              : 'flakyFailure' in tc
                ? 'flaky'
                : 'passed';
      out.set(tc['@_name'], status);
    }
  }
  return out;
}

describe('report views agree', () => {
  it('derives the case status from its attempts, never hiding a first failure', () => {
    expect(fixed.map(caseStatus)).to.deep.equal([
      'passed',
      'failed',
      'flaky',
      'broken',
      'skipped',
      'passed',
      'failed',
    ]);
    expect(caseStatus(result('retry-then-fail', ['failed', 'failed']))).to.equal('failed');
    expect(caseStatus(result('never-ran', []))).to.equal('skipped');
  });

  it('JUnit carries exactly the status of every case, with counts that add up', () => {
    const xml = renderJUnit(fixed);
    const outcomes = junitOutcomes(xml);
    for (const r of fixed) expect(outcomes.get(testName(r)), r.id).to.equal(caseStatus(r));
    expect(xml).to.match(/<testsuites name="kpc" tests="7" failures="2" errors="1" skipped="1">/);
    expect(xml).to.include('&lt;&amp;&gt;');
  });

  it('summary.md shows each case with the same status and the first failure message', () => {
    const md = renderSummary(fixed);
    expect(md).to.include('| candidate | 7 | 2 | 1 | 2 | 1 | 1 |');
    expect(md).to.match(
      /\| flaky \| MUST \| \*\*flaky\*\* \(passed on retry\) \| 3\.0s \| failed: Revision Ready never reached True <&> \|/,
    );
    expect(md).to.match(/\| known-bug \| SHOULD \| passed \| 1\.5s \| known upstream bug \|/);
  });

  it('the exit code fails exactly when a case failed or broke, in every combination', () => {
    for (const r of fixed) {
      const status = caseStatus(r);
      expect(runExitCode([r]), r.id).to.equal(status === 'failed' || status === 'broken' ? 1 : 0);
      const failingRows = junitOutcomes(renderJUnit([r]));
      expect([...failingRows.values()].some((s) => s === 'failed' || s === 'broken')).to.equal(
        runExitCode([r]) === 1,
      );
    }
  });
});

describe('gate policy', () => {
  it('opens only when every MUST case passed', () => {
    const gate = decideGate([
      result('a', ['passed']),
      result('b', ['failed'], 'SHOULD'),
      result('c', ['failed'], 'MAY'),
    ]);
    expect(gate).to.include({ open: true, exitCode: 0, mustCases: 1 });
    expect(gate.findings.map((f) => [f.id, f.effect])).to.deep.equal([
      ['candidate/b', 'warns'],
      ['candidate/c', 'noted'],
    ]);
  });

  it('is blocked by a MUST case that failed, broke, was skipped or passed only on retry', () => {
    for (const statuses of [['failed'], ['broken'], ['skipped'], ['failed', 'passed']] as AttemptStatus[][]) {
      const gate = decideGate([result('a', ['passed']), result('m', statuses)]);
      expect(gate.open, statuses.join(',')).to.equal(false);
      expect(gate.findings[0]).to.include({ id: 'candidate/m', effect: 'blocks' });
    }
  });

  it('is blocked when no MUST case ran at all', () => {
    expect(decideGate([result('s', ['passed'], 'SHOULD')])).to.include({
      open: false,
      reason: 'no MUST case was run',
    });
  });
});

describe('differential classification', () => {
  it('classifies every pair of outcomes', () => {
    const table: [CaseStatus | undefined, CaseStatus | undefined, string][] = [
      ['failed', 'passed', 'fixed'],
      ['passed', 'failed', 'regressed'],
      ['passed', 'passed', 'still-passing'],
      ['passed', 'flaky', 'still-passing'],
      ['failed', 'failed', 'still-failing'],
      [undefined, 'passed', 'new'],
      ['passed', undefined, 'removed'],
      ['broken', 'passed', 'inconclusive'],
      ['failed', 'skipped', 'inconclusive'],
    ];
    for (const [b, c, expected] of table) expect(classify(b, c), `${b} -> ${c}`).to.equal(expected);
  });

  it('pairs cases by id across variants', () => {
    const rows = diffResults(
      [result('x', ['failed'], 'MUST', 'baseline'), result('gone', ['passed'], 'MUST', 'baseline')],
      [result('x', ['passed']), result('added', ['passed'])],
    );
    expect(rows.map((r) => [r.id, r.class])).to.deep.equal([
      ['added', 'new'],
      ['gone', 'removed'],
      ['x', 'fixed'],
    ]);
  });
});
