import { CommanderError } from 'commander';
import { CliError, type CliIo, ExitCode, exitCodes, processIo } from './io.ts';
import { buildProgram } from './program.ts';

/** Runs one kpc invocation and returns its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return actionExitCode(program);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version end with exit code 0 and have already printed.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(
      `kpc: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return ExitCode.failed;
  }
}

/** The exit code the action that ran returned, recorded on its command by `action()`. */
function actionExitCode(program: import('commander').Command): number {
  const find = (c: import('commander').Command): number | undefined =>
    exitCodes.get(c) ?? c.commands.map(find).find((x) => x !== undefined);
  return find(program) ?? ExitCode.ok;
}
