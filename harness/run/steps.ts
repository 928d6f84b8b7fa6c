/**
 * Executes a rendered case's steps against a cluster. Every step leaves `action` lines (with the step's
 * id, so expectations can anchor on it) in the trace; the verdict is judged from the trace afterwards,
 * so a step only stops the case when going on would make no sense (the cluster could not be reached).
 */
import fastJsonPatch from 'fast-json-patch';
import { request } from 'undici';
import { collectDiagnostics, type DiagnosticsSource } from '../diagnostics/bundle.ts';
import { AnchorNotFound, findAction } from '../expect/anchors.ts';
import { parseDuration } from '../expect/duration.ts';
import { judge } from '../expect/judge.ts';
import type { Expectation } from '../expect/schema.ts';
import { matchesText } from '../expect/text-match.ts';
import type { Timeline } from '../expect/timeline.ts';
import { AdmissionDenied, KubeApiError } from '../kube/errors.ts';
import { abortableSleep } from '../kube/retry.ts';
import type { ExecResult, ExecTarget, KubernetesObject, ObjectRef } from '../kube/types.ts';
import type { ActionError, ActionTarget } from '../observe/trace.ts';
import { actionErrorOf, type TraceWriter } from '../observe/trace-writer.ts';
import type { RenderedCase, RenderedStep } from '../scenario/case.ts';
import type { Step } from '../scenario/step-schema.ts';

/** What steps need of the kube layer (`Kube` satisfies it). */
export interface StepCluster extends DiagnosticsSource {
  apply(obj: KubernetesObject, options?: { dryRun?: boolean }): Promise<KubernetesObject>;
  get(ref: ObjectRef): Promise<KubernetesObject | undefined>;
  delete(
    ref: ObjectRef,
    options?: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' },
  ): Promise<void>;
  waitForDeletion(ref: ObjectRef, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void>;
  exec(target: ExecTarget, command: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
}

export interface StepContext {
  cluster: StepCluster;
  writer: TraceWriter;
  rendered: RenderedCase;
  /** The expectations of this case on this variant (wait steps wait on them by name). */
  expectations: readonly Expectation[];
  /** The timeline of everything recorded so far, kept up to date by the recorder. */
  timeline: () => Timeline;
  /** Resolves when the trace has grown (a new line was written), for waits. */
  traceGrew: (signal: AbortSignal) => Promise<void>;
  /** Base URL of the cluster's ingress (e.g. http://127.0.0.1:31080), when there is one. */
  ingressUrl?: string;
  /** Where `collect` writes the diagnostic bundle. */
  diagnosticsDir: string;
  signal: AbortSignal;
}

/** A step could not do its job because the harness or the cluster failed, not the behaviour under test. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
}

/** A step's own check did not hold (an exec exit code, an HTTP answer); the case fails, the run goes on. */
export interface StepFailure {
  step: string;
  message: string;
}

const serviceRef = (rendered: RenderedCase): ObjectRef => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  namespace: rendered.context.namespace,
  name: rendered.context.service,
});

const targetOf = (
  rendered: RenderedCase,
  target?: { apiVersion: string; kind: string; name: string },
): ObjectRef => (target ? { ...target, namespace: rendered.context.namespace } : serviceRef(rendered));

/** Failures that say the cluster or the harness broke, rather than Knative answering. */
function isInfrastructure(error: unknown): boolean {
  if (error instanceof AdmissionDenied) return false;
  if (error instanceof KubeApiError) return error.code >= 500 || error.code === 0;
  return true;
}

/** Runs the steps in order; returns the failures of the steps' own checks. */
export async function runSteps(steps: readonly RenderedStep[], ctx: StepContext): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  for (const step of steps) {
    if (ctx.signal.aborted) throw new InfrastructureError('the run was interrupted');
    const failure = await runStep(step, ctx);
    if (failure) failures.push({ step: step.id, message: failure });
  }
  return failures;
}

async function runStep(rendered: RenderedStep, ctx: StepContext): Promise<string | undefined> {
  const { step: s, id } = rendered;
  if ('apply' in s) return applyStep(id, s.apply.manifest ?? ctx.rendered.service, ctx, false);
  if ('expectRejection' in s)
    return applyStep(id, s.expectRejection.manifest ?? ctx.rendered.service, ctx, true);
  if ('exec' in s) return execStep(id, s.exec, ctx);
  if ('patch' in s) return patchStep(id, s.patch, ctx);
  if ('delete' in s) return deleteStep(id, s.delete, ctx);
  if ('request' in s) return requestStep(id, s.request, ctx);
  if ('wait' in s) return waitStep(id, s.wait, ctx);
  if ('collect' in s) return collectStep(id, ctx);
  throw new InfrastructureError(`step ${id}: unknown step kind`);
}

type Detail = Record<string, unknown>;

/**
 * The action lines of one step's action: started now, written once it is known how it ended. Every
 * line carries the step id, so expectations can anchor on it.
 */
function actionOf(ctx: StepContext, action: string, step: string, target: ActionTarget) {
  const startedAt = Date.now();
  const write = (outcome: 'ok' | 'error', extra: { error?: ActionError; detail?: Detail }) =>
    ctx.writer.action({ action, step, target, outcome, startedAt, ...extra });
  return {
    ok: (detail?: Detail) => write('ok', detail ? { detail } : {}),
    failed: (error: ActionError, detail?: Detail) => write('error', { error, ...(detail ? { detail } : {}) }),
  };
}

function withCaseNamespace(manifest: KubernetesObject, rendered: RenderedCase): KubernetesObject {
  return { ...manifest, metadata: { ...manifest.metadata, namespace: rendered.context.namespace } };
}

async function applyStep(
  id: string,
  manifest: KubernetesObject,
  ctx: StepContext,
  expectDenial: boolean,
): Promise<string | undefined> {
  const object = withCaseNamespace(manifest, ctx.rendered);
  const target = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata?.namespace,
    name: object.metadata?.name,
  };
  const action = actionOf(ctx, 'apply', id, target);
  try {
    await ctx.cluster.apply(object);
    action.ok({ object });
    // An admission that should have been denied is judged by the step's `rejected` expectation.
    return undefined;
  } catch (error) {
    action.failed(actionErrorOf(error), { object });
    if (isInfrastructure(error))
      throw new InfrastructureError(`step ${id}: apply failed: ${(error as Error).message}`);
    return expectDenial ? undefined : `step ${id}: the apply was refused: ${(error as Error).message}`;
  }
}

/** Running pods of the Service's latest created revision, oldest first. */
async function revisionPods(ctx: StepContext): Promise<KubernetesObject[]> {
  const service = await ctx.cluster.get(serviceRef(ctx.rendered));
  const revision = (service?.status as { latestCreatedRevisionName?: string } | undefined)
    ?.latestCreatedRevisionName;
  if (!revision) return [];
  const pods = await ctx.cluster.list('v1', 'Pod', {
    namespace: ctx.rendered.context.namespace,
    labelSelector: `serving.knative.dev/revision=${revision}`,
  });
  return pods
    .filter(
      (p) =>
        (p.status as { phase?: string } | undefined)?.phase === 'Running' && !p.metadata?.deletionTimestamp,
    )
    .sort((a, b) =>
      String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)),
    );
}

type ExecSpec = Extract<Step, { exec: unknown }>['exec'];

async function execStep(id: string, spec: ExecSpec, ctx: StepContext): Promise<string | undefined> {
  const pods = await revisionPods(ctx);
  const chosen = spec.pods === 'newest' ? pods.slice(-1) : pods;
  const expected = Number(spec.expectExitCode ?? 0);
  if (!chosen.length) {
    const target = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: ctx.rendered.context.namespace,
      container: spec.container,
    };
    actionOf(ctx, 'exec', id, target).failed({ message: 'no running pod of the latest revision to exec in' });
    return `step ${id}: no running pod of the latest revision to exec in`;
  }
  const problems: string[] = [];
  for (const pod of chosen) {
    const target = {
      namespace: ctx.rendered.context.namespace,
      pod: pod.metadata?.name ?? '',
      container: spec.container,
    };
    const traceTarget = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: target.namespace,
      name: target.pod,
      container: target.container,
    };
    const action = actionOf(ctx, 'exec', id, traceTarget);
    try {
      const result = await ctx.cluster.exec(target, spec.command as string[], {
        timeoutMs: spec.timeout ? parseDuration(spec.timeout) : 30_000,
      });
      action.ok({ command: spec.command, ...result });
      if (result.exitCode !== expected) {
        problems.push(
          `exec in ${target.pod}/${target.container} exited ${result.exitCode}, expected ${expected}${result.stderr ? `: ${result.stderr.trim()}` : ''}`,
        );
      }
    } catch (error) {
      action.failed(actionErrorOf(error), { command: spec.command });
      problems.push(`exec in ${target.pod}/${target.container} failed: ${(error as Error).message}`);
    }
  }
  return problems.length ? `step ${id}: ${problems.join('; ')}` : undefined;
}

type PatchSpec = Extract<Step, { patch: unknown }>['patch'];

/** Patches are computed here and sent as a server-side apply of the whole object, so kpc stays the one field manager. */
async function patchStep(id: string, spec: PatchSpec, ctx: StepContext): Promise<string | undefined> {
  const ref = targetOf(ctx.rendered, spec.target);
  const action = actionOf(ctx, 'patch', id, ref);
  const current = await ctx.cluster.get(ref);
  if (!current) {
    action.failed({ code: 404, message: 'not found' });
    return `step ${id}: ${ref.kind} ${ref.name} does not exist`;
  }
  const base = {
    apiVersion: current.apiVersion,
    kind: current.kind,
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: current.metadata?.labels,
      annotations: current.metadata?.annotations,
    },
    spec: current.spec,
  };
  let patched: KubernetesObject;
  try {
    patched = spec.merge
      ? mergePatch(base, spec.merge)
      : fastJsonPatch.applyPatch(structuredClone(base), spec.json as fastJsonPatch.Operation[], true)
          .newDocument;
  } catch (error) {
    action.failed({ message: `patch does not apply: ${(error as Error).message}` });
    return `step ${id}: the patch does not apply to the current object: ${(error as Error).message}`;
  }
  try {
    await ctx.cluster.apply(patched);
    action.ok({ object: patched, ...(spec.merge ? { merge: spec.merge } : { json: spec.json }) });
    return undefined;
  } catch (error) {
    action.failed(actionErrorOf(error), { object: patched });
    if (isInfrastructure(error))
      throw new InfrastructureError(`step ${id}: patch failed: ${(error as Error).message}`);
    return `step ${id}: the patch was refused: ${(error as Error).message}`;
  }
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, anything else (lists too) replaces. */
export function mergePatch<T>(target: T, patch: unknown): T {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out as T;
}

type DeleteSpec = Extract<Step, { delete: unknown }>['delete'];

async function deleteStep(id: string, spec: DeleteSpec, ctx: StepContext): Promise<string | undefined> {
  const ref = targetOf(ctx.rendered, spec.target);
  const action = actionOf(ctx, 'delete', id, ref);
  try {
    await ctx.cluster.delete(ref, { propagationPolicy: 'Foreground' });
    if (spec.wait !== false) await ctx.cluster.waitForDeletion(ref, { signal: ctx.signal });
    action.ok();
    return undefined;
  } catch (error) {
    action.failed(actionErrorOf(error));
    throw new InfrastructureError(`step ${id}: delete failed: ${(error as Error).message}`);
  }
}

type RequestSpec = Extract<Step, { request: unknown }>['request'];

async function requestStep(id: string, spec: RequestSpec, ctx: StepContext): Promise<string | undefined> {
  if (!ctx.ingressUrl) {
    throw new InfrastructureError(
      `step ${id}: no ingress URL for this cluster (kind maps one; for an existing cluster pass --ingress-url)`,
    );
  }
  const service = await ctx.cluster.get(serviceRef(ctx.rendered));
  const url = (service?.status as { url?: string } | undefined)?.url;
  const host = url
    ? new URL(url).host
    : `${ctx.rendered.context.service}.${ctx.rendered.context.namespace}.kpc.test`;
  const target = { ...serviceRef(ctx.rendered) };
  const wanted = spec.expect?.status === undefined ? undefined : [spec.expect.status].flat();
  const acceptable = (status: number, body: string) =>
    (wanted ? wanted.includes(status) : status >= 200 && status < 300) &&
    (!spec.expect?.body || matchesText(spec.expect.body, body));
  const deadline = Date.now() + (spec.retry ? parseDuration(spec.retry.within) : 0);
  const interval = spec.retry?.interval ? parseDuration(spec.retry.interval) : 500;
  let attempts = 0;
  for (;;) {
    attempts++;
    const action = actionOf(ctx, 'request', id, target);
    let outcome: { status: number; body: string } | { error: string };
    try {
      // Not fetch(): it drops a `host` header (a forbidden name in the Fetch standard), which routes the request.
      const response = await request(new URL(spec.path ?? '/', ctx.ingressUrl), {
        method: spec.method ?? 'GET',
        headers: { ...spec.headers, host },
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        signal: AbortSignal.any([
          ctx.signal,
          AbortSignal.timeout(spec.timeout ? parseDuration(spec.timeout) : 10_000),
        ]),
      });
      outcome = { status: response.statusCode, body: await response.body.text() };
    } catch (error) {
      const e = error as Error & { code?: string; cause?: { code?: string } };
      outcome = { error: e.cause?.code ?? e.code ?? e.message };
    }
    const ok = 'status' in outcome && acceptable(outcome.status, outcome.body);
    const detail = { host, path: spec.path ?? '/', attempt: attempts };
    if ('status' in outcome)
      action.ok({ ...detail, status: outcome.status, body: outcome.body.slice(0, 2048) });
    else action.failed({ message: outcome.error }, detail);
    if (ok) return undefined;
    if (Date.now() + interval > deadline) {
      const last =
        'status' in outcome ? `HTTP ${outcome.status}: ${outcome.body.slice(0, 200)}` : outcome.error;
      return `step ${id}: no expected answer from ${host}${spec.path ?? '/'} after ${attempts} request(s); last: ${last}`;
    }
    await abortableSleep(interval, ctx.signal);
  }
}

type WaitSpec = Extract<Step, { wait: unknown }>['wait'];

/**
 * `for`: observe for a while (a window for `never`). `until`: wait until the named expectations hold
 * on what has been recorded so far. A wait that times out is noted and the case goes on: the final
 * judgement over the whole trace says what did not hold, with its evidence.
 */
async function waitStep(id: string, spec: WaitSpec, ctx: StepContext): Promise<string | undefined> {
  const action = actionOf(ctx, 'wait', id, {});
  if ('for' in spec) {
    await abortableSleep(parseDuration(spec.for), ctx.signal);
    action.ok({ for: spec.for });
    return undefined;
  }
  const startedAt = Date.now();
  const wanted = ctx.expectations.filter((e) => e.name !== undefined && spec.until.includes(e.name));
  const deadline = startedAt + parseDuration(spec.timeout);
  const pending = () => {
    const timeline = ctx.timeline();
    return judge(
      wanted.map((e) => soFar(e, timeline)),
      timeline,
    )
      .results.filter((r) => !r.ok)
      .map((r) => r.name);
  };
  let open = pending();
  while (open.length && Date.now() < deadline) {
    const timer = AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.max(1, deadline - Date.now()))]);
    // Re-judge when the trace grows, and at least every second so time-based windows can close.
    await Promise.race([ctx.traceGrew(timer), abortableSleep(1_000, timer).catch(() => undefined)]).catch(
      () => undefined,
    );
    if (ctx.signal.aborted) throw new InfrastructureError('the run was interrupted');
    open = pending();
  }
  const detail = { until: spec.until, timeout: spec.timeout };
  if (open.length)
    action.failed({ message: `timed out after ${spec.timeout} waiting for ${open.join(', ')}` }, detail);
  else action.ok(detail);
  return undefined;
}

/**
 * While waiting, a window that ends at an action not recorded yet (a later step's) is open up to what has
 * been recorded so far; otherwise `event: … during: { until: { step: touch } }` could never hold before
 * `touch` runs, and a wait on it would always time out.
 */
function soFar(e: Expectation, timeline: Timeline): Expectation {
  if (!('during' in e) || !e.during) return e;
  const { during } = e;
  const until = during.until;
  if (until === undefined || typeof until === 'string' || 'note' in until) return e;
  try {
    findAction(timeline, until);
    return e;
  } catch (error) {
    if (!(error instanceof AnchorNotFound)) throw error;
  }
  return { ...e, during: { ...during, until: 'end' } };
}

async function collectStep(id: string, ctx: StepContext): Promise<string | undefined> {
  const action = actionOf(ctx, 'collect', id, {});
  const manifest = await collectDiagnostics(ctx.cluster, {
    namespace: ctx.rendered.context.namespace,
    mentions: [ctx.rendered.context.service],
    outDir: ctx.diagnosticsDir,
  });
  action.ok({ ...manifest });
  return undefined;
}

export { serviceRef };
