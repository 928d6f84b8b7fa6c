import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function lockCommand(_io: CliIo): Command {
  const command = new Command('lock')
    .description('download pinned Knative release manifests and record their sha256 in the lockfile')
    .option('--knative <version...>', 'Knative versions to lock');
  return unavailable(command, 'it lands with the Knative installer');
}
