import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function diffCommand(_io: CliIo): Command {
  const command = new Command('diff')
    .description('classify each case as fixed, regressed, still passing, still failing, new or removed')
    .argument('<baseline>', 'baseline results directory')
    .argument('<candidate>', 'candidate results directory')
    .option('--json', 'machine-readable output');
  return unavailable(command, 'it lands with differential verdicts');
}
