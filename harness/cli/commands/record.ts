import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function recordCommand(_io: CliIo): Command {
  const command = new Command('record')
    .description('record every watch event and Event of a namespace into a trace')
    .requiredOption('--namespace <name>', 'namespace to record')
    .requiredOption('--out <file>', 'trace file to write (JSON Lines)')
    .option('--kubeconfig <path>', 'kubeconfig file')
    .option('--context <name>', 'kubeconfig context')
    .option('--duration <duration>', 'stop after this long (e.g. 90s, 5m); default: until Ctrl-C');
  return unavailable(command, 'it lands with traces and expectations');
}
