/**
 * Runs every planned case on one variant's cluster: install (optional), then each group of cases that
 * share cluster-wide configuration, the configuration switched and confirmed between groups, cases of a
 * group concurrently up to a limit, each case retried up to `retries` times with every attempt kept.
 */
import { createHash } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { type InstallRecord, type InstallTarget, installKnative } from '../knative/install.ts';
import type { ManifestStoreOptions } from '../knative/manifests.ts';
import type { Variant } from '../knative/variant.ts';
import { SharedWatches, type WatchProvider } from '../kube/shared-watches.ts';
import type { WatchSource } from '../observe/recorder.ts';
import type { ProgressEvent } from '../report/progress.ts';
import { type Attempt, type CaseResult, caseStatus, decidingAttempt } from '../report/verdict.ts';
import { caseServiceName, type RenderedCase, requirementsFor } from '../scenario/case.ts';
import { formatIssue } from '../scenario/issues.ts';
import { renderScenarioCase, type Scenario } from '../scenario/load.ts';
import type { ScenarioCase } from '../scenario/matrix.ts';
import { satisfiesRange } from '../scenario/versions.ts';
import { type AttemptCluster, runAttempt } from './attempt.ts';
import { type FlagCluster, switchClusterConfig } from './flags.ts';
import { type ClusterConfig, groupByClusterConfig } from './schedule.ts';

export type VariantCluster = AttemptCluster & WatchProvider & InstallTarget & FlagCluster;

export interface PlannedCase {
  scenario: Scenario;
  scenarioCase: ScenarioCase;
  /** 1-based; ids of repeats after the first carry `#n`. */
  repeat: number;
  id: string;
}

export interface VariantRunOptions {
  variant: Variant;
  cluster: VariantCluster;
  cases: PlannedCase[];
  runId: string;
  outDir: string;
  images: Record<string, string>;
  /** The Knative release the cluster runs, for scenarios' `knative` ranges. */
  knativeVersion: string;
  install?: ManifestStoreOptions;
  ingressUrl?: string;
  versions: Record<string, string>;
  concurrency: number;
  retries: number;
  keepNamespaces?: boolean;
  signal: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface VariantRunResult {
  results: CaseResult[];
  install?: InstallRecord;
  switches: { changed: string[]; confirmedAfterMs: number }[];
  /** The cluster-wide configurations the case groups ran under, in order. */
  configs: ClusterConfig[];
}

/** Namespaces are per attempt (deletion is asynchronous) and must fit a DNS label with the Service name. */
export function attemptNamespace(runId: string, caseId: string, attempt: number): string {
  const hash = createHash('sha256').update(`${runId}/${caseId}/${attempt}`).digest('hex').slice(0, 8);
  return `kpc-${runId.slice(0, 12)}-${hash}`.toLowerCase();
}

/** A directory name for a case id: `sidecar-exec[period=1]#2` → `sidecar-exec_period=1_2`. */
export const caseSlug = (id: string): string => id.replace(/[^a-zA-Z0-9=.-]+/g, '_').replace(/_+$/, '');

function baseResult(planned: PlannedCase, variant: string): Omit<CaseResult, 'attempts'> {
  const { scenario, scenarioCase } = planned;
  return {
    id: planned.id,
    scenario: scenario.name,
    title: planned.id,
    variant,
    level: scenario.level,
    tags: [...scenario.tags],
    parameters: Object.fromEntries(Object.entries(scenarioCase.labels).map(([k, v]) => [k, String(v)])),
  };
}

const skipped = (message: string): Attempt => ({
  status: 'skipped',
  message,
  startedAt: new Date().toISOString(),
  durationMs: 0,
});

export async function runVariant(options: VariantRunOptions): Promise<VariantRunResult> {
  const { variant, cluster, signal } = options;
  // Each running attempt listens on the run's signal (the recorder-ready wait, `wait: { for }`), up to
  // two at a time; allow that without Node's leak warning, on top of what other variants allowed.
  setMaxListeners(getMaxListeners(signal) + 2 * Math.max(1, options.concurrency), signal);
  const out: VariantRunResult = { results: [], switches: [], configs: [] };
  const report = (result: CaseResult) => {
    out.results.push(result);
    const message = decidingAttempt(result)?.message;
    options.onProgress?.({
      type: 'case-finished',
      variant: variant.name,
      id: result.id,
      status: caseStatus(result),
      durationMs: result.attempts.reduce((sum, a) => sum + a.durationMs, 0),
      ...(message ? { message } : {}),
    });
  };

  if (options.install) {
    options.onProgress?.({
      type: 'install',
      variant: variant.name,
      phase: 'installing',
      detail: `Knative ${variant.release}`,
    });
    out.install = await installKnative(cluster, variant, options.install);
    options.onProgress?.({
      type: 'install',
      variant: variant.name,
      phase: 'ready',
      detail: `Knative ${out.install.serving}, Kourier ${out.install.kourier}`,
    });
  }

  // Render once with plan names to read each case's needs; cases the variant cannot run are skipped with the reason.
  const runnable: (PlannedCase & { needs: ClusterConfig })[] = [];
  for (const planned of options.cases) {
    const rendered = render(planned, options, 1);
    if (!rendered.ok) {
      report({
        ...baseResult(planned, variant.name),
        attempts: [{ ...skipped(rendered.message), status: 'broken' }],
      });
      continue;
    }
    const needs = requirementsFor(rendered.case, variant.name);
    const outOfRange = needs.knative.find((range) => !satisfiesRange(options.knativeVersion, range));
    if (outOfRange) {
      report({
        ...baseResult(planned, variant.name),
        attempts: [skipped(`needs Knative ${outOfRange}; this variant runs ${options.knativeVersion}`)],
      });
      continue;
    }
    runnable.push({
      ...planned,
      needs: { features: { ...needs.features }, deployment: { ...needs.deployment } },
    });
  }

  let current: ClusterConfig = { features: { ...variant.features }, deployment: { ...variant.deployment } };
  const limit = pLimit(Math.max(1, options.concurrency));
  // Every attempt's recorder shares one watch per kind: per-attempt watches swamp a busy run.
  const watches = new SharedWatches(cluster);
  try {
    for (const group of groupByClusterConfig(runnable)) {
      if (signal.aborted) break;
      const target: ClusterConfig = {
        features: { ...current.features, ...group.config.features },
        deployment: { ...current.deployment, ...group.config.deployment },
      };
      try {
        const switched = await switchClusterConfig(cluster, current, target, { signal });
        if (switched.changed.length) {
          out.switches.push(switched);
          options.onProgress?.({
            type: 'note',
            text: `${variant.name}: ${switched.changed.join(', ')} confirmed by Knative after ${switched.confirmedAfterMs} ms`,
          });
        }
        current = target;
        out.configs.push(structuredClone(target));
      } catch (error) {
        for (const planned of group.cases) {
          report({
            ...baseResult(planned, variant.name),
            attempts: [
              {
                ...skipped(`cluster configuration could not be switched: ${(error as Error).message}`),
                status: 'broken',
              },
            ],
          });
        }
        continue;
      }
      await Promise.all(
        group.cases.map((planned) => limit(() => runCase(planned, options, watches).then(report))),
      );
    }
  } finally {
    watches.close();
  }
  for (const planned of runnable) {
    if (!out.results.some((r) => r.id === planned.id))
      report({
        ...baseResult(planned, variant.name),
        attempts: [skipped('the run was interrupted before this case started')],
      });
  }
  out.results.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}

function render(
  planned: PlannedCase,
  options: VariantRunOptions,
  attempt: number,
): { ok: true; case: RenderedCase } | { ok: false; message: string } {
  const result = renderScenarioCase(planned.scenario, planned.scenarioCase, {
    service: caseServiceName(planned.scenarioCase.id),
    namespace: attemptNamespace(options.runId, `${options.variant.name}/${planned.id}`, attempt),
    images: options.images,
  });
  return result.ok ? result : { ok: false, message: result.issues.map(formatIssue).join('\n') };
}

async function runCase(
  planned: PlannedCase,
  options: VariantRunOptions,
  watches: WatchSource,
): Promise<CaseResult> {
  const attempts: Attempt[] = [];
  for (let n = 1; n <= 1 + options.retries; n++) {
    if (options.signal.aborted) break;
    options.onProgress?.({ type: 'case-started', variant: options.variant.name, id: planned.id, attempt: n });
    const rendered = render(planned, options, n);
    if (!rendered.ok) {
      attempts.push({ ...skipped(rendered.message), status: 'broken' });
      break;
    }
    const relativeDir = join('cases', options.variant.name, caseSlug(planned.id), `attempt-${n}`);
    const attempt = await runAttempt({
      cluster: options.cluster,
      watches,
      rendered: rendered.case,
      variant: options.variant.name,
      runId: options.runId,
      dir: join(options.outDir, relativeDir),
      relativeDir,
      versions: options.versions,
      signal: options.signal,
      ...(options.ingressUrl ? { ingressUrl: options.ingressUrl } : {}),
      ...(options.keepNamespaces ? { keepNamespace: true } : {}),
    });
    attempts.push(attempt);
    if (attempt.status === 'passed' || attempt.status === 'skipped') break;
  }
  if (!attempts.length) attempts.push(skipped('the run was interrupted before this case started'));
  return { ...baseResult(planned, options.variant.name), attempts };
}
