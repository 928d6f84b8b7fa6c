import { Command } from 'commander';
import { clusterCommand } from './commands/cluster.ts';
import { diffCommand } from './commands/diff.ts';
import { doctorCommand } from './commands/doctor.ts';
import { gateCommand } from './commands/gate.ts';
import { imagesCommand } from './commands/images.ts';
import { lockCommand } from './commands/lock.ts';
import { recordCommand } from './commands/record.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { scenariosCommand } from './commands/scenarios.ts';
import { verifyCommand } from './commands/verify.ts';
import type { CliIo } from './io.ts';
import { kpcVersion } from './version.ts';

/** The whole command tree; also the source of the CLI reference in docs/cli.md. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('kpc')
    .description('Knative probe conformance: run, record and judge readiness scenarios on real clusters')
    .version(kpcVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    // main() turns commander's exits into exit codes; nothing here may end the process.
    .exitOverride();
  for (const make of [
    doctorCommand,
    runCommand,
    verifyCommand,
    recordCommand,
    scenariosCommand,
    clusterCommand,
    imagesCommand,
    lockCommand,
    reportCommand,
    diffCommand,
    gateCommand,
  ]) {
    program.addCommand(make(io));
  }
  inheritSettings(program);
  return program;
}

/** addCommand() does not pass output, exit and help settings down the way .command() does. */
function inheritSettings(parent: Command): void {
  for (const sub of parent.commands) {
    sub.copyInheritedSettings(parent);
    inheritSettings(sub);
  }
}
