import { Command } from 'commander';
import {
  formatIssue,
  formatPlan,
  loadScenarios,
  planCase,
  planContext,
  renderScenarioCase,
  type Scenario,
  type ScenarioIssue,
  scenarioFiles,
} from '../../scenario/index.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

/** The files named on the command line, default the catalogue; a missing path is a usage error. */
async function files(io: CliIo, args: readonly string[]): Promise<string[]> {
  try {
    return await scenarioFiles(io.cwd, args);
  } catch (error) {
    throw new CliError(`kpc scenarios: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Loads the files; prints every issue to stderr. */
async function load(
  io: CliIo,
  args: readonly string[],
): Promise<{ scenarios: Scenario[]; issues: ScenarioIssue[] }> {
  const loaded = await loadScenarios(await files(io, args), io.cwd);
  for (const issue of loaded.issues) io.stderr.write(`${formatIssue(issue)}\n`);
  return loaded;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function scenariosCommand(io: CliIo): Command {
  const command = new Command('scenarios').description('list, validate and plan the scenario catalogue');
  const files = '[files...]';

  command.addCommand(
    new Command('list')
      .argument(files)
      .description('list scenarios and their cases')
      .action(
        action(async (args: string[]) => {
          const { scenarios, issues } = await load(io, args);
          for (const s of scenarios) {
            const tags = s.tags.length > 0 ? `  [${s.tags.join(', ')}]` : '';
            io.stdout.write(`${s.name}  ${s.level}${tags}  ${plural(s.cases.length, 'case')}\n`);
            if (s.cases.length > 1) for (const c of s.cases) io.stdout.write(`  ${c.id}\n`);
          }
          const cases = scenarios.reduce((n, s) => n + s.cases.length, 0);
          io.stdout.write(`${plural(scenarios.length, 'scenario')}, ${plural(cases, 'case')}\n`);
          return issues.length > 0 ? ExitCode.usage : ExitCode.ok;
        }),
      ),
  );

  command.addCommand(
    new Command('validate')
      .argument(files)
      .description('validate scenario files; errors name file, line and field')
      .action(
        action(async (args: string[]) => {
          const { scenarios, issues } = await load(io, args);
          for (const s of scenarios) io.stdout.write(`ok  ${s.file}  (${plural(s.cases.length, 'case')})\n`);
          if (issues.length > 0) {
            const files = new Set(issues.map((i) => i.file)).size;
            io.stderr.write(`${plural(issues.length, 'problem')} in ${plural(files, 'file')}\n`);
            return ExitCode.usage;
          }
          return ExitCode.ok;
        }),
      ),
  );

  command.addCommand(
    new Command('plan')
      .argument(files)
      .option('--variant <name...>', 'variants to plan (default: every variant the scenario knows)')
      .option('--case <text>', 'only cases whose id contains this text')
      .description('show steps and expectations with computed timing bounds, per variant, without a cluster')
      .action(
        action(async (args: string[], options: { variant?: string[]; case?: string }) => {
          const { scenarios, issues } = await load(io, args);
          const blocks: string[] = [];
          for (const scenario of scenarios) {
            for (const scenarioCase of scenario.cases) {
              if (options.case !== undefined && !scenarioCase.id.includes(options.case)) continue;
              const rendered = renderScenarioCase(scenario, scenarioCase, planContext(scenarioCase));
              if (!rendered.ok) {
                for (const issue of rendered.issues) io.stderr.write(`${formatIssue(issue)}\n`);
                issues.push(...rendered.issues);
                continue;
              }
              const variants = options.variant ?? scenario.variants;
              blocks.push(
                formatPlan(
                  rendered.case,
                  variants.map((v) => planCase(rendered.case, v)),
                ),
              );
            }
          }
          if (blocks.length > 0) io.stdout.write(`${blocks.join('\n\n')}\n`);
          else if (issues.length === 0)
            throw new CliError(`kpc scenarios plan: no case matches ${JSON.stringify(options.case)}`);
          return issues.length > 0 ? ExitCode.usage : ExitCode.ok;
        }),
      ),
  );
  return command;
}
