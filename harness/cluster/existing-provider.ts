import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { CommandRunner } from './command.ts';
import type { ClusterSpec } from './kind-config.ts';
import {
  type ClusterInfo,
  type ClusterProvider,
  type DestroyResult,
  type ExportLogsResult,
  type KubeconfigRef,
  type LoadedImages,
  UnsupportedByProvider,
} from './provider.ts';

export interface ExistingClusterOptions {
  kubeconfigPath: string;
  /** Default: the kubeconfig's current-context. */
  context?: string;
  /**
   * `host[:port][/path]` of a registry Docker here can push to and the cluster's nodes can pull from
   * under the same name. Without it, images cannot be loaded.
   */
  registry?: string;
  runner: CommandRunner;
  docker?: string;
}

/**
 * A cluster kpc did not create and never changes the lifecycle of: create and destroy only say so,
 * images go through a registry, node logs are out of reach.
 */
export class ExistingClusterProvider implements ClusterProvider {
  readonly type = 'existing';

  constructor(private readonly options: ExistingClusterOptions) {}

  async create(_spec: ClusterSpec): Promise<ClusterInfo> {
    const ref = await this.kubeconfig();
    return {
      name: ref.context,
      provider: 'existing',
      kubeconfigPath: ref.path,
      context: ref.context,
      created: false,
      reused: false,
      note: `using existing cluster (context ${ref.context} in ${ref.path}); kpc does not create it`,
    };
  }

  async kubeconfig(): Promise<KubeconfigRef> {
    const path = this.options.kubeconfigPath;
    let doc: { 'current-context'?: string; contexts?: { name?: string }[] } | null;
    try {
      doc = parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`kubeconfig ${path}: cannot read it (${(error as Error).message})`);
    }
    const names = (doc?.contexts ?? []).map((c) => c.name).filter((n): n is string => !!n);
    const context = this.options.context ?? doc?.['current-context'];
    if (!context) throw new Error(`kubeconfig ${path}: no context given and no current-context set`);
    if (!names.includes(context)) {
      throw new Error(`kubeconfig ${path}: no context "${context}" (it has: ${names.join(', ') || 'none'})`);
    }
    return { path, context };
  }

  /** Tags each image into the registry, pushes it and returns its digest reference there. */
  async loadImages(
    _name: string,
    images: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<LoadedImages> {
    const { registry, runner } = this.options;
    if (!registry) {
      throw new UnsupportedByProvider(
        'an existing cluster cannot load images directly: configure a registry it pulls from (--registry host:port)',
      );
    }
    const docker = this.options.docker ?? 'docker';
    const loaded: LoadedImages = {};
    for (const image of images) {
      const target = `${registry}/${withoutRegistry(image)}`;
      await runner.run(docker, ['tag', image, target], { signal: options.signal });
      await runner.run(docker, ['push', target], { signal: options.signal });
      loaded[image] = await repoDigest(runner, docker, target);
    }
    return loaded;
  }

  async exportLogs(): Promise<ExportLogsResult> {
    return {
      exported: false,
      reason: 'node logs of an existing cluster are out of kpc’s reach (no node access)',
    };
  }

  async destroy(): Promise<DestroyResult> {
    return { deleted: false, note: 'existing cluster: kpc never deletes a cluster it did not create' };
  }
}

/** `dev.local/kpc/workload:abc` → `kpc/workload:abc`: the first segment is a registry when it has a dot or port. */
export function withoutRegistry(image: string): string {
  const [first, ...rest] = image.split('/');
  return rest.length && (first!.includes('.') || first!.includes(':') || first === 'localhost')
    ? rest.join('/')
    : image;
}

/**
 * The pushed image by digest: Knative resolves tags through the registry from inside the cluster
 * unless the image is already a digest (knative-facts.md §4 config-deployment).
 */
async function repoDigest(runner: CommandRunner, docker: string, target: string): Promise<string> {
  const { stdout } = await runner.run(docker, [
    'image',
    'inspect',
    '--format',
    '{{json .RepoDigests}}',
    target,
  ]);
  const repository = target.replace(/:[^/:]+$/, '');
  const digests = JSON.parse(stdout.trim() || '[]') as string[];
  const match = digests.find((d) => d.startsWith(`${repository}@sha256:`));
  if (!match) throw new Error(`pushed ${target} but Docker reports no digest for ${repository}`);
  return match;
}
