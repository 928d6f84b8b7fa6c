import { classifyProbe, type ProbeRun } from './classify.ts';
import type { Executor } from './exec.ts';
import { expandStatic } from './expand.ts';
import type { ProbeKind, ProbeLintPlan } from './input.ts';

export interface ProbeCheck {
  probe: ProbeKind;
  run: ProbeRun;
  /** What the checkpoint expects of this probe; absent when the checkpoint does not cover it. */
  expected?: 'pass' | 'fail';
  /** The probe did what was expected (always true when nothing was). */
  matches: boolean;
}

export interface CheckpointResult {
  name: string;
  expect: 'pass' | 'fail' | 'any';
  steps: ProbeRun[];
  probes: ProbeCheck[];
  /** Every step succeeded and every covered probe did what was expected. */
  passed: boolean;
}

export type FindingKind =
  | 'command-not-found'
  | 'never-passes'
  | 'unexpected-fail'
  | 'unexpected-pass'
  | 'step-failed'
  | 'container-not-running';

export interface Finding {
  kind: FindingKind;
  message: string;
  probe?: ProbeKind;
  checkpoint?: string;
}

/** Exec steps are not probes; they get a generous timeout of their own. */
export const defaultStepTimeoutMs = 30_000;

/**
 * A probe that must pass somewhere but failed at every checkpoint is probed again, as the kubelet keeps
 * doing, for a while: a container's own command may make it pass later (e.g. it creates the file after a
 * delay). Only then is it "never passes".
 */
export const defaultSettle = { timeoutMs: 30_000, intervalMs: 1_000 };

/** Runs each checkpoint's steps, then every probe, in order, through the executor. */
export async function runCheckpoints(
  plan: ProbeLintPlan,
  exec: Executor,
  stepTimeoutMs = defaultStepTimeoutMs,
  settle: { timeoutMs: number; intervalMs: number } = defaultSettle,
): Promise<CheckpointResult[]> {
  const env = plan.env ?? {};
  const results: CheckpointResult[] = [];
  for (const checkpoint of plan.checkpoints) {
    const steps: ProbeRun[] = [];
    for (const step of checkpoint.before) {
      steps.push(classifyProbe(step, await exec(step, stepTimeoutMs), stepTimeoutMs / 1000));
    }
    const probes: ProbeCheck[] = [];
    for (const probe of plan.probes) {
      const command = expandStatic(probe.exec.command, env);
      const run = classifyProbe(
        command,
        await exec(command, probe.timeoutSeconds * 1000),
        probe.timeoutSeconds,
      );
      const covered = !checkpoint.probes || checkpoint.probes.includes(probe.kind);
      const expected = covered && checkpoint.expect !== 'any' ? checkpoint.expect : undefined;
      // An errored probe (unknown) matches neither expectation: the kubelet discards its result.
      const matches = expected === undefined || run.result === (expected === 'pass' ? 'success' : 'failure');
      probes.push({ probe: probe.kind, run, ...(expected ? { expected } : {}), matches });
    }
    const passed = steps.every((s) => s.result === 'success') && probes.every((p) => p.matches);
    results.push({ name: checkpoint.name, expect: checkpoint.expect, steps, probes, passed });
  }
  const waiting = plan.probes.filter(
    (p) =>
      plan.mustPassSomewhere?.includes(p.kind) &&
      !results.some((r) => r.probes.some((c) => c.probe === p.kind && c.run.result === 'success')),
  );
  if (waiting.length) results.push(await settleProbes(plan, waiting, exec, settle));
  return results;
}

async function settleProbes(
  plan: ProbeLintPlan,
  waiting: ProbeLintPlan['probes'],
  exec: Executor,
  settle: { timeoutMs: number; intervalMs: number },
): Promise<CheckpointResult> {
  const env = plan.env ?? {};
  const deadline = Date.now() + settle.timeoutMs;
  const last = new Map<ProbeKind, ProbeCheck>();
  for (;;) {
    for (const probe of waiting.filter((p) => last.get(p.kind)?.run.result !== 'success')) {
      const command = expandStatic(probe.exec.command, env);
      const run = classifyProbe(
        command,
        await exec(command, probe.timeoutSeconds * 1000),
        probe.timeoutSeconds,
      );
      last.set(probe.kind, { probe: probe.kind, run, matches: true });
    }
    const done = [...last.values()].every(
      (c) =>
        c.run.result === 'success' ||
        c.run.reason === 'not-found' ||
        c.run.reason === 'container-not-running',
    );
    if (done || Date.now() + settle.intervalMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, settle.intervalMs));
  }
  const seconds = Math.round(settle.timeoutMs / 1000);
  return {
    name: `later (probed every ${settle.intervalMs} ms for up to ${seconds} s)`,
    expect: 'any',
    steps: [],
    probes: [...last.values()],
    passed: true,
  };
}

const shown = (command: readonly string[]) => `\`${command.join(' ')}\``;

function why(run: ProbeRun): string {
  switch (run.reason) {
    case 'timeout':
      return run.output;
    case 'exit-nonzero':
      return `exit ${run.exitCode}${run.output.trim() ? `: ${run.output.trim().slice(0, 200)}` : ''}`;
    default:
      return run.output.trim().slice(0, 200) || run.reason;
  }
}

/**
 * What is wrong, one finding per cause: a missing program once per probe (the kubelet errors and never
 * changes readiness, kubelet-probe-facts.md §2.4), a probe that passed nowhere it had to once, and
 * otherwise each checkpoint where a probe did the opposite of what the scenario expects.
 */
export function judge(plan: ProbeLintPlan, checkpoints: readonly CheckpointResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const checkpoint of checkpoints) {
    const down = [...checkpoint.steps, ...checkpoint.probes.map((p) => p.run)].find(
      (r) => r.reason === 'container-not-running',
    );
    if (down) {
      findings.push({
        kind: 'container-not-running',
        checkpoint: checkpoint.name,
        message: `container ${plan.container} (${plan.image}) is not running at checkpoint "${checkpoint.name}": ${down.output}`,
      });
    }
    for (const step of checkpoint.steps.filter(
      (s) => s.result !== 'success' && s.reason !== 'container-not-running',
    )) {
      findings.push({
        kind: 'step-failed',
        checkpoint: checkpoint.name,
        message: `exec step ${shown(step.command)} before checkpoint "${checkpoint.name}" failed (${why(step)})`,
      });
    }
  }
  for (const probe of plan.probes) {
    const checks = checkpoints.flatMap((c) =>
      c.probes.filter((p) => p.probe === probe.kind).map((check) => ({ checkpoint: c.name, check })),
    );
    const runs = checks.filter(({ check }) => check.run.reason !== 'container-not-running');
    const missing = runs.find(({ check }) => check.run.reason === 'not-found');
    if (missing) {
      findings.push({
        kind: 'command-not-found',
        probe: probe.kind,
        message:
          `${probe.kind} probe command \`${missing.check.run.command[0]}\` not found in image ${plan.image} ` +
          `(${missing.check.run.output}); the kubelet reports the probe as errored and never changes the container's readiness`,
      });
      continue;
    }
    const mustPass =
      runs.some(({ check }) => check.expected === 'pass') || plan.mustPassSomewhere?.includes(probe.kind);
    if (mustPass && !runs.some(({ check }) => check.run.result === 'success')) {
      findings.push({
        kind: 'never-passes',
        probe: probe.kind,
        message:
          `${probe.kind} probe can never pass: ${shown(probe.exec.command)} failed at every checkpoint ` +
          `(${runs.map(({ checkpoint, check }) => `${checkpoint}: ${why(check.run)}`).join('; ')})`,
      });
      continue;
    }
    for (const { checkpoint, check } of runs.filter(({ check }) => !check.matches)) {
      findings.push(
        check.expected === 'pass'
          ? {
              kind: 'unexpected-fail',
              probe: probe.kind,
              checkpoint,
              message: `${probe.kind} probe ${shown(check.run.command)} failed at checkpoint "${checkpoint}" (${why(check.run)}), but the scenario expects it to pass`,
            }
          : {
              kind: 'unexpected-pass',
              probe: probe.kind,
              checkpoint,
              message: `${probe.kind} probe ${shown(check.run.command)} passed at checkpoint "${checkpoint}", but the scenario expects it to fail`,
            },
      );
    }
  }
  return findings;
}
