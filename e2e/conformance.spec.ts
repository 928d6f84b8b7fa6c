/**
 * The conformance run as a mocha suite: one test per scenario case × variant × repeat, titled as in
 * JUnit and `kpc run --grep` (`<case> [<variant>] @LEVEL @tag…`), so mocha's --grep, its reporters
 * and IDE test runners select and show cases. `kpc run`'s flags come from KPC_RUN_ARGS. The cases
 * mocha selects run together in one `before`, as `kpc run` runs them (concurrently, grouped by
 * cluster-wide flags, reports written to --out, Ctrl-C handled); each test then settles on its case's
 * verdict. Running each case inside its own test would serialise them and lose the flag grouping.
 *
 *   KPC_RUN_ARGS='--kubeconfig candidate=kc.yaml --variant candidate --no-install --public-images' \
 *     npm run conformance:mocha -- --grep @MUST
 */
import { parseCommandString } from 'execa';
import Mocha from 'mocha';
import { loadOptions } from 'mocha/lib/cli/options.js';
import {
  executeRun,
  prepareRun,
  type RunFlags,
  type RunRequest,
  runCommand,
} from '../harness/cli/commands/run.ts';
import { processIo } from '../harness/cli/io.ts';
import { settleAttempt } from '../harness/report/allure.ts';
import { testName } from '../harness/report/junit.ts';
import { type CaseResult, caseStatus, caseTestName, decidingAttempt } from '../harness/report/verdict.ts';
import { planCases } from '../harness/run/plan.ts';

const io = processIo();

/** `kpc run`'s own command parses KPC_RUN_ARGS, so flags, defaults and errors are the CLI's. */
async function requestFromEnvironment(): Promise<RunRequest> {
  let flags: RunFlags | undefined;
  const command = runCommand(io)
    .exitOverride()
    .action((parsed: RunFlags) => {
      flags = parsed;
    });
  await command.parseAsync(parseCommandString(process.env.KPC_RUN_ARGS ?? ''), { from: 'user' });
  return prepareRun(flags!, io.cwd);
}

/** What mocha's --grep/--fgrep/--invert select, converted by mocha itself. */
function mochaSelection(): (title: string) => boolean {
  const options = loadOptions(process.argv.slice(2));
  const converter = new Mocha();
  if (options.fgrep) converter.fgrep(options.fgrep);
  else if (options.grep) converter.grep(options.grep);
  const grep = converter.options.grep as RegExp | undefined;
  return (title) => !grep || grep.test(title) !== Boolean(options.invert);
}

const request = await requestFromEnvironment();
const titles = request.variants.flatMap(({ variant }) =>
  planCases(request.scenarios, variant.name, {
    repeat: request.repeat,
    ...(request.grep ? { grep: request.grep } : {}),
  }).map((c) => caseTestName(c.id, variant.name, c.scenario.level, c.scenario.tags)),
);
const results = new Map<string, CaseResult>();

before(async function () {
  this.timeout(0);
  const selected = titles.filter(mochaSelection());
  if (selected.length === 0) return;
  const exactly = new RegExp(
    `^(${selected.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`,
  );
  const outcome = await executeRun({ ...request, grep: exactly }, io);
  for (const result of outcome.results) results.set(testName(result), result);
});

for (const title of titles) {
  it(title, function () {
    const result = results.get(title);
    if (!result) throw new Error('the run reported no result for this case');
    if (caseStatus(result) === 'flaky') {
      // Passed on a retry: mocha has no "flaky", so the first failure is printed rather than hidden.
      io.stderr.write(`      flaky: ${title}: ${decidingAttempt(result)?.message ?? 'failed first'}\n`);
    }
    settleAttempt(this, result, result.attempts.length - 1);
  });
}
