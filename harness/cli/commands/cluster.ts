import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function clusterCommand(_io: CliIo): Command {
  const command = new Command('cluster').description('manage the kind clusters kpc creates');
  const why = 'it lands with kind provisioning';
  command.addCommand(
    unavailable(
      new Command('up')
        .description('create (or reuse) the kind cluster of a variant and install Knative')
        .option('--variant <name>', 'variant', 'baseline')
        .option('--kubernetes <version>', 'Kubernetes minor, e.g. 1.36'),
      why,
    ),
  );
  command.addCommand(
    unavailable(
      new Command('down')
        .description('delete clusters kpc created (never one it did not)')
        .option('--variant <name>', 'variant'),
      why,
    ),
  );
  command.addCommand(unavailable(new Command('list').description('list clusters kpc created'), why));
  return command;
}
