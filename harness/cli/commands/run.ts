import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function runCommand(_io: CliIo): Command {
  const command = new Command('run')
    .description(
      'provision clusters, install Knative variants, run the scenario catalogue and write the report',
    )
    .option('--kubeconfig <path>', 'use an existing cluster instead of creating kind clusters')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--no-install', 'do not install Knative; the cluster already has it')
    .option('--variant <name...>', 'variants to run (default: baseline and candidate)')
    .option('--candidate <image-set>', 'image-set file of patched components for the candidate variant')
    .option('--scenarios <glob...>', 'scenario files to run (default: scenarios/*.yaml)')
    .option('--grep <pattern>', 'only cases whose name, tag or level matches')
    .option('--repeat <n>', 'run every case n times (flake hunting)')
    .option('--concurrency <n>', 'cases run at once')
    .option('--keep', 'keep clusters after the run')
    .option('--skip-probe-lint', 'do not lint probe commands in their images before the run')
    .option('--out <dir>', 'results directory', 'out');
  return unavailable(command, 'it lands with the scenario runner');
}
