import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function reportCommand(_io: CliIo): Command {
  const command = new Command('report')
    .description('render JUnit, summary.md and the Allure HTML report from a results directory')
    .argument('[results]', 'results directory', 'out');
  return unavailable(command, 'it lands with reports');
}
