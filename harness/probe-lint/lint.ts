import { randomBytes } from 'node:crypto';
import { GenericContainer, getContainerRuntimeClient } from 'testcontainers';
import { issueLines } from '../cluster/issues.ts';
import { runLabels } from '../cluster/labels.ts';
import type { RunScope } from '../cluster/run-scope.ts';
import { dockerExecutor } from './exec.ts';
import { type ProbeLintInput, probeLintInputSchema } from './input.ts';
import { type CheckpointResult, defaultSettle, type Finding, judge, runCheckpoints } from './judge.ts';

export interface ProbeLintReport {
  image: string;
  container: string;
  /** No findings: every step ran and every probe did what each checkpoint expects. */
  ok: boolean;
  checkpoints: CheckpointResult[];
  findings: Finding[];
  durationMs: number;
}

export interface ProbeLintOptions {
  /** Labels the container `kpc.knative.dev/run=<runId>`; default: the scope's id, else a fresh one. */
  runId?: string;
  /** Removes the container if the run is interrupted mid-lint. */
  scope?: RunScope;
  startupTimeoutMs?: number;
  stepTimeoutMs?: number;
  /** How long a probe that must pass is probed again before it "never passes" (default 30 s). */
  settleTimeoutMs?: number;
}

/**
 * Starts the container locally (the image must be present or pullable) and runs its exec probes at the
 * scenario's checkpoints, judging them as the kubelet would: seconds instead of a cluster run to find
 * a missing program, a wrong path or a probe that can never pass.
 */
export async function lintProbes(
  input: ProbeLintInput,
  options: ProbeLintOptions = {},
): Promise<ProbeLintReport> {
  const parsed = probeLintInputSchema.safeParse(input);
  if (!parsed.success)
    throw new Error(`probe-lint input is invalid:\n  ${issueLines(parsed.error).join('\n  ')}`);
  const plan = parsed.data;
  const started = performance.now();
  const runId = options.runId ?? options.scope?.runId ?? `probe-lint-${randomBytes(3).toString('hex')}`;
  options.scope?.throwIfStopping();

  let definition = new GenericContainer(plan.image)
    .withLabels(runLabels(runId, 'probe-lint'))
    .withEnvironment(plan.env ?? {})
    .withStartupTimeout(options.startupTimeoutMs ?? 30_000);
  // Kubernetes: `command` replaces the entrypoint (and the image CMD with it), `args` replace CMD.
  // An emptyDir is empty and writable by the pod's user: a world-writable tmpfs is the nearest local form.
  if (plan.emptyDirs?.length) {
    definition = definition.withTmpFs(
      Object.fromEntries(plan.emptyDirs.map((path) => [path, 'rw,mode=1777'])),
    );
  }
  if (plan.command) definition = definition.withEntrypoint(plan.command);
  if (plan.args) definition = definition.withCommand(plan.args);
  const container = await definition.start();
  const stop = async () => {
    await container.stop({ remove: true, removeVolumes: true });
  };
  options.scope?.defer(`probe-lint container ${plan.container}`, stop);
  try {
    const client = await getContainerRuntimeClient();
    const checkpoints = await runCheckpoints(
      plan,
      dockerExecutor(client, container.getId()),
      options.stepTimeoutMs,
      {
        ...defaultSettle,
        ...(options.settleTimeoutMs !== undefined ? { timeoutMs: options.settleTimeoutMs } : {}),
      },
    );
    const findings = judge(plan, checkpoints);
    return {
      image: plan.image,
      container: plan.container,
      ok: findings.length === 0,
      checkpoints,
      findings,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await stop().catch(() => {});
  }
}

/** The report as lines for a terminal: one per checkpoint, then the findings. */
export function formatProbeLintReport(report: ProbeLintReport): string {
  const lines = [
    `probe-lint ${report.container} (${report.image}): ${report.ok ? 'ok' : 'FAILED'} in ${report.durationMs} ms`,
  ];
  for (const checkpoint of report.checkpoints) {
    const probes = checkpoint.probes
      .map(
        (p) =>
          `${p.probe} ${p.run.result}${p.run.exitCode !== undefined ? ` (exit ${p.run.exitCode})` : ''} ${p.run.durationMs} ms`,
      )
      .join(', ');
    lines.push(
      `  ${checkpoint.passed ? '✓' : '✗'} ${checkpoint.name} (expect ${checkpoint.expect}): ${probes}`,
    );
  }
  for (const finding of report.findings) lines.push(`  finding: ${finding.message}`);
  return `${lines.join('\n')}\n`;
}
