import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function scenariosCommand(_io: CliIo): Command {
  const command = new Command('scenarios').description('list, validate and plan the scenario catalogue');
  const files = '[files...]';
  command.addCommand(
    unavailable(
      new Command('list').argument(files).description('list scenarios and their cases'),
      'scenario language',
    ),
  );
  command.addCommand(
    unavailable(
      new Command('validate')
        .argument(files)
        .description('validate scenario files; errors name file, line and field'),
      'scenario language',
    ),
  );
  command.addCommand(
    unavailable(
      new Command('plan')
        .argument(files)
        .option('--variant <name...>', 'variants to plan')
        .description(
          'show steps and expectations with computed timing bounds, per variant, without a cluster',
        ),
      'scenario language',
    ),
  );
  return command;
}
