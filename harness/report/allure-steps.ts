/**
 * Allure steps from a trace's action lines: what the harness did, when, and what the API server
 * answered. Pure; the times are the recorded ones, not the time the report was written.
 */
import type { ActionLine, TraceLine } from '../observe/trace.ts';

export type StepStatus = 'passed' | 'failed' | 'broken';

export interface ReportStep {
  name: string;
  /** Epoch ms. */
  start: number;
  stop: number;
  status: StepStatus;
  /** For a failed action: the API server's (or webhook's) message, as recorded. */
  message?: string;
  children: ReportStep[];
}

/** `exec Pod ns/name container sidecar`, `apply Service ns/hello`. */
export function describeActionLine(a: ActionLine): string {
  const where = [a.target.namespace, a.target.name].filter(Boolean).join('/');
  return [a.action, a.target.kind, where, a.target.container ? `container ${a.target.container}` : '']
    .filter(Boolean)
    .join(' ');
}

function actionStep(a: ActionLine): ReportStep {
  const stop = Date.parse(a.at);
  const started = a.startedAt ? Date.parse(a.startedAt) : stop;
  const failed = a.outcome === 'error';
  const exitCode = a.detail?.exitCode;
  const exit = a.action === 'exec' && typeof exitCode === 'number' ? ` → exit ${exitCode}` : '';
  return {
    name: `${describeActionLine(a)}${failed ? ` → error${a.error?.code ? ` ${a.error.code}` : ''}` : exit}`,
    start: Math.min(started, stop),
    stop,
    // An action the API server refused did not do what it set out to do; whether the case expected
    // that is the verdict's business, not the step's.
    status: failed ? 'failed' : 'passed',
    ...(failed && a.error ? { message: a.error.denial ?? a.error.message } : {}),
    children: [],
  };
}

/**
 * One step per scenario step (consecutive actions with the same `step` id), holding its actions as
 * sub-steps when there is more than one; actions outside any scenario step are steps of their own.
 */
export async function stepsFromTrace(
  lines: AsyncIterable<TraceLine> | Iterable<TraceLine>,
): Promise<ReportStep[]> {
  const groups: { step?: string; actions: ReportStep[] }[] = [];
  for await (const line of lines) {
    if (line.type !== 'action') continue;
    const last = groups.at(-1);
    const action = actionStep(line);
    if (line.step !== undefined && last?.step === line.step) last.actions.push(action);
    else groups.push({ ...(line.step !== undefined ? { step: line.step } : {}), actions: [action] });
  }
  return groups.map(({ step, actions }) => {
    if (step === undefined || actions.length === 1) {
      const only = actions[0]!;
      return step === undefined ? only : { ...only, name: `${step}: ${only.name}` };
    }
    const failed = actions.find((a) => a.status !== 'passed');
    return {
      name: step,
      start: Math.min(...actions.map((a) => a.start)),
      stop: Math.max(...actions.map((a) => a.stop)),
      status: failed ? failed.status : 'passed',
      ...(failed?.message ? { message: failed.message } : {}),
      children: actions,
    };
  });
}
