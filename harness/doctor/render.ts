import type { CheckResult } from './checks.ts';

const label: Record<CheckResult['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL' };

/** One row per check, fixes indented under the row they belong to. */
export function renderChecks(results: CheckResult[], canRun: boolean): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length));
  const lines = results.flatMap((r) => {
    const row = `${label[r.status].padEnd(4)}  ${r.name.padEnd(nameWidth)}  ${r.detail}`;
    return r.fix ? [row, `${' '.repeat(6 + nameWidth)}  fix: ${r.fix}`] : [row];
  });
  lines.push(
    '',
    canRun
      ? 'The main job can run here (npm run conformance).'
      : 'The main job cannot run here until the FAIL rows are fixed.',
  );
  return `${lines.join('\n')}\n`;
}
