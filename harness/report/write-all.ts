/**
 * Writes every view of a run from one set of `CaseResult`s: results.json, run.json, junit.xml,
 * summary.md, allure-results/ and the HTML report. The Allure rendering is checked against the exit
 * code before anything is reported, so a disagreement is a loud bug, never a quiet wrong report.
 */
import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allureResultsDirName, writeAllureResults } from './allure-run.ts';
import { describeHtmlStatus, generateHtmlReport, type HtmlReportStatus } from './html.ts';
import { renderJUnit } from './junit.ts';
import {
  type Provenance,
  provenanceFileName,
  readProvenance,
  variantVersions,
  writeProvenance,
} from './provenance.ts';
import { readResults, writeResults } from './results-file.ts';
import { renderSummary } from './summary.ts';
import { type CaseResult, runExitCode } from './verdict.ts';

export const reportFiles = {
  junit: 'junit.xml',
  summary: 'summary.md',
  allureReport: 'allure-report',
  allureHistory: 'allure-history',
} as const;

export interface ReportOptions {
  /** Render the HTML report (needs Java); default true. */
  html?: boolean;
  /** Default `<dir>/allure-history`, the directory the nightly workflow caches. */
  historyDir?: string;
  /** A mocha reporter that prints while Allure results are written, e.g. 'spec'. */
  consoleReporter?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ReportOutcome {
  /** The run's exit code, from the same results every view was rendered from. */
  exitCode: 0 | 1;
  html: HtmlReportStatus | { status: 'off' };
  /** Provenance fields that looked like credentials and were redacted before writing. */
  redacted: string[];
  /** Every file or directory written, relative to the results directory. */
  written: string[];
}

/** The planned cases that have no result: said first, so a partial run never reads as a complete one. */
export function incompleteBanner(
  results: CaseResult[],
  provenance: Provenance | undefined,
): string | undefined {
  if (!provenance) return undefined;
  const missing = provenance.cases.planned - results.length;
  if (missing <= 0 && !provenance.interrupted) return undefined;
  return (
    `**INCOMPLETE RUN**: ${results.length} of ${provenance.cases.planned} planned cases have a result` +
    `${provenance.interrupted ? ` (interrupted: ${provenance.interrupted})` : ''}; ` +
    'cases that did not finish appear in no view.'
  );
}

/** Where the verdicts came from, for people; the full record is run.json. */
export function renderProvenanceSection(p: Provenance): string {
  const commit = p.kpc.commit
    ? `commit ${p.kpc.commit.slice(0, 12)}${p.kpc.dirty ? ' (modified)' : ''}`
    : (p.kpc.commitUnavailable ?? 'no commit');
  const span = p.endedAt
    ? `${p.startedAt} → ${p.endedAt} (${Math.round((Date.parse(p.endedAt) - Date.parse(p.startedAt)) / 60_000)} min)`
    : `started ${p.startedAt}`;
  const lines = ['', '## Run', '', `- kpc ${p.kpc.version}, ${commit}; ${span}`];
  for (const v of p.variants) {
    const versions = variantVersions(p, v.name);
    const cluster = p.clusters.find((c) => c.name === v.cluster || c.variants.includes(v.name));
    lines.push(
      `- ${v.name}: Knative ${versions.knative ?? '(not installed by kpc)'} on Kubernetes ${versions.kubernetes ?? '?'}` +
        `${cluster ? ` (${cluster.provider} cluster ${cluster.name}${cluster.nodeImage ? `, ${cluster.nodeImage}` : ''})` : ''}`,
    );
  }
  lines.push(
    `- ${p.scenarios.length} scenario files, their sha256 and every running image digest: ${provenanceFileName}`,
  );
  return `${lines.join('\n')}\n`;
}

function renderSummaryWithRun(results: CaseResult[], provenance: Provenance | undefined): string {
  const summary = renderSummary(results);
  const banner = incompleteBanner(results, provenance);
  const [title, ...rest] = summary.split('\n');
  const head = banner ? [title, '', banner, ...rest].join('\n') : summary;
  return provenance ? `${head}${renderProvenanceSection(provenance)}` : head;
}

/** The views derived from results (and run.json): everything but results.json and run.json themselves. */
async function renderViews(
  dir: string,
  results: CaseResult[],
  provenance: Provenance | undefined,
  options: ReportOptions,
): Promise<Omit<ReportOutcome, 'redacted'>> {
  const exitCode = runExitCode(results);
  await writeFile(join(dir, reportFiles.junit), renderJUnit(results));
  await writeFile(join(dir, reportFiles.summary), renderSummaryWithRun(results, provenance));
  const allure = await writeAllureResults(results, {
    resultsDir: dir,
    ...(provenance ? { provenance } : {}),
    ...(options.consoleReporter ? { consoleReporter: options.consoleReporter } : {}),
  });
  if ((allure.failures > 0 ? 1 : 0) !== exitCode) {
    throw new Error(
      `internal error: the Allure rendering counted ${allure.failures} failed cases but the run's exit code is ${exitCode}; ` +
        `${allure.allureResultsDir} does not match ${join(dir, 'results.json')} — please report this`,
    );
  }
  const written = [reportFiles.junit, reportFiles.summary, allureResultsDirName];
  if (options.html === false) return { exitCode, html: { status: 'off' }, written };
  const html = await generateHtmlReport({
    allureResultsDir: allure.allureResultsDir,
    reportDir: join(dir, reportFiles.allureReport),
    historyDir: options.historyDir ?? join(dir, reportFiles.allureHistory),
    name: 'kpc conformance',
    ...(options.env ? { env: options.env } : {}),
  });
  await appendFile(join(dir, reportFiles.summary), `\n${describeHtmlStatus(html)}\n`);
  if (html.status === 'generated') written.push(reportFiles.allureReport, reportFiles.allureHistory);
  return { exitCode, html, written };
}

/** Everything a finished (or interrupted) run leaves in its results directory. */
export async function writeRunReports(
  dir: string,
  results: CaseResult[],
  provenance?: Provenance,
  options: ReportOptions = {},
): Promise<ReportOutcome> {
  await mkdir(dir, { recursive: true });
  await writeResults(dir, results);
  const redacted = provenance ? (await writeProvenance(dir, provenance)).redacted : [];
  const views = await renderViews(dir, results, provenance, options);
  return {
    ...views,
    redacted,
    written: ['results.json', ...(provenance ? [provenanceFileName] : []), ...views.written],
  };
}

/** `kpc report`: the views again from an existing results directory (run.json is used when present). */
export async function regenerateReports(dir: string, options: ReportOptions = {}): Promise<ReportOutcome> {
  const results = await readResults(dir);
  const hasProvenance = await stat(join(dir, provenanceFileName)).then(
    () => true,
    () => false,
  );
  const provenance = hasProvenance ? await readProvenance(dir) : undefined;
  return { ...(await renderViews(dir, results, provenance, options)), redacted: [] };
}
