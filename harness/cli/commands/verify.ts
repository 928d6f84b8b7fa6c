import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { judge } from '../../expect/judge.ts';
import type { Expectation } from '../../expect/schema.ts';
import { type Timeline, TimelineBuilder } from '../../expect/timeline.ts';
import { renderTimelineSvg } from '../../expect/timeline-svg.ts';
import { formatVerdict } from '../../expect/verdict.ts';
import { readTrace, TraceFormatError } from '../../observe/trace.ts';
import {
  caseServiceName,
  expectationsFor,
  formatIssue,
  loadScenarioFile,
  planContext,
  renderScenarioCase,
} from '../../scenario/index.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

interface VerifyOptions {
  scenario: string;
  trace: string;
  variant?: string;
  case?: string;
  json?: boolean;
  svg?: string;
}

export function verifyCommand(io: CliIo): Command {
  return new Command('verify')
    .description(
      'judge a recorded trace against a scenario offline: exit 0 all hold, 1 one fails, 2 bad input',
    )
    .requiredOption('--scenario <file>', 'scenario file')
    .requiredOption('--trace <file>', 'trace file (JSON Lines)')
    .option(
      '--variant <name>',
      "variant whose expectations apply (default: the trace header's, else candidate)",
    )
    .option('--json', 'machine-readable verdict')
    .option('--svg <file>', 'also write the timeline as SVG, failing expectations highlighted')
    .action(
      action(async (opts: VerifyOptions) => {
        const timeline = await readTimeline(opts.trace, io);
        const variant = opts.variant ?? timeline.header?.variant ?? 'candidate';
        const expectations = await expectationsOf(opts.scenario, variant, opts.case, timeline);
        const verdict = judge(expectations, timeline);
        io.stdout.write(
          opts.json ? `${JSON.stringify({ variant, ...verdict }, null, 2)}\n` : formatVerdict(verdict),
        );
        if (opts.svg) await writeFile(opts.svg, renderTimelineSvg(timeline, verdict));
        return verdict.ok ? ExitCode.ok : ExitCode.failed;
      }),
    );
}

/** Streams the trace into the timeline; an unusable line stops with its file and line (exit 2). */
async function readTimeline(file: string, io: CliIo): Promise<Timeline> {
  const builder = new TimelineBuilder();
  try {
    const lines = readTrace(file, {
      onWarning: (w) => {
        builder.warn(w);
        io.stderr.write(`warning: ${w}\n`);
      },
    });
    for await (const line of lines) builder.add(line);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new CliError(`unusable trace: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new CliError(`cannot read trace ${file}: ${code}`);
    throw error;
  }
  const timeline = builder.finish();
  if (timeline.lines === 0) throw new CliError(`unusable trace: ${file} has no trace lines`);
  return timeline;
}

/**
 * The expectations of one case of the scenario for the variant, rendered with the names the run
 * used: the case from `--case` or the trace header (needed only when the matrix has several), the
 * Service name and namespace from the header (default: the names a run gives the case).
 */
async function expectationsOf(
  file: string,
  variant: string,
  caseId: string | undefined,
  timeline: Timeline,
): Promise<Expectation[]> {
  const loaded = await loadScenarioFile(file, { displayFile: file });
  if (!loaded.ok) throw new CliError(loaded.issues.map(formatIssue).join('\n'));
  const { scenario } = loaded;
  const header = timeline.header ?? {};
  const wanted = caseId ?? header.case;
  const chosen =
    wanted === undefined && scenario.cases.length === 1
      ? scenario.cases[0]
      : scenario.cases.find((c) => c.id === wanted);
  if (!chosen) {
    const ids = scenario.cases.map((c) => c.id).join(', ');
    throw new CliError(
      `${file}: ${wanted === undefined ? 'the trace header names no case; pick one with --case' : `no case ${wanted}`} (cases: ${ids})`,
    );
  }
  if (!scenario.variants.includes(variant)) {
    throw new CliError(`${file}: no variant ${variant} (variants: ${scenario.variants.join(', ')})`);
  }
  const context = {
    ...planContext(chosen),
    service: header.service ?? caseServiceName(chosen.id),
    namespace: header.namespace ?? 'kpc-verify',
  };
  const rendered = renderScenarioCase(scenario, chosen, context);
  if (!rendered.ok) throw new CliError(rendered.issues.map(formatIssue).join('\n'));
  return expectationsFor(rendered.case, variant);
}
