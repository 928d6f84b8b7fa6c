import type { DiffRow } from './diff.ts';
import type { GateDecision } from './gate.ts';
import {
  type CaseResult,
  type CaseStatus,
  caseStatus,
  countByStatus,
  decidingAttempt,
  knownUpstreamBug,
} from './verdict.ts';

const shown: Record<CaseStatus, string> = {
  passed: 'passed',
  flaky: '**flaky** (passed on retry)',
  failed: '**FAILED**',
  broken: '**BROKEN** (infrastructure)',
  skipped: 'skipped',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Markdown for people and for `$GITHUB_STEP_SUMMARY`: totals, then a table per variant. */
export function renderSummary(
  results: CaseResult[],
  extra: { gate?: GateDecision; diff?: DiffRow[] } = {},
): string {
  const variants = [...new Set(results.map((r) => r.variant))];
  const lines = ['# kpc conformance summary', ''];
  if (extra.gate) lines.push(`**Gate: ${extra.gate.open ? 'open' : 'BLOCKED'}** — ${extra.gate.reason}.`, '');
  lines.push(
    '| variant | cases | passed | flaky | failed | broken | skipped |',
    '|---|---|---|---|---|---|---|',
  );
  for (const v of variants) {
    const cases = results.filter((r) => r.variant === v);
    const c = countByStatus(cases);
    lines.push(
      `| ${v} | ${cases.length} | ${c.passed} | ${c.flaky} | ${c.failed} | ${c.broken} | ${c.skipped} |`,
    );
  }
  for (const v of variants) {
    lines.push('', `## ${v}`, '', '| case | level | status | time | note |', '|---|---|---|---|---|');
    for (const r of results.filter((x) => x.variant === v)) {
      const status = caseStatus(r);
      const seconds = (r.attempts.reduce((s, a) => s + a.durationMs, 0) / 1000).toFixed(1);
      const note = [
        r.tags.includes(knownUpstreamBug) ? 'known upstream bug' : '',
        status === 'passed' ? '' : (decidingAttempt(r)?.message ?? ''),
      ]
        .filter(Boolean)
        .join('; ');
      lines.push(`| ${cell(r.title)} | ${r.level} | ${shown[status]} | ${seconds}s | ${cell(note)} |`);
    }
  }
  if (extra.diff) {
    lines.push(
      '',
      '## baseline → candidate',
      '',
      '| case | baseline | candidate | change |',
      '|---|---|---|---|',
    );
    for (const row of extra.diff)
      lines.push(`| ${cell(row.id)} | ${row.baseline ?? '—'} | ${row.candidate ?? '—'} | ${row.class} |`);
  }
  return `${lines.join('\n')}\n`;
}
