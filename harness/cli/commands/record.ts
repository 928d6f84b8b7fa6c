import { Command } from 'commander';
import { parseDuration } from '../../expect/duration.ts';
import { connectKube } from '../../kube/index.ts';
import { defaultSystemNamespace, record } from '../../observe/recorder.ts';
import { fileLineSink, TraceWriter } from '../../observe/trace.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';
import { kpcVersion } from '../version.ts';

interface RecordOptions {
  namespace: string;
  out: string;
  kubeconfig?: string;
  context?: string;
  duration?: string;
  systemNamespace: string;
}

export function recordCommand(io: CliIo): Command {
  return new Command('record')
    .description('record every watch event and Event of a namespace into a trace')
    .requiredOption('--namespace <name>', 'namespace to record')
    .requiredOption('--out <file>', 'trace file to write (JSON Lines)')
    .option('--kubeconfig <path>', 'kubeconfig file')
    .option('--context <name>', 'kubeconfig context')
    .option('--duration <duration>', 'stop after this long (e.g. 90s, 5m); default: until Ctrl-C')
    .option(
      '--system-namespace <name>',
      "Knative's namespace, whose Events about the recorded objects are kept",
      defaultSystemNamespace,
    )
    .action(action((opts: RecordOptions) => recordNamespace(opts, io)));
}

async function recordNamespace(opts: RecordOptions, io: CliIo): Promise<number> {
  let durationMs: number | undefined;
  try {
    durationMs = opts.duration === undefined ? undefined : parseDuration(opts.duration);
  } catch (error) {
    throw new CliError(`--duration: ${(error as Error).message}`);
  }
  let kube: Awaited<ReturnType<typeof connectKube>>;
  try {
    kube = await connectKube({ kubeconfigPath: opts.kubeconfig, context: opts.context });
  } catch (error) {
    throw new CliError(`cannot connect: ${(error as Error).message}`);
  }
  const writer = new TraceWriter(fileLineSink(opts.out));
  const controller = new AbortController();
  const stop = () => controller.abort();
  const timer = durationMs === undefined ? undefined : setTimeout(stop, durationMs);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const kubernetes = await kube.serverVersion().then(
      (v) => v.gitVersion,
      () => undefined,
    );
    writer.header({
      namespace: opts.namespace,
      cluster: kube.server,
      context: kube.context,
      recordedBy: 'kpc record',
      versions: { kpc: kpcVersion(), ...(kubernetes ? { kubernetes } : {}) },
    });
    io.stderr.write(
      `recording namespace ${opts.namespace} into ${opts.out}${durationMs === undefined ? ' until Ctrl-C' : ` for ${opts.duration}`}\n`,
    );
    const summary = await record({
      source: kube,
      writer,
      namespace: opts.namespace,
      systemNamespace: opts.systemNamespace,
      signal: controller.signal,
    });
    writer.note('recording stopped');
    for (const w of summary.watches) {
      const what = `${w.target.kind}${w.target.namespace === opts.namespace ? '' : ` in ${w.target.namespace}`}`;
      io.stderr.write(`  ${what}: ${w.events} events${w.error ? ` — ended: ${w.error}` : ''}\n`);
    }
    return summary.watches.every((w) => w.error !== undefined) ? ExitCode.failed : ExitCode.ok;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    writer.close();
    await kube.close();
  }
}
