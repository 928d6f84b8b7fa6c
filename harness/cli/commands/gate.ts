import { Command } from 'commander';
import { decideGate } from '../../report/gate.ts';
import { readResults } from '../../report/results-file.ts';
import { action, CliError, type CliIo } from '../io.ts';

export function gateCommand(io: CliIo): Command {
  return new Command('gate')
    .description(
      'release gate: exit 0 only when every MUST case passes on the candidate (policy: docs/gate.md)',
    )
    .argument('[results]', 'results directory (or results.json)', 'out')
    .option('--variant <name>', 'the candidate variant', 'candidate')
    .option('--json', 'machine-readable decision')
    .action(
      action(async (path: string, options: { variant: string; json?: boolean }) => {
        const all = await readResults(path).catch((error: Error) => {
          throw new CliError(`kpc gate: ${error.message}`);
        });
        const decision = decideGate(all.filter((r) => r.variant === options.variant));
        if (options.json) {
          io.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
        } else {
          io.stdout.write(
            `gate ${decision.open ? 'OPEN' : 'BLOCKED'}: ${decision.reason} (variant ${options.variant})\n`,
          );
          for (const f of decision.findings) {
            io.stdout.write(
              `  ${f.effect.padEnd(6)} ${f.level.padEnd(6)} ${f.status.padEnd(7)} ${f.id}${f.message ? `: ${f.message}` : ''}\n`,
            );
          }
        }
        return decision.exitCode;
      }),
    );
}
