import { formatDuration } from './duration.ts';
import type { Expectation, ExpectationKind } from './schema.ts';

/** A recorded fact that decided a result, with its time. */
export interface Evidence {
  /** Epoch ms. */
  at: number;
  seq?: number;
  /** The timeline lane it belongs to (see lanes.ts), for highlighting. */
  lane?: string;
  text: string;
}

export interface ExpectationResult {
  /** Position in the list that was judged. */
  index: number;
  /** The expectation's `name`, or one generated from it. */
  name: string;
  kind: ExpectationKind;
  ok: boolean;
  /** One line: what was found. */
  summary: string;
  /** What decided it, in time order. */
  evidence: Evidence[];
  /** Derivations, hints and message diffs. */
  notes: string[];
  /** The window that was judged, epoch ms. */
  window?: { from: number; to: number };
  /** Lanes of the subjects the expectation is about. */
  lanes: string[];
  expectation: Expectation;
}

export interface Verdict {
  ok: boolean;
  passed: number;
  failed: number;
  results: ExpectationResult[];
  trace: { start: string; end: string; lines: number; warnings: string[] };
}

/** `+12.345s` from the trace start. */
export const relativeTime = (at: number, start: number): string => {
  const d = at - start;
  return `${d < 0 ? '-' : '+'}${formatDuration(Math.abs(d))}`;
};

/** One result for people: PASS/FAIL and the name; for a failure (or verbose), what decided it. */
export function formatResult(
  r: ExpectationResult,
  traceStart: number,
  options: { verbose?: boolean } = {},
): string {
  const out = [`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}`];
  if (r.ok && !options.verbose) return out[0]!;
  out.push(`      ${r.summary}`);
  for (const e of r.evidence) {
    out.push(
      `      ${relativeTime(e.at, traceStart).padStart(10)}  ${new Date(e.at).toISOString()}  ${indent(e.text, 42)}`,
    );
  }
  for (const note of r.notes) out.push(`      ${indent(note, 6)}`);
  return out.join('\n');
}

/** The verdict for people: one block per expectation, failures with their evidence and notes. */
export function formatVerdict(verdict: Verdict, options: { verbose?: boolean } = {}): string {
  const start = Date.parse(verdict.trace.start);
  const out = verdict.results.map((r) => formatResult(r, start, options));
  for (const w of verdict.trace.warnings) out.push(`warning: ${w}`);
  out.push(
    `${verdict.passed} passed, ${verdict.failed} failed over ${verdict.trace.lines} trace lines ` +
      `(${verdict.trace.start} … ${verdict.trace.end})`,
  );
  return `${out.join('\n')}\n`;
}

const indent = (text: string, by: number): string => text.split('\n').join(`\n${' '.repeat(by)}`);
