import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function imagesCommand(_io: CliIo): Command {
  const command = new Command('images').description('build patched Knative components and workload images');
  const why = 'it lands with image builds';
  command.addCommand(
    unavailable(
      new Command('build')
        .description('build patched components with ko and write an image-set file')
        .requiredOption('--serving <dir>', 'knative/serving checkout')
        .option('--components <names...>', 'controller, webhook, activator, autoscaler, queue-proxy')
        .option('--out <file>', 'image-set file', 'out/image-set.json'),
      why,
    ),
  );
  command.addCommand(
    unavailable(
      new Command('load')
        .description('load workload images into a variant cluster')
        .option('--variant <name>', 'variant'),
      why,
    ),
  );
  return command;
}
