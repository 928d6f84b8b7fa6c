/**
 * One attempt of one case on one variant: a fresh namespace, the recorder running for the whole
 * attempt, the steps, then the verdict judged over the complete trace. Artifacts land in `dir`:
 * trace.jsonl, timeline.svg, service.yaml, diagnostics/ (on failure).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { collectDiagnostics } from '../diagnostics/bundle.ts';
import { judge } from '../expect/judge.ts';
import { renderTimelineSvg } from '../expect/timeline-svg.ts';
import { formatVerdict } from '../expect/verdict.ts';
import { RUN_LABEL, SCENARIO_LABEL } from '../kube/labels.ts';
import { record, type WatchSource } from '../observe/recorder.ts';
import { fileLineSink, TraceWriter } from '../observe/trace-writer.ts';
import type { Attempt } from '../report/verdict.ts';
import { expectationsFor, type RenderedCase, stepsFor } from '../scenario/case.ts';
import { LiveTrace } from './live-trace.ts';
import { InfrastructureError, runSteps, type StepCluster } from './steps.ts';

export interface AttemptCluster extends StepCluster {
  createNamespace(name: string, labels: Record<string, string>): Promise<void>;
  deleteNamespace(name: string, options?: { wait?: boolean; timeoutMs?: number }): Promise<void>;
}

export interface AttemptOptions {
  cluster: AttemptCluster;
  /** What the recorder watches the namespace through (the run's shared watches). */
  watches: WatchSource;
  rendered: RenderedCase;
  variant: string;
  runId: string;
  /** Directory of this attempt's artifacts (created). */
  dir: string;
  /** Relative form of `dir` for result attachments. */
  relativeDir: string;
  ingressUrl?: string;
  versions?: Record<string, string>;
  /** Keep the namespace after the attempt (debugging). */
  keepNamespace?: boolean;
  signal: AbortSignal;
}

/** How long the recorder's watches may take to list before the attempt is called broken. */
const recorderReadyTimeoutMs = 60_000;

async function listedWithin(listed: Promise<void>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new InfrastructureError(`the recorder's watches did not list within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    onAbort = () => reject(new InfrastructureError('the run was interrupted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([listed, late]);
  } finally {
    clearTimeout(timer);
    // The run's signal outlives every attempt: a listener left on it would pile up over the run.
    signal.removeEventListener('abort', onAbort);
  }
}

/** Runs the attempt and returns its judged outcome; never throws for the case's own failures. */
export async function runAttempt(options: AttemptOptions): Promise<Attempt> {
  const { cluster, rendered, variant, dir, signal } = options;
  const namespace = rendered.context.namespace;
  const startedAt = Date.now();
  await mkdir(dir, { recursive: true });
  const attachments: Record<string, string> = {};
  const attach = (name: string, file: string) => {
    attachments[name] = join(options.relativeDir, file);
  };
  await writeFile(join(dir, 'service.yaml'), stringify(rendered.service));
  attach('service.yaml', 'service.yaml');

  const live = new LiveTrace(fileLineSink(join(dir, 'trace.jsonl')));
  const writer = new TraceWriter(live);
  attach('trace.jsonl', 'trace.jsonl');
  writer.header({
    scenario: rendered.scenario,
    case: rendered.id,
    variant,
    namespace,
    service: rendered.context.service,
    ...(options.versions ? { versions: options.versions } : {}),
  });
  const expectations = expectationsFor(rendered, variant);
  const recording = new AbortController();
  const stopRecording = AbortSignal.any([signal, recording.signal]);
  let recorder: Promise<unknown> = Promise.resolve();
  let infrastructure: string | undefined;
  let stepFailures: { step: string; message: string }[] = [];
  try {
    await cluster.createNamespace(namespace, {
      [RUN_LABEL]: options.runId,
      [SCENARIO_LABEL]: rendered.scenario,
    });
    let ready: () => void = () => {};
    const listed = new Promise<void>((resolve) => {
      ready = resolve;
    });
    recorder = record({
      source: options.watches,
      writer,
      namespace,
      signal: stopRecording,
      onReady: () => ready(),
    });
    // Every watch must have listed before the first write, or early states of new objects could be missed.
    await listedWithin(listed, recorderReadyTimeoutMs, signal);
    stepFailures = await runSteps(stepsFor(rendered, variant), {
      cluster,
      writer,
      rendered,
      expectations,
      timeline: () => live.timeline(),
      traceGrew: (s) => live.grew(s),
      ...(options.ingressUrl ? { ingressUrl: options.ingressUrl } : {}),
      diagnosticsDir: join(dir, 'diagnostics'),
      signal,
    });
  } catch (error) {
    infrastructure =
      error instanceof InfrastructureError ? error.message : `harness error: ${(error as Error).message}`;
    writer.note(`attempt stopped: ${infrastructure}`);
  } finally {
    recording.abort();
    await recorder;
  }

  const verdict = judge(expectations, live.timeline());
  const failed = !verdict.ok || stepFailures.length > 0;
  if ((failed || infrastructure) && !signal.aborted) {
    const bundle = await collectDiagnostics(cluster, {
      namespace,
      mentions: [rendered.context.service],
      outDir: join(dir, 'diagnostics'),
    });
    for (const file of bundle.files) attach(`diagnostics/${file}`, join('diagnostics', file));
  }
  writer.close();
  await writeFile(join(dir, 'timeline.svg'), renderTimelineSvg(live.timeline(), verdict));
  attach('timeline.svg', 'timeline.svg');
  // A namespace that will not go away is reported; the run's cleanup collects leftovers by label.
  const leftover = options.keepNamespace
    ? `namespace ${namespace} kept (--keep-namespaces)`
    : await cluster.deleteNamespace(namespace, { wait: true }).then(
        () => undefined,
        (error: Error) => `namespace ${namespace} was not deleted: ${error.message}`,
      );

  const firstFailure = verdict.results.find((r) => !r.ok);
  const details = [
    formatVerdict(verdict),
    ...stepFailures.map((f) => f.message),
    ...(leftover ? [leftover] : []),
  ].join('\n');
  const base = {
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    attachments,
  };
  if (signal.aborted)
    return { ...base, status: 'skipped', message: 'interrupted before the attempt finished', details };
  if (infrastructure) return { ...base, status: 'broken', message: infrastructure, details };
  if (failed) {
    const message = firstFailure
      ? `${firstFailure.name}: ${firstFailure.summary}`
      : (stepFailures[0]?.message ?? 'failed');
    return { ...base, status: 'failed', message, details };
  }
  return { ...base, status: 'passed', details };
}
