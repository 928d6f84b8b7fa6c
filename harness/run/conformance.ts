/**
 * A whole conformance run: per variant a cluster (kind, or an existing one), Knative installed for the
 * variant, the planned cases run and judged; then every view written from the same results. Variants
 * run side by side, each on its own cluster. Interrupting stops new work, lets running attempts end as
 * skipped, still writes the reports for what ran, and undoes what the run started.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { kpcVersion } from '../cli/version.ts';
import { execaRunner } from '../cluster/command.ts';
import { KindProvider } from '../cluster/kind-provider.ts';
import type { RunScope } from '../cluster/run-scope.ts';
import { workloadImagesDir } from '../config/images.ts';
import { nodeImageFor } from '../config/node-images.ts';
import { buildWorkloadImage, listWorkloadImages } from '../images/workload.ts';
import type { InstallRecord } from '../knative/install.ts';
import { manifestStore } from '../knative/paths.ts';
import type { Variant } from '../knative/variant.ts';
import { connectKube } from '../kube/kube.ts';
import type { ProbeLintInput } from '../probe-lint/input.ts';
import { lintProbes } from '../probe-lint/lint.ts';
import { describeHtmlStatus } from '../report/html.ts';
import type { ProgressEvent } from '../report/progress.ts';
import { type ClusterProvenance, collectProvenance } from '../report/provenance.ts';
import { type CaseResult, caseStatus } from '../report/verdict.ts';
import { type ReportOutcome, writeRunReports } from '../report/write-all.ts';
import { caseServiceName } from '../scenario/case.ts';
import type { Scenario } from '../scenario/load.ts';
import { renderScenarioCase } from '../scenario/load.ts';
import { planCases } from './plan.ts';
import { probeLintInputs } from './probe-lint-plan.ts';
import { runVariant } from './variant-run.ts';

/** Where a variant runs: a kind cluster kpc provisions, or a cluster given by kubeconfig. */
export type ClusterChoice =
  | { kind: 'kind'; kubernetes?: string }
  | { kind: 'existing'; kubeconfigPath: string; context?: string; ingressUrl?: string };

export interface VariantPlan {
  variant: Variant;
  cluster: ClusterChoice;
}

export interface ConformanceOptions {
  cwd: string;
  scenarios: Scenario[];
  variants: VariantPlan[];
  outDir: string;
  scope: RunScope;
  install: boolean;
  grep?: RegExp;
  repeat: number;
  retries: number;
  concurrency: number;
  /** Image name → reference, for `{{ images.<name> }}`; built from images/ for kind clusters when absent. */
  images?: Record<string, string>;
  /** The given images are public and pinned (`--public-images`): probe-lint pulls and runs them. */
  imagesPullable?: boolean;
  keepNamespaces?: boolean;
  /**
   * Mocha reporter printing while the Allure results are written (default none). Mocha reporters write
   * to process.stdout, around the CLI's io, so `kpc run` in-process (runKpc, e2e/) could not capture it.
   */
  consoleReporter?: string;
  /** Run each case's exec probes in their images locally before any cluster work (needs Docker). */
  probeLint?: boolean;
  log: (line: string) => void;
  onProgress?: (event: ProgressEvent) => void;
}

export interface VariantOutcome {
  variant: string;
  cluster?: { name: string; provider: string; nodeImage?: string; note: string };
  install?: InstallRecord;
  switches: { changed: string[]; confirmedAfterMs: number }[];
  /** The cluster-wide configurations its case groups ran under. */
  configs: { features: Record<string, string>; deployment: Record<string, string> }[];
  error?: string;
}

export interface ConformanceOutcome {
  results: CaseResult[];
  variants: VariantOutcome[];
  reports: ReportOutcome;
  exitCode: number;
  startedAt: string;
  endedAt: string;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceOutcome> {
  const started = new Date();
  const planned = options.variants.reduce(
    (n, plan) =>
      n +
      planCases(options.scenarios, plan.variant.name, {
        repeat: options.repeat,
        ...(options.grep ? { grep: options.grep } : {}),
      }).length,
    0,
  );
  options.onProgress?.({ type: 'plan', cases: planned });
  const { scope, log } = options;
  await mkdir(options.outDir, { recursive: true });
  const runner = execaRunner();
  const needsKind = options.variants.some((v) => v.cluster.kind === 'kind');
  const kind = needsKind
    ? new KindProvider({
        runner,
        stateDir: resolve(options.cwd, '.kpc/clusters'),
        logsDir: join(options.outDir, 'kind-logs'),
        runId: scope.runId,
        scope,
      })
    : undefined;

  let images = options.images;
  if (!images && needsKind) {
    images = {};
    for (const image of await listWorkloadImages(resolve(options.cwd, workloadImagesDir))) {
      log(`building workload image ${image.name}`);
      images[image.name] = (await buildWorkloadImage(image, { runner, signal: scope.signal })).ref;
    }
  }

  if (options.probeLint) {
    if (options.images && !options.imagesPullable) {
      log(
        'probe-lint skipped: the workload images were given (--image), not built here, so they may not be local',
      );
    } else {
      const problems = await lintCases(options, images ?? {});
      if (problems.length) throw new ProbeLintFailed(problems);
    }
  }

  const outcomes = await Promise.all(
    options.variants.map(async (plan): Promise<{ outcome: VariantOutcome; results: CaseResult[] }> => {
      const outcome: VariantOutcome = { variant: plan.variant.name, switches: [], configs: [] };
      const cases = planCases(options.scenarios, plan.variant.name, {
        repeat: options.repeat,
        ...(options.grep ? { grep: options.grep } : {}),
      });
      try {
        const target = await clusterFor(
          plan,
          kind,
          scope,
          Object.values(images ?? {}),
          log,
          options.onProgress,
        );
        outcome.cluster = target.describe;
        const kube = await connectKube({
          kubeconfigPath: target.kubeconfigPath,
          ...(target.context ? { context: target.context } : {}),
        });
        scope.defer(`close connection to ${plan.variant.name}`, () => kube.close());
        const run = await runVariant({
          variant: plan.variant,
          cluster: kube,
          cases,
          runId: scope.runId,
          outDir: options.outDir,
          images: images ?? {},
          knativeVersion: plan.variant.release,
          ...(options.install ? { install: { ...manifestStore(options.cwd), log } } : {}),
          ...(target.ingressUrl ? { ingressUrl: target.ingressUrl } : {}),
          versions: {
            kpc: kpcVersion(),
            knative: plan.variant.release,
            ...(target.kubernetes ? { kubernetes: target.kubernetes } : {}),
          },
          concurrency: options.concurrency,
          retries: options.retries,
          signal: scope.signal,
          ...(options.keepNamespaces ? { keepNamespaces: true } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
        if (run.install) outcome.install = run.install;
        outcome.switches = run.switches;
        outcome.configs = run.configs;
        return { outcome, results: run.results };
      } catch (error) {
        // The variant could not be set up: every case of it is broken, with the reason, not missing.
        outcome.error = error instanceof Error ? error.message : String(error);
        log(`variant ${plan.variant.name}: ${outcome.error}`);
        const now = new Date().toISOString();
        const results = cases.map(
          (c): CaseResult => ({
            id: c.id,
            scenario: c.scenario.name,
            title: c.id,
            variant: plan.variant.name,
            level: c.scenario.level,
            tags: [...c.scenario.tags],
            parameters: Object.fromEntries(
              Object.entries(c.scenarioCase.labels).map(([k, v]) => [k, String(v)]),
            ),
            attempts: [
              {
                status: scope.stopping ? 'skipped' : 'broken',
                message: `variant setup failed: ${outcome.error}`,
                startedAt: now,
                durationMs: 0,
              },
            ],
          }),
        );
        return { outcome, results };
      }
    }),
  );

  const results = outcomes.flatMap((o) => o.results);
  if (kind) await exportKindLogs(kind, outcomes, options.outDir, log);
  const ended = new Date();
  const variants = outcomes.map((o) => o.outcome);
  const provenance = await collectProvenance({
    kpcVersion: kpcVersion(),
    startedAt: started,
    endedAt: ended,
    clusters: clusterProvenance(variants, options.variants),
    variants: variants.map((v) => ({
      name: v.variant,
      ...(v.cluster ? { cluster: v.cluster.name } : {}),
      ...(v.install ? { install: v.install } : {}),
    })),
    scenarioFiles: options.scenarios.map((s) => resolve(options.cwd, s.file)),
    cases: { planned, reported: results.length },
    clusterConfigs: variants.flatMap((v) => v.configs),
    images: Object.entries(images ?? {}).map(([name, ref]) => ({ name, ref })),
    ...(scope.stopping ? { interrupted: String(scope.signal.reason ?? 'interrupted') } : {}),
  });
  const reports = await writeRunReports(
    options.outDir,
    results,
    provenance,
    options.consoleReporter ? { consoleReporter: options.consoleReporter } : {},
  );
  log(describeHtml(reports));
  return {
    results,
    variants,
    reports,
    exitCode: scope.stopping ? 130 : reports.exitCode,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
  };
}

/**
 * `kind export logs` of every kind cluster on which a case failed or broke, while the cluster still exists
 * (the run's cleanup deletes it afterwards): the node's kubelet and container logs, for the diagnosis.
 */
export async function exportKindLogs(
  kind: Pick<KindProvider, 'exportLogs'>,
  outcomes: { outcome: VariantOutcome; results: CaseResult[] }[],
  outDir: string,
  log: (line: string) => void,
): Promise<void> {
  for (const { outcome, results } of outcomes) {
    const cluster = outcome.cluster;
    if (cluster?.provider !== 'kind' || !results.some((r) => ['failed', 'broken'].includes(caseStatus(r))))
      continue;
    const dir = join(outDir, 'kind-logs', cluster.name);
    const exported = await kind
      .exportLogs(cluster.name, dir)
      .catch((error: Error) => ({ exported: false as const, reason: error.message }));
    log(
      exported.exported
        ? `node logs of ${cluster.name}: ${dir}`
        : `node logs of ${cluster.name} not exported: ${exported.reason}`,
    );
  }
}

function describeHtml(reports: ReportOutcome): string {
  return reports.html.status === 'off' ? 'HTML report: off' : describeHtmlStatus(reports.html);
}

/** One entry per cluster the run used, with the variants that ran on it. */
function clusterProvenance(variants: VariantOutcome[], plans: VariantPlan[]): ClusterProvenance[] {
  const byName = new Map<string, ClusterProvenance>();
  for (const v of variants) {
    if (!v.cluster) continue;
    const plan = plans.find((p) => p.variant.name === v.variant);
    const entry = byName.get(v.cluster.name) ?? {
      name: v.cluster.name,
      provider: v.cluster.provider === 'kind' ? 'kind' : 'existing',
      ...(v.cluster.nodeImage ? { nodeImage: v.cluster.nodeImage } : {}),
      ...(plan?.cluster.kind === 'kind' && plan.cluster.kubernetes
        ? { kubernetes: plan.cluster.kubernetes }
        : {}),
      variants: [],
    };
    entry.variants.push(v.variant);
    byName.set(v.cluster.name, entry);
  }
  return [...byName.values()];
}

/** Probe commands that cannot work as the scenario expects: found in seconds, before any cluster work. */
export class ProbeLintFailed extends Error {
  constructor(readonly problems: string[]) {
    super(
      `probe-lint found ${problems.length} problem(s); nothing was run (--skip-probe-lint to run anyway):\n${problems.join('\n')}`,
    );
    this.name = 'ProbeLintFailed';
  }
}

/** Lints every distinct container of every planned case once; returns the findings as lines. */
async function lintCases(options: ConformanceOptions, images: Record<string, string>): Promise<string[]> {
  const inputs = new Map<string, { input: ProbeLintInput; cases: string[] }>();
  for (const plan of options.variants) {
    for (const planned of planCases(options.scenarios, plan.variant.name, {
      repeat: 1,
      ...(options.grep ? { grep: options.grep } : {}),
    })) {
      const rendered = renderScenarioCase(planned.scenario, planned.scenarioCase, {
        service: caseServiceName(planned.scenarioCase.id),
        namespace: 'kpc-probe-lint',
        images,
      });
      if (!rendered.ok) continue;
      for (const input of probeLintInputs(rendered.case, plan.variant.name)) {
        const key = JSON.stringify(input);
        const entry = inputs.get(key) ?? { input, cases: [] };
        entry.cases.push(`${planned.id} [${plan.variant.name}]`);
        inputs.set(key, entry);
      }
    }
  }
  options.log(`probe-lint: ${inputs.size} container(s) to check`);
  const problems: string[] = [];
  for (const { input, cases } of inputs.values()) {
    options.scope.throwIfStopping();
    const report = await lintProbes(input, { scope: options.scope });
    for (const finding of report.findings)
      problems.push(
        `  ${cases[0]}${cases.length > 1 ? ` (+${cases.length - 1} more)` : ''}: ${finding.message}`,
      );
  }
  return problems;
}

interface ClusterTarget {
  kubeconfigPath: string;
  context?: string;
  ingressUrl?: string;
  kubernetes?: string;
  describe: VariantOutcome['cluster'];
}

async function clusterFor(
  plan: VariantPlan,
  kind: KindProvider | undefined,
  scope: RunScope,
  images: string[],
  log: (line: string) => void,
  progress?: (event: ProgressEvent) => void,
): Promise<ClusterTarget> {
  const choice = plan.cluster;
  if (choice.kind === 'existing') {
    return {
      kubeconfigPath: choice.kubeconfigPath,
      ...(choice.context ? { context: choice.context } : {}),
      ...(choice.ingressUrl ? { ingressUrl: choice.ingressUrl } : {}),
      describe: {
        name: choice.context ?? 'current context',
        provider: 'existing',
        note: `existing cluster from ${choice.kubeconfigPath}`,
      },
    };
  }
  if (!kind) throw new Error('kind provider not set up');
  const kubernetes = choice.kubernetes ? nodeImageFor(choice.kubernetes).minor : undefined;
  const name = `kpc-${plan.variant.name}`;
  progress?.({ type: 'cluster', name, phase: 'creating' });
  const info = await kind
    .create(
      { variant: plan.variant.name, ...(kubernetes ? { kubernetes } : {}) },
      { signal: scope.signal, onOutput: log },
    )
    .catch((error: Error) => {
      progress?.({ type: 'cluster', name, phase: 'failed', detail: error.message });
      throw error;
    });
  progress?.({
    type: 'cluster',
    name: info.name,
    phase: info.reused ? 'reused' : 'ready',
    detail: info.note,
  });
  if (info.created) {
    scope.defer(`kind cluster ${info.name}`, async () => void (await kind.destroy(info.name)), {
      keepable: true,
    });
  }
  if (images.length) await kind.loadImages(info.name, images, { signal: scope.signal });
  return {
    kubeconfigPath: info.kubeconfigPath,
    context: info.context,
    ...(info.ingress ? { ingressUrl: `http://${info.ingress.address}` } : {}),
    ...(kubernetes ? { kubernetes } : {}),
    describe: {
      name: info.name,
      provider: info.provider,
      ...(info.nodeImage ? { nodeImage: info.nodeImage } : {}),
      note: info.note,
    },
  };
}
