import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { RunScope } from '../../cluster/run-scope.ts';
import { publicWorkloadImages } from '../../config/images.ts';
import {
  defaultVariantReleases,
  type KnativeVersion,
  knativeReleases,
  knativeVersion,
} from '../../config/knative-releases.ts';
import { loadImageSet } from '../../images/image-set.ts';
import type { Variant } from '../../knative/variant.ts';
import { Progress, type ProgressStream } from '../../report/progress.ts';
import { countByStatus } from '../../report/verdict.ts';
import {
  type ClusterChoice,
  type ConformanceOptions,
  type ConformanceOutcome,
  ProbeLintFailed,
  runConformance,
  type VariantPlan,
} from '../../run/conformance.ts';
import { scenarioFiles } from '../../scenario/files.ts';
import { formatIssue, loadScenarios } from '../../scenario/index.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

export interface RunFlags {
  kubeconfig?: string[];
  context?: string;
  ingressUrl?: string[];
  install: boolean;
  variant: string[];
  baseline: string;
  candidate: string;
  candidateRelease: string;
  kubernetes?: string;
  scenarios?: string[];
  grep?: string;
  repeat: number;
  retries: number;
  concurrency: number;
  image?: string[];
  publicImages?: boolean;
  keep?: boolean;
  keepNamespaces?: boolean;
  skipProbeLint?: boolean;
  out: string;
}

const positiveInt =
  (name: string, min = 1) =>
  (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };

/** `name=value` pairs; a value without `name=` applies to every name (`fallback`). */
function pairs(values: readonly string[] | undefined, flag: string, fallback?: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq > 0 && !value.slice(0, eq).includes('/')) out.set(value.slice(0, eq), value.slice(eq + 1));
    else if (fallback !== undefined) out.set(fallback, value);
    else throw new CliError(`kpc run: ${flag} ${value}: expected name=value`);
  }
  return out;
}

function release(version: string, flag: string): KnativeVersion {
  try {
    return knativeVersion(version);
  } catch (error) {
    throw new CliError(`kpc run: ${flag}: ${(error as Error).message}`);
  }
}

/** baseline = a release without the fix; candidate = a release with it, or patched images on a release's manifests. */
async function variantFor(name: string, flags: RunFlags, cwd: string): Promise<Variant> {
  const plain = { name, images: {}, features: {}, deployment: {} };
  if (name === 'baseline') return { ...plain, release: release(flags.baseline, '--baseline') };
  if (name !== 'candidate') throw new CliError(`kpc run: unknown variant ${name} (baseline or candidate)`);
  if (flags.candidate in knativeReleases)
    return { ...plain, release: release(flags.candidate, '--candidate') };
  const path = resolve(cwd, flags.candidate);
  if (!existsSync(path)) {
    throw new CliError(
      `kpc run: --candidate ${flags.candidate} is neither a known release (${Object.keys(knativeReleases).join(', ')}) nor an image-set file`,
    );
  }
  const set = await loadImageSet(path).catch((error: Error) => {
    throw new CliError(`kpc run: ${error.message}`);
  });
  return {
    ...plain,
    release: release(flags.candidateRelease, '--candidate-release'),
    images: set.components,
  };
}

export function runCommand(io: CliIo): Command {
  return new Command('run')
    .description(
      'provision clusters, install Knative variants, run the scenario catalogue and write the report',
    )
    .option(
      '--kubeconfig <[variant=]path...>',
      'use existing clusters instead of creating kind clusters (per variant, or one for all)',
    )
    .option('--context <name>', 'kubeconfig context to use')
    .option(
      '--ingress-url <[variant=]url...>',
      'where the ingress of an existing cluster answers, for request steps (per variant, or one for all)',
    )
    .option('--no-install', 'do not install Knative; the cluster already has it')
    .option('--variant <name...>', 'variants to run', ['baseline', 'candidate'])
    .option('--baseline <release>', 'Knative release of the baseline', defaultVariantReleases.baseline)
    .option(
      '--candidate <release|image-set>',
      'a Knative release, or an image-set file from `kpc images build`',
      defaultVariantReleases.candidate,
    )
    .option(
      '--candidate-release <release>',
      'release manifests an image-set candidate is installed on',
      'v1.23.0',
    )
    .option('--kubernetes <minor>', 'Kubernetes minor of the kind node image (e.g. 1.36)')
    .option('--scenarios <path...>', 'scenario files or directories', ['scenarios'])
    .option('--grep <regexp>', 'only cases whose name, variant, @LEVEL or @tag matches')
    .option('--repeat <n>', 'run every case n times (flake hunting)', positiveInt('--repeat'), 1)
    .option(
      '--retries <n>',
      'retry a failed case up to n times; every attempt is kept',
      positiveInt('--retries', 0),
      0,
    )
    .option('--concurrency <n>', 'cases run at once per cluster', positiveInt('--concurrency'), 4)
    .option(
      '--image <name=ref...>',
      'workload image references (default: built from images/ and loaded into kind)',
    )
    .addOption(
      new Option(
        '--public-images',
        'use the public workload images pinned by digest (BusyBox from Docker Hub) instead of building images/',
      ).conflicts('image'),
    )
    .option('--keep', 'keep clusters after the run')
    .option('--keep-namespaces', "keep each case's namespace for debugging")
    .option('--skip-probe-lint', 'do not lint probe commands in their images before the run')
    .option('--out <dir>', 'results directory', 'out')
    .action(
      action(async (flags: RunFlags) => {
        const outcome = await executeRun(await prepareRun(flags, io.cwd), io);
        return outcome.exitCode === 0 ? ExitCode.ok : outcome.exitCode;
      }),
    );
}

/** What `kpc run` was asked to do, checked and loaded: everything but the run itself. */
export type RunRequest = Omit<ConformanceOptions, 'scope' | 'log' | 'onProgress'> & { keep: boolean };

/** Loads the scenarios and resolves variants, clusters and images from the flags; throws CliError on bad input. */
export async function prepareRun(flags: RunFlags, cwd: string): Promise<RunRequest> {
  const loaded = await loadScenarios(
    await scenarioFiles(cwd, flags.scenarios ?? []).catch((error: Error) => {
      throw new CliError(`kpc run: ${error.message}`);
    }),
    cwd,
  );
  if (loaded.issues.length) {
    throw new CliError(
      `${loaded.issues.map(formatIssue).join('\n')}\nkpc run: ${loaded.issues.length} problem(s) in the scenarios; nothing was run`,
    );
  }
  let grep: RegExp | undefined;
  try {
    grep = flags.grep ? new RegExp(flags.grep) : undefined;
  } catch (error) {
    throw new CliError(`kpc run: --grep: ${(error as Error).message}`);
  }
  const kubeconfigs = pairs(flags.kubeconfig, '--kubeconfig', '*');
  const ingressUrls = pairs(flags.ingressUrl, '--ingress-url', '*');
  const plans: VariantPlan[] = [];
  for (const name of flags.variant) {
    const kubeconfig = kubeconfigs.get(name) ?? kubeconfigs.get('*');
    const ingressUrl = ingressUrls.get(name) ?? ingressUrls.get('*');
    const cluster: ClusterChoice = kubeconfig
      ? {
          kind: 'existing',
          kubeconfigPath: resolve(cwd, kubeconfig),
          ...(flags.context ? { context: flags.context } : {}),
          ...(ingressUrl ? { ingressUrl } : {}),
        }
      : { kind: 'kind', ...(flags.kubernetes ? { kubernetes: flags.kubernetes } : {}) };
    plans.push({ variant: await variantFor(name, flags, cwd), cluster });
  }
  const shared = kubeconfigs.get('*');
  if (shared && plans.length > 1 && flags.install) {
    throw new CliError(
      'kpc run: one --kubeconfig for several variants would install them over each other; give one per variant (--kubeconfig baseline=a --kubeconfig candidate=b) or pick one --variant',
    );
  }
  const images = flags.publicImages
    ? { ...publicWorkloadImages }
    : flags.image
      ? Object.fromEntries(pairs(flags.image, '--image'))
      : undefined;
  if (!images && plans.some((p) => p.cluster.kind === 'existing')) {
    throw new CliError(
      'kpc run: an existing cluster needs --public-images or --image workload=<ref> (kpc builds and loads images only into kind clusters)',
    );
  }
  return {
    cwd,
    scenarios: loaded.scenarios,
    variants: plans,
    outDir: resolve(cwd, flags.out),
    install: flags.install,
    repeat: flags.repeat,
    retries: flags.retries,
    concurrency: flags.concurrency,
    keepNamespaces: Boolean(flags.keepNamespaces),
    probeLint: !flags.skipProbeLint,
    keep: Boolean(flags.keep),
    ...(grep ? { grep } : {}),
    ...(images ? { images } : {}),
    ...(flags.publicImages ? { imagesPullable: true } : {}),
  };
}

/**
 * Runs a prepared request with live progress on stderr: Ctrl-C ends running attempts as skipped and
 * still writes the reports, a second one exits at once; whatever the run started is undone at the end.
 */
export async function executeRun(request: RunRequest, io: CliIo): Promise<ConformanceOutcome> {
  const progress = new Progress(io.stderr as ProgressStream);
  const log = (text: string) => progress.update({ type: 'note', text });
  const { keep, ...options } = request;
  const scope = new RunScope({ keep, log });
  const onSignal = (signal: NodeJS.Signals) => {
    if (scope.stopping) process.exit(130);
    progress.update({
      type: 'interrupted',
      reason: `${signal}: finishing running attempts as skipped, writing the report, cleaning up (again to exit now)`,
    });
    scope.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await runConformance({
      ...options,
      scope,
      log,
      onProgress: (event) => progress.update(event),
    });
    progress.finish();
    const counts = countByStatus(outcome.results);
    io.stdout.write(
      `${outcome.results.length} cases: ${counts.passed} passed, ${counts.flaky} flaky, ${counts.failed} failed, ${counts.broken} broken, ${counts.skipped} skipped\n` +
        `results: ${options.outDir}\n`,
    );
    return outcome;
  } catch (error) {
    if (error instanceof ProbeLintFailed) throw new CliError(`kpc run: ${error.message}`);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const cleanup = await scope.close();
    for (const f of cleanup.failed) io.stderr.write(`kpc: cleanup of ${f.name} failed: ${f.error}\n`);
    for (const k of cleanup.kept) io.stderr.write(`kpc: kept ${k}\n`);
  }
}
