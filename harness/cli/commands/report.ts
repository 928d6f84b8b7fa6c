import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { describeHtmlStatus } from '../../report/html.ts';
import { readResults } from '../../report/results-file.ts';
import { countByStatus } from '../../report/verdict.ts';
import { regenerateReports } from '../../report/write-all.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

export function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description(
      'render junit.xml, summary.md, Allure results and the Allure HTML report again from a results directory (docs/reports.md)',
    )
    .argument('[results]', 'results directory (or its results.json)', 'out')
    .option('--no-html', 'skip the HTML report (it needs Java)')
    .option('--history <dir>', 'Allure history to continue and refresh (default: <results>/allure-history)')
    .action(
      action(async (path: string, options: { html: boolean; history?: string }) => {
        const given = resolve(io.cwd, path);
        const dir = (await stat(given).catch(() => undefined))?.isFile() ? dirname(given) : given;
        // Read first, so bad input is a one-line error with the file and field, before anything is rewritten.
        const results = await readResults(dir).catch((error: Error) => {
          throw new CliError(`kpc report: ${error.message}`);
        });
        const outcome = await regenerateReports(dir, {
          html: options.html,
          ...(options.history ? { historyDir: resolve(io.cwd, options.history) } : {}),
          env: io.env,
        }).catch((error: Error) => {
          throw new CliError(`kpc report: ${error.message}`);
        });
        const c = countByStatus(results);
        io.stdout.write(
          `${results.length} cases: ${c.passed} passed, ${c.flaky} flaky, ${c.failed} failed, ${c.broken} broken, ${c.skipped} skipped` +
            ` (run exit code ${outcome.exitCode})\n`,
        );
        io.stdout.write(`wrote ${outcome.written.join(', ')} in ${dir}\n`);
        if (outcome.html.status !== 'off') {
          const line = describeHtmlStatus(outcome.html);
          (outcome.html.status === 'generated' ? io.stdout : io.stderr).write(`${line}\n`);
        }
        // Rendering succeeded; judging is `kpc gate`'s job, so the verdict does not set this exit code.
        return outcome.html.status === 'failed' ? ExitCode.failed : ExitCode.ok;
      }),
    );
}
