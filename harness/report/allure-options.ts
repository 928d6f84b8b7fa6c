/**
 * What the runner passes to allure-mocha: where results go, environment.properties, categories, and a
 * listener that pins every Allure result to the `CaseResult` attempt it stands for — status, message,
 * recorded start and stop, the flaky flag, the known-bug prefix — so Allure cannot drift from the exit code,
 * JUnit and summary.md whatever mocha or allure-js-commons would infer from a thrown error.
 */
import type { Status, StatusDetails, TestResult } from 'allure-js-commons';
import type { Category, EnvironmentInfo } from 'allure-js-commons/sdk';
import type { LifecycleListener, ReporterConfig } from 'allure-js-commons/sdk/reporter';
import { allureHistoryId, attemptParameter, parseAttempt } from './allure.ts';
import { type Provenance, variantVersions } from './provenance.ts';
import { type CaseResult, caseStatus, knownUpstreamBug } from './verdict.ts';

/** Allure 2 reads `flaky` from statusDetails though allure-js-commons' type does not list it. */
type Allure2StatusDetails = StatusDetails & { flaky?: boolean };

/** Prefix of the Allure message of a failed known-upstream-bug case; its category matches on it. */
export const knownBugPrefix = `[${knownUpstreamBug}] `;

/** Wordings of the judge (harness/expect/judge.ts) for a transition outside its probe-derived bound. */
const timingWords = String.raw`(later than the bound|earlier than the probe allows|\(bound: by |after the deadline)`;
const notKnown = String.raw`(?!\[known-upstream-bug\])`;

/**
 * Allure 2 gives a result every category it matches (Java regex over the whole message), and the
 * default "Product defects"/"Test defects" only to results matching none; the regexes below are
 * mutually exclusive, so each failure is filed exactly once.
 */
export const kpcCategories: Category[] = [
  {
    // Such a case encodes the buggy behaviour as its expectation (docs/gate.md), so it failing means
    // upstream changed: fixed, or broken differently. Either way the scenario needs a look.
    name: 'Known upstream bug: behaviour changed',
    description: `A case tagged ${knownUpstreamBug} expects the buggy behaviour; it no longer sees it.`,
    matchedStatuses: ['failed'] as Status[],
    messageRegex: String.raw`(?s)\[known-upstream-bug\].*`,
  },
  {
    name: 'Infrastructure error (broken)',
    description: 'The check could not be made: cluster, install, API server or harness error.',
    matchedStatuses: ['broken'] as Status[],
  },
  {
    name: 'Timing bound missed',
    description: 'A transition happened, but outside the bound derived from the probe spec.',
    matchedStatuses: ['failed'] as Status[],
    messageRegex: `(?s)${notKnown}.*${timingWords}.*`,
  },
  {
    name: 'Expectation failure',
    description: 'What Kubernetes and Knative reported does not meet the scenario’s expectation.',
    matchedStatuses: ['failed'] as Status[],
    messageRegex: `(?s)${notKnown}(?!.*${timingWords}).*`,
  },
  {
    name: 'Flaky (passed on retry)',
    description: 'Failed, then passed on a retry; the first failure stays visible under Retries.',
    flaky: true,
  },
];

/** Sets an Allure result from the attempt it reports (`index` undefined: the case has no attempt). */
export function applyVerdict(t: TestResult, result: CaseResult, index: number | undefined): void {
  const attempt = index === undefined ? undefined : result.attempts[index];
  const details: Allure2StatusDetails = {};
  if (!attempt) {
    t.status = 'skipped' as Status;
    details.message = 'the case did not run: no attempt was recorded';
  } else {
    t.status = attempt.status as Status;
    // A broken known-bug case says nothing about upstream's behaviour: it stays an infrastructure error.
    const changed = attempt.status === 'failed' && result.tags.includes(knownUpstreamBug);
    if (attempt.message) details.message = `${changed ? knownBugPrefix : ''}${attempt.message}`;
    if (attempt.details) details.trace = attempt.details;
    if (caseStatus(result) === 'flaky') details.flaky = true;
    const start = Date.parse(attempt.startedAt);
    if (Number.isFinite(start)) {
      t.start = start;
      t.stop = start + attempt.durationMs;
    }
  }
  t.statusDetails = details;
}

export function verdictListener(results: CaseResult[]): LifecycleListener {
  const byHistoryId = new Map(results.map((r) => [allureHistoryId(r), r]));
  return {
    beforeTestResultWrite(t) {
      const result = t.historyId ? byHistoryId.get(t.historyId) : undefined;
      if (!result) return;
      const attempt = t.parameters.find((p) => p.name === attemptParameter);
      applyVerdict(t, result, attempt ? parseAttempt(attempt.value) : undefined);
    },
  };
}

/** environment.properties: what every case of the run shares, and each variant's versions. */
export function environmentInfo(p: Provenance): EnvironmentInfo {
  const env: EnvironmentInfo = {
    'kpc.version': p.kpc.version,
    'kpc.commit': p.kpc.commit
      ? `${p.kpc.commit}${p.kpc.dirty ? ' (modified)' : ''}`
      : p.kpc.commitUnavailable,
    node: p.host.node,
  };
  for (const [name, tool] of Object.entries(p.tools)) env[name] = tool.version ?? tool.problem;
  for (const c of p.clusters) if (c.nodeImage) env[`node-image.${c.name}`] = c.nodeImage;
  for (const v of p.variants) {
    const versions = variantVersions(p, v.name);
    env[`kubernetes.${v.name}`] = versions.kubernetes;
    env[`knative.${v.name}`] = versions.knative ?? 'not installed by kpc';
  }
  if (p.interrupted) env.interrupted = p.interrupted;
  return env;
}

export type AllureReporterOptions = ReporterConfig & {
  resultsDir: string;
  /** Reporters that still print to the console (allure-mocha prints nothing itself). */
  extraReporters?: string | string[];
};

export function allureReporterOptions(input: {
  allureResultsDir: string;
  results: CaseResult[];
  provenance?: Provenance;
  extraReporters?: string | string[];
}): AllureReporterOptions {
  return {
    resultsDir: input.allureResultsDir,
    ...(input.extraReporters ? { extraReporters: input.extraReporters } : {}),
    ...(input.provenance ? { environmentInfo: environmentInfo(input.provenance) } : {}),
    categories: kpcCategories,
    listeners: [verdictListener(input.results)],
  };
}
