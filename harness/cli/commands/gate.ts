import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function gateCommand(_io: CliIo): Command {
  const command = new Command('gate')
    .description('release gate: exit 0 only when every MUST case passes on the candidate')
    .argument('[results]', 'results directory', 'out');
  return unavailable(command, 'it lands with release gating');
}
