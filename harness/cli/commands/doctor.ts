import { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { unavailable } from '../unavailable.ts';

export function doctorCommand(_io: CliIo): Command {
  return unavailable(new Command('doctor').description('check this machine can run the main job'), 'soon');
}
