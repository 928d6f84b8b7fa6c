import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function verifyCommand(_io: CliIo): Command {
  const command = new Command('verify')
    .description(
      'judge a recorded trace against a scenario offline: exit 0 all hold, 1 one fails, 2 bad input',
    )
    .requiredOption('--scenario <file>', 'scenario file')
    .requiredOption('--trace <file>', 'trace file (JSON Lines)')
    .option('--variant <name>', 'variant whose expectations apply', 'candidate')
    .option('--json', 'machine-readable verdict');
  return unavailable(command, 'it lands with traces and expectations');
}
