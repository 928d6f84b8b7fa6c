import { createHash } from 'node:crypto';
import { defaultKubernetesMinor, kindVersion, nodeImageFor } from '../config/node-images.ts';
import { type KindCluster, type KindNode, kindConfigProblems } from './kind-schema.ts';
import { configHashLabel } from './labels.ts';

/** What a variant asks of its cluster; everything else is fixed so equal specs give equal clusters. */
export interface ClusterSpec {
  /** The variant the cluster serves; the cluster is named `kpc-<variant>`. */
  variant: string;
  /** Kubernetes minor (`1.36`); default: kind v0.33.0's default node image. */
  kubernetes?: string;
  /** Worker nodes besides the control plane (default 0: Knative runs on one node). */
  workers?: number;
  /** Host port mapping of the ingress NodePort; false for none. */
  ingress?: IngressMapping | false;
  /** A local registry the nodes will pull from: turns on containerd's certs.d host config. */
  registry?: boolean;
  featureGates?: Record<string, boolean>;
}

export interface IngressMapping {
  /** NodePort of the Kourier gateway Service; the installer must give the Service this nodePort. */
  nodePort?: number;
  /** 0 (default) lets kind pick a free host port, so several variant clusters run side by side. */
  hostPort?: number;
  listenAddress?: string;
}

/**
 * NodePort kpc gives Kourier's HTTP port. kind forwards only ports mapped at creation, and a NodePort
 * mapping needs containerPort equal to the NodePort (ecosystem.md §6.2: "NodePort must equal
 * containerPort").
 */
export const kourierHttpNodePort = 31080;

export interface KindClusterPlan {
  name: string;
  /** Kubernetes context kind writes: `kind-<name>` (ecosystem.md §6.3). */
  context: string;
  config: KindCluster;
  /** sha256 over the config (without its own hash label) and the kind version. */
  configHash: string;
  nodeImage: string;
}

const variantPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// The node container `<name>-control-plane` is also the node's hostname, at most 63 characters.
const maxNameLength = 63 - '-control-plane'.length;

export function clusterNameFor(variant: string): string {
  const name = `kpc-${variant}`;
  if (!variantPattern.test(variant) || name.length > maxNameLength) {
    throw new Error(
      `variant "${variant}" cannot name a kind cluster: use lower-case letters, digits and inner dashes, ` +
        `at most ${maxNameLength - 'kpc-'.length} characters`,
    );
  }
  return name;
}

/** containerd reads per-registry `hosts.toml` files from certs.d (ecosystem.md §6.4, step 2). */
export const containerdRegistryPatch = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"`;

/** The kind config of a spec, checked against the v1alpha4 schema, and its hash. */
export function planKindCluster(spec: ClusterSpec): KindClusterPlan {
  const name = clusterNameFor(spec.variant);
  const { image } = nodeImageFor(spec.kubernetes ?? defaultKubernetesMinor);
  const workers = spec.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0)
    throw new Error(`workers must be a whole number ≥ 0, not ${workers}`);

  const controlPlane: KindNode = { role: 'control-plane', image };
  if (spec.ingress !== false) {
    const ingress = spec.ingress ?? {};
    const nodePort = ingress.nodePort ?? kourierHttpNodePort;
    controlPlane.extraPortMappings = [
      {
        containerPort: nodePort,
        hostPort: ingress.hostPort ?? 0,
        listenAddress: ingress.listenAddress ?? '127.0.0.1',
        protocol: 'TCP',
      },
    ];
  }
  const config: KindCluster = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name,
    nodes: [controlPlane, ...Array.from({ length: workers }, (): KindNode => ({ role: 'worker', image }))],
    ...(spec.featureGates && Object.keys(spec.featureGates).length
      ? { featureGates: spec.featureGates }
      : {}),
    ...(spec.registry ? { containerdConfigPatches: [containerdRegistryPatch] } : {}),
  };
  const configHash = hashConfig(config);
  controlPlane.labels = { [configHashLabel]: configHash.slice(0, 16) };

  const problems = kindConfigProblems(config);
  if (problems.length)
    throw new Error(`generated kind config for ${name} is invalid:\n  ${problems.join('\n  ')}`);
  return { name, context: `kind-${name}`, config, configHash, nodeImage: image };
}

function hashConfig(config: KindCluster): string {
  return createHash('sha256').update(canonicalJson({ kindVersion, config })).digest('hex');
}

/** JSON with object keys sorted, so equal configs hash equally whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
