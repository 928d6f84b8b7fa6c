import { type CaseResult, type CaseStatus, caseStatus } from './verdict.ts';

/**
 * How a case moved from baseline to candidate, each side judged against its own variant's
 * expectations. `inconclusive` when either side could not be checked (broken or skipped), so an
 * infrastructure error is never read as a fix or a regression.
 */
export type DiffClass =
  | 'fixed'
  | 'regressed'
  | 'still-passing'
  | 'still-failing'
  | 'new'
  | 'removed'
  | 'inconclusive';

export interface DiffRow {
  id: string;
  baseline?: CaseStatus;
  candidate?: CaseStatus;
  class: DiffClass;
}

const passes = (s: CaseStatus) => s === 'passed' || s === 'flaky';
const unknown = (s: CaseStatus) => s === 'broken' || s === 'skipped';

export function classify(baseline: CaseStatus | undefined, candidate: CaseStatus | undefined): DiffClass {
  if (baseline === undefined) return 'new';
  if (candidate === undefined) return 'removed';
  if (unknown(baseline) || unknown(candidate)) return 'inconclusive';
  if (passes(baseline)) return passes(candidate) ? 'still-passing' : 'regressed';
  return passes(candidate) ? 'fixed' : 'still-failing';
}

/** One row per case id present on either side, in a stable order. */
export function diffResults(baseline: CaseResult[], candidate: CaseResult[]): DiffRow[] {
  const base = new Map(baseline.map((r) => [r.id, caseStatus(r)]));
  const cand = new Map(candidate.map((r) => [r.id, caseStatus(r)]));
  const ids = [...new Set([...base.keys(), ...cand.keys()])].sort();
  return ids.map((id) => {
    const b = base.get(id);
    const c = cand.get(id);
    return { id, ...(b ? { baseline: b } : {}), ...(c ? { candidate: c } : {}), class: classify(b, c) };
  });
}
