/**
 * Reports one attempt of a `CaseResult` to Allure from inside a running mocha test, through
 * allure-js-commons' runtime API: labels, parameters, the verdict's explanation, the recorded steps
 * and the attempt's files. The test's status is then settled from the same attempt (`settleAttempt`),
 * and `verdictListener` (allure-options.ts) pins Allure's status and times to it.
 */
import { AssertionError } from 'node:assert';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import * as allure from 'allure-js-commons';
import { ContentType, type Label, Severity } from 'allure-js-commons';
import { getGlobalTestRuntime, MessageTestRuntime } from 'allure-js-commons/sdk/runtime';
import { readTrace } from '../observe/trace.ts';
import { type ReportStep, stepsFromTrace } from './allure-steps.ts';
import type { Attempt, CaseResult, Level } from './verdict.ts';

export interface CaseVersions {
  kubernetes?: string;
  knative?: string;
}

export interface AttemptReport {
  result: CaseResult;
  /** 0-based index into `result.attempts`. */
  attempt: number;
  /** The run's results directory; attachment paths are relative to it. */
  resultsDir: string;
  /** Versions of the variant's cluster, shown as labels. */
  versions?: CaseVersions;
}

/** Stable across runs, so Allure's history and trends follow a case from one nightly to the next. */
export const allureHistoryId = (r: Pick<CaseResult, 'variant' | 'id'>): string => `${r.variant}/${r.id}`;

/** MUST blocks the release gate, SHOULD warns, MAY is reported only (docs/gate.md). */
export const severityOf: Record<Level, Severity> = {
  MUST: Severity.BLOCKER,
  SHOULD: Severity.NORMAL,
  MAY: Severity.MINOR,
};

/** The parameter that tells attempts of one case apart (excluded from the history id). */
export const attemptParameter = 'attempt';
export const formatAttempt = (index: number, total: number): string => `${index + 1} of ${total}`;
export function parseAttempt(value: string): number | undefined {
  const m = /^(\d+) of \d+$/.exec(value);
  return m ? Number(m[1]) - 1 : undefined;
}

/** How Allure shows a file: by its extension (there is no ContentType.YAML; Allure 2 knows 'text/yaml'). */
export function attachmentType(path: string): { contentType: string; fileExtension: string } {
  const ext = extname(path).slice(1).toLowerCase();
  const types: Record<string, string> = {
    // JSON Lines is not one JSON document; Allure shows it as text.
    jsonl: ContentType.TEXT,
    json: ContentType.JSON,
    svg: ContentType.SVG,
    yaml: 'text/yaml',
    yml: 'text/yaml',
    log: ContentType.TEXT,
    txt: ContentType.TEXT,
    xml: ContentType.XML,
    html: ContentType.HTML,
    png: ContentType.PNG,
  };
  return { contentType: types[ext] ?? 'application/octet-stream', fileExtension: ext || 'bin' };
}

export function caseLabels(result: CaseResult, versions: CaseVersions = {}): Label[] {
  const labels: Label[] = [
    { name: 'parentSuite', value: versions.kubernetes ? `Kubernetes ${versions.kubernetes}` : 'kpc' },
    { name: 'suite', value: result.variant },
    { name: 'subSuite', value: result.scenario },
    { name: 'epic', value: 'Knative Serving conformance' },
    { name: 'feature', value: result.scenario },
    { name: 'scenario', value: result.scenario },
    { name: 'variant', value: result.variant },
    { name: 'level', value: result.level },
    { name: 'severity', value: severityOf[result.level] },
    ...result.tags.map((value) => ({ name: 'tag', value })),
  ];
  if (versions.kubernetes) labels.push({ name: 'kubernetes', value: versions.kubernetes });
  if (versions.knative) labels.push({ name: 'knative', value: versions.knative });
  return labels;
}

export async function reportAttempt(report: AttemptReport): Promise<void> {
  const { result, resultsDir } = report;
  const attempt = result.attempts[report.attempt];
  await allure.displayName(result.title);
  await allure.labels(...caseLabels(result, report.versions));
  await allure.historyId(allureHistoryId(result));
  await allure.testCaseId(allureHistoryId(result));
  for (const [name, value] of Object.entries(result.parameters)) await allure.parameter(name, value);
  if (!attempt) return;
  await allure.parameter(attemptParameter, formatAttempt(report.attempt, result.attempts.length), {
    excluded: true,
  });
  if (attempt.details) await allure.description(`\`\`\`\n${attempt.details}\n\`\`\``);
  // Steps with recorded times and unwrapped attachments need the runtime's messages; allure-mocha's
  // runtime is one. Any other runtime is the no-op one: no Allure reporter is listening.
  const runtime = getGlobalTestRuntime();
  if (!(runtime instanceof MessageTestRuntime)) return;
  const files = await attachmentFiles(resultsDir, attempt);
  const trace = files.find((f) => f.path.endsWith('.jsonl'));
  if (trace) for (const step of await traceSteps(trace.path)) await sendStep(runtime, step);
  for (const f of files) {
    if (f.missing) {
      const note = `${relative(resultsDir, f.path)} is listed for this attempt but is not in the results directory`;
      await attach(runtime, `${f.name} (missing)`, { content: note }, ContentType.TEXT, 'txt');
    } else {
      const { contentType, fileExtension } = attachmentType(f.path);
      await attach(runtime, f.name, { path: f.path }, contentType, fileExtension);
    }
  }
}

/**
 * On the test itself, not wrapped in a step as the allure.attachment*() facade does: the steps are
 * the recorded actions, and the files belong to the whole attempt.
 */
async function attach(
  runtime: MessageTestRuntime,
  name: string,
  source: { path: string } | { content: string },
  contentType: string,
  fileExtension: string,
): Promise<void> {
  const common = { name, contentType, fileExtension, wrapInStep: false };
  await runtime.sendMessage(
    'path' in source
      ? { type: 'attachment_path', data: { ...common, path: source.path } }
      : { type: 'attachment_content', data: { ...common, content: source.content, encoding: 'utf8' } },
  );
}

interface AttemptFile {
  name: string;
  path: string;
  missing?: boolean;
}

/** The attempt's files; a directory (the diagnostic bundle) contributes every file in it. */
async function attachmentFiles(resultsDir: string, attempt: Attempt): Promise<AttemptFile[]> {
  const files: AttemptFile[] = [];
  for (const [name, rel] of Object.entries(attempt.attachments ?? {})) {
    const path = resolve(resultsDir, rel);
    const info = await stat(path).catch(() => undefined);
    if (!info) files.push({ name, path, missing: true });
    else if (!info.isDirectory()) files.push({ name, path });
    else {
      const inside = await readdir(path, { recursive: true, withFileTypes: true });
      for (const entry of inside.filter((e) => e.isFile())) {
        const file = join(entry.parentPath, entry.name);
        files.push({ name: `${name}/${relative(path, file)}`, path: file });
      }
    }
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/** The trace's steps; a trace that cannot be read is one broken step saying why, not a lost attempt. */
async function traceSteps(tracePath: string): Promise<ReportStep[]> {
  try {
    return await stepsFromTrace(readTrace(tracePath));
  } catch (error) {
    const now = Date.now();
    return [
      {
        name: `trace unreadable: ${(error as Error).message}`,
        start: now,
        stop: now,
        status: 'broken',
        children: [],
      },
    ];
  }
}

/** step_start/step_stop carry the recorded times, which allure.step() would replace with now. */
async function sendStep(runtime: MessageTestRuntime, step: ReportStep): Promise<void> {
  await runtime.sendMessage({ type: 'step_start', data: { name: step.name, start: step.start } });
  for (const child of step.children) await sendStep(runtime, child);
  await runtime.sendMessage({
    type: 'step_stop',
    data: {
      stop: step.stop,
      status: step.status as allure.Status,
      ...(step.message ? { statusDetails: { message: step.message } } : {}),
    },
  });
}

/** A broken attempt: the check could not be made. Not an AssertionError, so Allure files it as broken. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
}

/**
 * Ends the mocha test the way the attempt ended: pass, AssertionError (failed), InfrastructureError
 * (broken) or skip. An earlier attempt that the runner repeated always throws, so mocha retries
 * into the next one; its own status reaches Allure through `verdictListener`.
 */
export function settleAttempt(ctx: Mocha.Context, result: CaseResult, index: number): void {
  const attempt = result.attempts[index];
  if (!attempt) ctx.skip();
  const last = index === result.attempts.length - 1;
  const explain = (error: Error) => {
    // The verdict's explanation says more than a stack through the report code.
    error.stack = `${error.name}: ${attempt.details ?? attempt.message ?? attempt.status}`;
    return error;
  };
  const message = attempt.message ?? `attempt ${index + 1} ${attempt.status}`;
  if (attempt.status === 'failed') throw explain(new AssertionError({ message }));
  if (attempt.status === 'broken') throw explain(new InfrastructureError(message));
  if (!last) throw new Error(`attempt ${index + 1} ${attempt.status}; the runner ran the case again`);
  if (attempt.status === 'skipped') ctx.skip();
}
