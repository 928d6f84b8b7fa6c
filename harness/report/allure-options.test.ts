import type { TestResult } from 'allure-js-commons';
import { expect } from 'chai';
import { applyVerdict } from './allure-options.ts';
import type { AttemptStatus, CaseResult } from './verdict.ts';

const result = (statuses: AttemptStatus[], tags: string[] = []): CaseResult => ({
  id: 'x',
  scenario: 'x',
  title: 'x',
  variant: 'candidate',
  level: 'MUST',
  tags,
  parameters: {},
  attempts: statuses.map((status, i) => ({
    status,
    startedAt: `2026-11-27T04:0${i}:00.000Z`,
    durationMs: 1_500,
    message: `${status} here`,
    details: `${status} in detail`,
  })),
});

/** What allure-mocha would have written, before the verdict is applied. */
const written = (): TestResult =>
  ({
    uuid: 'u',
    name: 'x',
    status: 'failed',
    statusDetails: { message: 'AssertionError', trace: 'at …' },
    start: 1,
    stop: 2,
    labels: [],
    links: [],
    parameters: [],
    steps: [],
    attachments: [],
  }) as unknown as TestResult;

describe('Allure result pinned to its attempt', () => {
  it('takes status, message, explanation and recorded times from the attempt', () => {
    const t = written();
    applyVerdict(t, result(['broken']), 0);
    expect(t).to.deep.include({
      status: 'broken',
      statusDetails: { message: 'broken here', trace: 'broken in detail' },
      start: Date.parse('2026-11-27T04:00:00.000Z'),
      stop: Date.parse('2026-11-27T04:00:01.500Z'),
    });
  });

  it('prefixes a failed known-upstream-bug case for its category, but not a broken one', () => {
    const failed = written();
    applyVerdict(failed, result(['failed'], ['known-upstream-bug']), 0);
    expect(failed.statusDetails.message).to.equal('[known-upstream-bug] failed here');
    const broken = written();
    applyVerdict(broken, result(['broken'], ['known-upstream-bug']), 0);
    expect(broken.statusDetails.message).to.equal('broken here');
  });

  it('flags both attempts of a flaky case, and a case that never ran as skipped', () => {
    const first = written();
    applyVerdict(first, result(['failed', 'passed']), 0);
    expect(first.statusDetails).to.deep.include({ flaky: true });
    const never = written();
    applyVerdict(never, result([]), undefined);
    expect(never).to.deep.include({
      status: 'skipped',
      statusDetails: { message: 'the case did not run: no attempt was recorded' },
    });
  });
});
