import { type CaseResult, type CaseStatus, caseStatus, type Level } from './verdict.ts';

/**
 * Release-gate policy, per level of the candidate's cases:
 * - MUST: only `passed` lets the gate open. `failed`, `broken`, `flaky` and `skipped` block it: a
 *   release is not gated on a check that failed, could not run, or needed a retry to pass.
 * - SHOULD: anything but `passed` is a warning.
 * - MAY: reported only.
 * A gate over no MUST case at all is blocked: an empty run proves nothing.
 */
export interface GateFinding {
  id: string;
  level: Level;
  status: CaseStatus;
  effect: 'blocks' | 'warns' | 'noted';
  message?: string;
}

export interface GateDecision {
  open: boolean;
  exitCode: 0 | 1;
  findings: GateFinding[];
  mustCases: number;
  reason: string;
}

export function decideGate(candidate: CaseResult[]): GateDecision {
  const findings: GateFinding[] = [];
  for (const result of candidate) {
    const status = caseStatus(result);
    if (status === 'passed') continue;
    const effect = result.level === 'MUST' ? 'blocks' : result.level === 'SHOULD' ? 'warns' : 'noted';
    const message = result.attempts.find((a) => a.message)?.message;
    findings.push({
      id: `${result.variant}/${result.id}`,
      level: result.level,
      status,
      effect,
      ...(message ? { message } : {}),
    });
  }
  const mustCases = candidate.filter((r) => r.level === 'MUST').length;
  const blocking = findings.filter((f) => f.effect === 'blocks');
  const open = mustCases > 0 && blocking.length === 0;
  const reason = !mustCases
    ? 'no MUST case was run'
    : open
      ? `all ${mustCases} MUST cases passed`
      : `${blocking.length} of ${mustCases} MUST cases did not pass`;
  return { open, exitCode: open ? 0 : 1, findings, mustCases, reason };
}
