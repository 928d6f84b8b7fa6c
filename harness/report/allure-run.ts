/**
 * Turns judged `CaseResult`s into Allure results by running mocha with allure-mocha over tests
 * generated from them: one test per case, one mocha retry per further attempt. Nothing is executed
 * against a cluster here; the tests replay verdicts that were already made, so Allure shows exactly
 * what results.json holds.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import AllureMochaReporter from 'allure-mocha';
import Mocha from 'mocha';
import { type CaseVersions, reportAttempt, settleAttempt } from './allure.ts';
import { allureReporterOptions } from './allure-options.ts';
import { testName } from './junit.ts';
import { type Provenance, variantVersions } from './provenance.ts';
import type { CaseResult } from './verdict.ts';

export const allureResultsDirName = 'allure-results';

/**
 * Adds one mocha suite per variant and one test per case under `parent`. Usable from a mocha spec
 * file too (`defineCaseTests(this.suite ?? …)`), with allure-mocha as the reporter and
 * `allureReporterOptions` for its options.
 */
export function defineCaseTests(
  parent: Mocha.Suite,
  results: CaseResult[],
  options: { resultsDir: string; versionsOf?: (variant: string) => CaseVersions },
): void {
  for (const variant of [...new Set(results.map((r) => r.variant))]) {
    const suite = Mocha.Suite.create(parent, variant);
    for (const result of results.filter((r) => r.variant === variant)) {
      // The name JUnit and --grep use; Allure shows the plain title (reportAttempt sets it).
      const test = new Mocha.Test(testName(result), async function (this: Mocha.Context) {
        // currentRetry() is public at run time; @types/mocha marks it protected.
        const index = (this.test as unknown as { currentRetry(): number } | undefined)?.currentRetry() ?? 0;
        await reportAttempt({
          result,
          attempt: index,
          resultsDir: options.resultsDir,
          ...(options.versionsOf ? { versions: options.versionsOf(variant) } : {}),
        });
        settleAttempt(this, result, index);
      });
      // allure-mocha derives package and full name from the file; without one it stops the run
      // (an exception inside its test-end handler leaves mocha waiting forever).
      test.file = join(variant, result.scenario);
      suite.addTest(test);
      // After addTest, which copies the suite's retries onto the test.
      test.retries(Math.max(0, result.attempts.length - 1));
    }
  }
}

export interface AllureRunOptions {
  /** The run's results directory; attachment paths are relative to it. */
  resultsDir: string;
  /** Default `<resultsDir>/allure-results`; emptied first, so it holds this rendering only. */
  allureResultsDir?: string;
  provenance?: Provenance;
  /** A mocha reporter that also prints, e.g. 'spec' during `kpc run`; none by default. */
  consoleReporter?: string;
}

export interface AllureRunOutcome {
  allureResultsDir: string;
  /** Mocha's failure count: cases whose final attempt failed or broke. */
  failures: number;
}

export async function writeAllureResults(
  results: CaseResult[],
  options: AllureRunOptions,
): Promise<AllureRunOutcome> {
  const allureResultsDir = options.allureResultsDir ?? join(options.resultsDir, allureResultsDirName);
  await rm(allureResultsDir, { recursive: true, force: true });
  await mkdir(allureResultsDir, { recursive: true });
  const { provenance } = options;
  const mocha = new Mocha({
    reporter: AllureMochaReporter as unknown as Mocha.ReporterConstructor,
    reporterOptions: allureReporterOptions({
      allureResultsDir,
      results,
      ...(provenance ? { provenance } : {}),
      ...(options.consoleReporter ? { extraReporters: options.consoleReporter } : {}),
    }),
    // Replaying verdicts copies files; no cluster time is spent here.
    timeout: 0,
  });
  defineCaseTests(mocha.suite, results, {
    resultsDir: options.resultsDir,
    ...(provenance ? { versionsOf: (variant: string) => variantVersions(provenance, variant) } : {}),
  });
  const failures = await new Promise<number>((done) => mocha.run(done));
  mocha.dispose();
  return { allureResultsDir, failures };
}
