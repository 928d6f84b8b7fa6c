import { Command } from 'commander';
import { mainJobCanRun, runChecks } from '../../doctor/checks.ts';
import { localHost } from '../../doctor/host.ts';
import { renderChecks } from '../../doctor/render.ts';
import { action, type CliIo, ExitCode } from '../io.ts';

export function doctorCommand(io: CliIo): Command {
  return new Command('doctor')
    .description('check this machine can run the main job; exit 0 only when it can')
    .option('--json', 'machine-readable result')
    .action(
      action(async (options: { json?: boolean }) => {
        const results = await runChecks(localHost(io.cwd, io.env));
        const canRun = mainJobCanRun(results);
        io.stdout.write(
          options.json
            ? `${JSON.stringify({ canRun, checks: results }, null, 2)}\n`
            : renderChecks(results, canRun),
        );
        return canRun ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
