import type { ClusterSpec } from './kind-config.ts';

/** A cluster ready for the kube layer: `connectKube({ kubeconfigPath, context })`. */
export interface ClusterInfo {
  name: string;
  provider: 'kind' | 'existing';
  kubeconfigPath: string;
  context: string;
  /** This call created the cluster (the run that made it deletes it at the end unless kept). */
  created: boolean;
  /** A cluster kpc created earlier with the same config was reused. */
  reused: boolean;
  /** One line for the user: what happened and why. */
  note: string;
  configHash?: string;
  nodeImage?: string;
  /** Where the ingress NodePort is reachable from this host, when mapped. */
  ingress?: { nodePort: number; address: string };
}

export interface KubeconfigRef {
  path: string;
  context: string;
}

/** Source image → the reference pods must use for it in this cluster. */
export type LoadedImages = Record<string, string>;

export type ExportLogsResult = { exported: true; dir: string } | { exported: false; reason: string };

export interface DestroyResult {
  deleted: boolean;
  note: string;
}

export interface CreateOptions {
  /** Reuse a cluster kpc created earlier when its recorded config hash matches (default true). */
  reuse?: boolean;
  signal?: AbortSignal;
  onOutput?: (line: string) => void;
}

/**
 * Where scenarios run: a kind cluster kpc manages, or a cluster someone else owns. The shape follows
 * kubernetes-sigs/e2e-framework's provider (create, kubeconfig, load image, export logs, destroy).
 */
export interface ClusterProvider {
  readonly type: 'kind' | 'existing';
  create(spec: ClusterSpec, options?: CreateOptions): Promise<ClusterInfo>;
  kubeconfig(name: string): Promise<KubeconfigRef>;
  loadImages(
    name: string,
    images: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<LoadedImages>;
  exportLogs(name: string, dir: string): Promise<ExportLogsResult>;
  destroy(name: string): Promise<DestroyResult>;
}

/** kpc refuses to reuse or delete a cluster it cannot prove it created. */
export class ClusterOwnershipError extends Error {
  constructor(
    readonly cluster: string,
    why: string,
  ) {
    super(
      `kind cluster ${cluster} was not created by kpc (${why}); kpc never reuses or deletes such a cluster. ` +
        `Delete it yourself (kind delete cluster --name ${cluster}) or use another variant name.`,
    );
    this.name = 'ClusterOwnershipError';
  }
}

export class ClusterCreateError extends Error {
  constructor(
    readonly cluster: string,
    cause: unknown,
    readonly logsDir: string | undefined,
  ) {
    super(
      `creating kind cluster ${cluster} failed: ${cause instanceof Error ? cause.message : String(cause)}` +
        (logsDir ? `\nnode logs: ${logsDir}` : ''),
      { cause },
    );
    this.name = 'ClusterCreateError';
  }
}

export class UnsupportedByProvider extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedByProvider';
  }
}
