import { Command } from 'commander';
import { diffResults } from '../../report/diff.ts';
import { readResults } from '../../report/results-file.ts';
import type { CaseResult } from '../../report/verdict.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

/** The cases of one variant in a results directory; errors say which file and which variants it has. */
async function casesOf(path: string, variant: string): Promise<CaseResult[]> {
  const all = await readResults(path).catch((error: Error) => {
    throw new CliError(`kpc diff: ${error.message}`);
  });
  const picked = all.filter((r) => r.variant === variant);
  if (!picked.length) {
    const found = [...new Set(all.map((r) => r.variant))].join(', ') || 'none';
    throw new CliError(`kpc diff: ${path} has no cases of variant ${variant} (it has: ${found})`);
  }
  return picked;
}

export function diffCommand(io: CliIo): Command {
  return new Command('diff')
    .description('classify each case as fixed, regressed, still passing, still failing, new or removed')
    .argument('<baseline>', 'baseline results directory (or results.json)')
    .argument('<candidate>', 'candidate results directory (or results.json)')
    .option('--baseline-variant <name>', 'variant to take from the baseline results', 'baseline')
    .option('--candidate-variant <name>', 'variant to take from the candidate results', 'candidate')
    .option('--json', 'machine-readable output')
    .action(
      action(
        async (
          baselinePath: string,
          candidatePath: string,
          options: { baselineVariant: string; candidateVariant: string; json?: boolean },
        ) => {
          // One side after the other, so the error for a bad baseline is always the one reported first.
          const baseline = await casesOf(baselinePath, options.baselineVariant);
          const candidate = await casesOf(candidatePath, options.candidateVariant);
          const rows = diffResults(baseline, candidate);
          if (options.json) {
            io.stdout.write(`${JSON.stringify({ rows }, null, 2)}\n`);
          } else {
            const width = Math.max(4, ...rows.map((r) => r.id.length));
            io.stdout.write(
              `${'case'.padEnd(width)}  ${'baseline'.padEnd(9)} ${'candidate'.padEnd(9)} change\n`,
            );
            for (const r of rows) {
              io.stdout.write(
                `${r.id.padEnd(width)}  ${(r.baseline ?? '-').padEnd(9)} ${(r.candidate ?? '-').padEnd(9)} ${r.class}\n`,
              );
            }
          }
          return rows.some((r) => r.class === 'regressed') ? ExitCode.failed : ExitCode.ok;
        },
      ),
    );
}
