/**
 * A chai plugin exposing the judge to TypeScript tests:
 *
 *   import * as chai from 'chai';
 *   import { kpcChai } from 'kpc/harness/expect/chai.ts';
 *   chai.use(kpcChai);
 *   expect(timeline).to.meetExpectation({ never: { condition: { … } } });
 *   expect(lines).to.meetExpectations([…]);
 *
 * The subject is a Timeline or the trace's lines; expectations are checked against the scenario
 * schema first, and a failure's message is the judge's explanation.
 */
import type { TraceLine } from '../observe/trace.ts';
import { judge } from './judge.ts';
import { type Expectation, expectationSchema } from './schema.ts';
import { type Timeline, timelineOf } from './timeline.ts';
import { formatResult } from './verdict.ts';

export type TraceSubject = Timeline | readonly TraceLine[];

declare global {
  namespace Chai {
    interface Assertion {
      /** The trace satisfies the expectation (judged over the whole recording). */
      meetExpectation(expectation: Expectation): Assertion;
      /** The trace satisfies every expectation. */
      meetExpectations(expectations: readonly Expectation[]): Assertion;
    }
  }
}

const asTimeline = (subject: unknown): Timeline => {
  if (Array.isArray(subject)) return timelineOf(subject as TraceLine[]);
  if (typeof subject === 'object' && subject !== null && 'objects' in subject && 'actions' in subject) {
    return subject as Timeline;
  }
  throw new TypeError('expected a Timeline or an array of trace lines');
};

const parseAll = (expectations: readonly unknown[]): Expectation[] =>
  expectations.map((e) => expectationSchema.parse(e));

export const kpcChai: Chai.ChaiPlugin = (chai) => {
  const check = function (this: Chai.AssertionStatic, expectations: readonly unknown[]) {
    const timeline = asTimeline(this._obj);
    const verdict = judge(parseAll(expectations), timeline);
    const failed = verdict.results.filter((r) => !r.ok);
    const explain = (results: typeof verdict.results) =>
      results.map((r) => formatResult(r, timeline.start, { verbose: true })).join('\n');
    this.assert(
      failed.length === 0,
      `expected the trace to meet every expectation, but:\n${explain(failed)}`,
      `expected the trace not to meet the expectations, but it did:\n${explain(verdict.results)}`,
    );
  };
  chai.Assertion.addMethod('meetExpectation', function (this: Chai.AssertionStatic, expectation: unknown) {
    check.call(this, [expectation]);
  });
  chai.Assertion.addMethod(
    'meetExpectations',
    function (this: Chai.AssertionStatic, expectations: readonly unknown[]) {
      check.call(this, expectations);
    },
  );
};
