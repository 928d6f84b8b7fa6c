import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { CommandFailed, CommandNotFound, execaRunner, toolBinary } from '../../cluster/command.ts';
import { clusterNameFor } from '../../cluster/kind-config.ts';
import { KindProvider } from '../../cluster/kind-provider.ts';
import { workloadImagesDir } from '../../config/images.ts';
import type { ImageSetTarget } from '../../images/image-set.ts';
import { writeImageSet } from '../../images/image-set.ts';
import {
  buildComponents,
  checkServingCheckout,
  nodePlatform,
  parseComponents,
} from '../../images/ko-build.ts';
import { buildWorkloadImage, listWorkloadImages, type WorkloadImages } from '../../images/workload.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

interface BuildOptions {
  serving: string;
  components?: string[];
  out: string;
  variant: string;
  registry?: string;
  platform?: string;
}

interface LoadOptions {
  variant: string;
  cluster?: string;
  only?: string[];
  imagesDir: string;
  out: string;
}

export function imagesCommand(io: CliIo): Command {
  const command = new Command('images').description('build patched Knative components and workload images');
  command.addCommand(
    new Command('build')
      .description('build patched components with ko and write an image-set file')
      .requiredOption('--serving <dir>', 'knative/serving checkout')
      .option(
        '--components <names...>',
        'controller, webhook, activator, autoscaler, queue-proxy (default: all)',
      )
      .option('--out <file>', 'image-set file', 'out/image-set.json')
      .option(
        '--variant <name>',
        'load into the (existing) kind cluster of this variant, kpc-<variant>',
        'candidate',
      )
      .option(
        '--registry <repository>',
        'push to this registry repository instead, e.g. localhost:5001/knative',
      )
      .option('--platform <os/arch>', "node platform (default: the Docker engine's)")
      .action(action((options: BuildOptions) => guarded(() => build(io, options)))),
  );
  command.addCommand(
    new Command('load')
      .description('build the workload images under images/ and load them into a variant cluster')
      .option('--variant <name>', 'variant whose kind cluster (kpc-<variant>) gets the images', 'baseline')
      .option('--cluster <name>', 'kind cluster name, instead of the variant’s')
      .option('--only <names...>', 'image folders to build (default: all)')
      .option('--images-dir <dir>', 'folder of workload image folders', workloadImagesDir)
      .option('--out <file>', 'where to write the name → image map', 'out/workload-images.json')
      .action(action((options: LoadOptions) => guarded(() => load(io, options)))),
  );
  return command;
}

/** Tool and command failures end as one line: exit 2 when a tool is missing, 1 when it failed. */
async function guarded(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommandNotFound) throw new CliError(error.message, ExitCode.usage);
    if (error instanceof CommandFailed) throw new CliError(error.message, ExitCode.failed);
    throw error;
  }
}

async function build(io: CliIo, options: BuildOptions): Promise<number> {
  const runner = execaRunner(io.env);
  let components: ReturnType<typeof parseComponents>;
  try {
    components = parseComponents(options.components ?? []);
  } catch (error) {
    throw new CliError(`kpc images build: ${(error as Error).message}`);
  }
  const servingDir = resolve(io.cwd, options.serving);
  await checkServingCheckout(servingDir).catch((error: Error) => {
    throw new CliError(`kpc images build: --serving ${error.message}`);
  });
  const target: ImageSetTarget = options.registry
    ? { kind: 'registry', repository: options.registry }
    : { kind: 'kind', cluster: clusterName(options.variant) };
  const out = resolve(io.cwd, options.out);
  const set = await buildComponents({
    servingDir,
    components,
    target,
    platform: options.platform ?? (await nodePlatform(runner)),
    refsFile: `${out}.refs`,
    runner,
    ko: toolBinary('ko', io.cwd),
    onOutput: (line) => io.stderr.write(`ko: ${line}\n`),
  });
  await writeImageSet(out, set);
  for (const [component, ref] of Object.entries(set.components))
    io.stdout.write(`${component.padEnd(12)} ${ref}\n`);
  io.stdout.write(
    `wrote ${options.out} (serving ${set.source.commit.slice(0, 12)}${set.source.dirty ? ', dirty' : ''})\n`,
  );
  return ExitCode.ok;
}

async function load(io: CliIo, options: LoadOptions): Promise<number> {
  const runner = execaRunner(io.env);
  const cluster = options.cluster ?? clusterName(options.variant);
  const available = await listWorkloadImages(resolve(io.cwd, options.imagesDir));
  const only = (options.only ?? []).flatMap((n) => n.split(',')).filter(Boolean);
  const unknown = only.filter((name) => !available.some((image) => image.name === name));
  if (unknown.length) {
    throw new CliError(
      `kpc images load: no image folder ${unknown.join(', ')} in ${options.imagesDir} (has: ${available.map((i) => i.name).join(', ') || 'none'})`,
    );
  }
  const chosen = only.length ? available.filter((image) => only.includes(image.name)) : available;
  if (chosen.length === 0) throw new CliError(`kpc images load: no Dockerfile under ${options.imagesDir}/*/`);

  const built = [];
  for (const image of chosen) {
    const result = await buildWorkloadImage(image, {
      runner,
      onOutput: (line) => io.stderr.write(`docker: ${line}\n`),
    });
    io.stdout.write(`${result.built ? 'built  ' : 'present'} ${result.ref}\n`);
    built.push(result);
  }
  // Loading needs no record of the cluster: kind load into a cluster of any owner changes no lifecycle.
  const provider = new KindProvider({
    runner,
    stateDir: resolve(io.cwd, '.kpc/clusters'),
    logsDir: resolve(io.cwd, 'out/kind-logs'),
    runId: 'images-load',
    kind: toolBinary('kind', io.cwd),
  });
  const loaded = await provider.loadImages(
    cluster,
    built.map((b) => b.ref),
  );
  const map: WorkloadImages = {
    version: 1,
    images: Object.fromEntries(built.map((b) => [b.name, loaded[b.ref] ?? b.ref])),
  };
  const out = resolve(io.cwd, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(map, null, 2)}\n`);
  io.stdout.write(`loaded ${built.length} image(s) into kind cluster ${cluster}; wrote ${options.out}\n`);
  return ExitCode.ok;
}

function clusterName(variant: string): string {
  try {
    return clusterNameFor(variant);
  } catch (error) {
    throw new CliError(`kpc images: ${(error as Error).message}`);
  }
}
