import { escapeXml } from '../text/xml.ts';
import { type CaseResult, caseStatus, caseTestName, countByStatus, decidingAttempt } from './verdict.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const totalMs = (r: CaseResult) => r.attempts.reduce((sum, a) => sum + a.durationMs, 0);

/** The name CI annotations show; level and tags ride along so a failure is triaged at a glance. */
export const testName = (r: CaseResult) => caseTestName(r.title, r.variant, r.level, r.tags);

function testcase(r: CaseResult): string {
  const status = caseStatus(r);
  const deciding = decidingAttempt(r);
  const open = `    <testcase classname="${escapeXml(r.scenario)}" name="${escapeXml(testName(r))}" time="${seconds(totalMs(r))}"`;
  const message = escapeXml(deciding?.message ?? '');
  const details = escapeXml(deciding?.details ?? deciding?.message ?? '');
  switch (status) {
    case 'passed':
      return `${open}/>`;
    case 'failed':
      return `${open}>\n      <failure type="expectation" message="${message}">${details}</failure>\n    </testcase>`;
    case 'broken':
      return `${open}>\n      <error type="infrastructure" message="${message}">${details}</error>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${message}"/>\n    </testcase>`;
    case 'flaky':
      // Surefire's flakyFailure: the case passed on a retry, and the first failure stays visible.
      return `${open}>\n      <flakyFailure type="expectation" message="${message}">${details}</flakyFailure>\n    </testcase>`;
  }
}

/** JUnit XML, one testsuite per variant. */
export function renderJUnit(results: CaseResult[]): string {
  const variants = [...new Set(results.map((r) => r.variant))];
  const suite = (name: string, cases: CaseResult[]) => {
    const c = countByStatus(cases);
    const time = seconds(cases.reduce((s, r) => s + totalMs(r), 0));
    return [
      `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${c.failed}" errors="${c.broken}" skipped="${c.skipped}" time="${time}">`,
      ...cases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  };
  const all = countByStatus(results);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kpc" tests="${results.length}" failures="${all.failed}" errors="${all.broken}" skipped="${all.skipped}">`,
    ...variants.map((v) =>
      suite(
        v,
        results.filter((r) => r.variant === v),
      ),
    ),
    '</testsuites>',
    '',
  ].join('\n');
}
