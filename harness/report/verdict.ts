/**
 * The one result model every view is rendered from (exit code, JUnit, Allure, summary.md, diff, gate),
 * so they cannot disagree.
 */

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** How one attempt of a case ended. */
export type AttemptStatus = 'passed' | 'failed' | 'broken' | 'skipped';

/**
 * The case's verdict over its attempts: `flaky` is a case that failed and then passed on a retry; it is
 * never shown as a plain pass. `broken` is an infrastructure error (the check could not be made), kept
 * apart from an expectation that failed.
 */
export type CaseStatus = AttemptStatus | 'flaky';

export interface Attempt {
  status: AttemptStatus;
  /** The first failing expectation or the error, one line. */
  message?: string;
  /** Every failed expectation's explanation, as `kpc verify` prints it. */
  details?: string;
  startedAt: string;
  durationMs: number;
  /** Files of this attempt (trace, timeline, manifests, diagnostics), relative to the results directory. */
  attachments?: Record<string, string>;
}

export interface CaseResult {
  /** Stable across variants and runs: `<scenario>` or `<scenario>[param=value,…]`. */
  id: string;
  scenario: string;
  title: string;
  variant: string;
  level: Level;
  tags: string[];
  /** Matrix values of this case. */
  parameters: Record<string, string>;
  attempts: Attempt[];
}

/** The name a case goes by in mocha, JUnit and `--grep`: id, variant, level and tags. */
export const caseTestName = (id: string, variant: string, level: string, tags: readonly string[]): string =>
  `${id} [${variant}] @${level}${tags.map((t) => ` @${t}`).join('')}`;

export function caseStatus(result: CaseResult): CaseStatus {
  const statuses = result.attempts.map((a) => a.status);
  const last = statuses.at(-1);
  if (!last) return 'skipped';
  if (last === 'passed')
    return statuses.length > 1 && statuses.some((s) => s === 'failed' || s === 'broken') ? 'flaky' : 'passed';
  return last;
}

/** The attempt that explains the status: the first failure (never hidden by a later pass), else the last. */
export function decidingAttempt(result: CaseResult): Attempt | undefined {
  return (
    result.attempts.find((a) => a.status === 'failed' || a.status === 'broken') ?? result.attempts.at(-1)
  );
}

export const knownUpstreamBug = 'known-upstream-bug';

/** A run fails when any case failed or could not be checked; flaky cases pass but are reported as flaky. */
export function runExitCode(results: CaseResult[]): 0 | 1 {
  return results.some((r) => ['failed', 'broken'].includes(caseStatus(r))) ? 1 : 0;
}

export function countByStatus(results: CaseResult[]): Record<CaseStatus, number> {
  const counts: Record<CaseStatus, number> = { passed: 0, flaky: 0, failed: 0, broken: 0, skipped: 0 };
  for (const r of results) counts[caseStatus(r)]++;
  return counts;
}
