import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CommandRunner } from '../cluster/command.ts';
import { type ComponentName, componentNames, koKindRepo, servingComponents } from '../config/images.ts';
import type { ImageSet, ImageSetTarget } from './image-set.ts';

export interface KoBuildOptions {
  /** knative/serving checkout; ko runs there. */
  servingDir: string;
  /** Default: all five. */
  components?: readonly ComponentName[];
  /** Side-load into a kind cluster's nodes, or push to a registry repository. */
  target: ImageSetTarget;
  /** `linux/<arch>` of the cluster nodes (nodePlatform()). */
  platform: string;
  /** Where ko writes `--image-refs`. */
  refsFile: string;
  runner: CommandRunner;
  ko?: string;
  git?: string;
  signal?: AbortSignal;
  onOutput?: (line: string) => void;
  now?: () => Date;
}

/** `queue` and `queue-proxy` both name the queue-proxy component; anything else must be exact. */
export function parseComponents(names: readonly string[]): ComponentName[] {
  const wanted = names
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((n) => n !== 'queue' && !(componentNames as string[]).includes(n));
  if (unknown.length) {
    throw new Error(`unknown component ${unknown.join(', ')}: expected ${componentNames.join(', ')}`);
  }
  const picked = new Set(wanted.map((n) => (n === 'queue' ? 'queue-proxy' : n) as ComponentName));
  return componentNames.filter((c) => picked.has(c));
}

/**
 * The ko invocation (ecosystem.md §6.5): `-B` names images after the last import-path element
 * (`<repo>/controller`, `<repo>/queue`), one platform, refs written to a file, no SBOM.
 */
export function koBuildInvocation(
  options: Pick<KoBuildOptions, 'components' | 'target' | 'platform' | 'refsFile'>,
): {
  args: string[];
  env: Record<string, string>;
} {
  const components = options.components?.length ? options.components : componentNames;
  const env: Record<string, string> =
    options.target.kind === 'kind'
      ? { KO_DOCKER_REPO: koKindRepo, KIND_CLUSTER_NAME: options.target.cluster }
      : { KO_DOCKER_REPO: options.target.repository };
  const args = [
    'build',
    '-B',
    `--platform=${options.platform}`,
    `--image-refs=${options.refsFile}`,
    '--sbom=none',
    ...components.map((c) => servingComponents[c].importPath),
  ];
  return { args, env };
}

/** The component an image built with `-B` belongs to, by the last path element of its repository. */
export function componentOfRef(ref: string): ComponentName | undefined {
  const repository = ref.split('@')[0]!.replace(/:[^/]*$/, '');
  const base = repository.slice(repository.lastIndexOf('/') + 1);
  return componentNames.find((c) => servingComponents[c].importPath.endsWith(`/cmd/${base}`));
}

/**
 * ko writes refs in the order builds finish (its recorder), so they are matched by name, not line.
 * The first ref of a component is the one ko published.
 */
export function refsByComponent(
  text: string,
  wanted: readonly ComponentName[],
): Partial<Record<ComponentName, string>> {
  const refs: Partial<Record<ComponentName, string>> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const component = componentOfRef(line);
    if (component && wanted.includes(component)) refs[component] ??= line;
  }
  const missing = wanted.filter((c) => !refs[c]);
  if (missing.length) throw new Error(`ko reported no image for ${missing.join(', ')}`);
  return refs;
}

/** Builds the components with ko and returns the image set describing them. */
export async function buildComponents(options: KoBuildOptions): Promise<ImageSet> {
  const servingDir = resolve(options.servingDir);
  await checkServingCheckout(servingDir);
  const components = options.components?.length ? [...options.components] : componentNames;
  const git = options.git ?? 'git';
  const commit = (await options.runner.run(git, ['-C', servingDir, 'rev-parse', 'HEAD'])).stdout.trim();
  const dirty =
    (await options.runner.run(git, ['-C', servingDir, 'status', '--porcelain'])).stdout.trim() !== '';

  const refsFile = resolve(options.refsFile);
  await mkdir(dirname(refsFile), { recursive: true });
  await rm(refsFile, { force: true });
  const { args, env } = koBuildInvocation({ ...options, components, refsFile });
  await options.runner.run(options.ko ?? 'ko', args, {
    cwd: servingDir,
    env,
    signal: options.signal,
    onOutput: options.onOutput,
  });
  const refs = refsByComponent(await readFile(refsFile, 'utf8'), components);
  return {
    version: 1,
    components: refs,
    source: { serving: servingDir, commit, ...(dirty ? { dirty } : {}) },
    target: options.target,
    platform: options.platform,
    builtAt: (options.now?.() ?? new Date()).toISOString(),
  };
}

/** ko must run in a knative/serving checkout: its go.mod declares `module knative.dev/serving`. */
export async function checkServingCheckout(dir: string): Promise<void> {
  const goMod = await readFile(join(dir, 'go.mod'), 'utf8').catch(() => undefined);
  if (goMod === undefined) throw new Error(`${dir} is not a knative/serving checkout: it has no go.mod`);
  if (!/^module\s+knative\.dev\/serving\s*$/m.test(goMod)) {
    throw new Error(
      `${dir} is not a knative/serving checkout: its go.mod does not declare module knative.dev/serving`,
    );
  }
}

/** `linux/<arch>` of the Docker engine, which is the arch of the kind nodes it runs. */
export async function nodePlatform(runner: CommandRunner, docker = 'docker'): Promise<string> {
  const { stdout } = await runner.run(docker, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
  const platform = stdout.trim();
  if (!/^linux\/[a-z0-9]+$/.test(platform)) {
    throw new Error(`Docker reports server platform "${platform}"; kind nodes need linux/<arch>`);
  }
  return platform;
}
