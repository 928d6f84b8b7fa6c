import { z } from 'zod';
import { issueLines } from './issues.ts';

/**
 * The `kind.x-k8s.io/v1alpha4` Cluster config, field for field, as listed in ecosystem.md §6.2 (from
 * kind's `pkg/apis/config/v1alpha4/types.go`, checked against that file at kind HEAD 2026-08-21).
 * Objects are strict because kind rejects unknown fields. Port and name rules are kind's own
 * (`pkg/internal/apis/config/validate.go`): ports -1..65535 (-1 and 0 pick a free port), names
 * `^[a-z0-9.-]+$`, at least one control-plane node.
 */

const port = z.number().int().min(-1).max(65535);
const stringMap = z.record(z.string(), z.string());

const portMapping = z
  .object({
    containerPort: port,
    hostPort: port.optional(),
    listenAddress: z.string().optional(),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  })
  .strict();

const mount = z
  .object({
    hostPath: z.string(),
    containerPath: z.string(),
    readOnly: z.boolean().optional(),
    selinuxRelabel: z.boolean().optional(),
    propagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
  })
  .strict();

const patchJSON6902 = z
  .object({ group: z.string(), version: z.string(), kind: z.string(), patch: z.string() })
  .strict();

const node = z
  .object({
    role: z.enum(['control-plane', 'worker']).optional(),
    image: z.string().min(1).optional(),
    labels: stringMap.optional(),
    extraMounts: z.array(mount).optional(),
    extraPortMappings: z.array(portMapping).optional(),
    kubeadmConfigPatches: z.array(z.string()).optional(),
    kubeadmConfigPatchesJSON6902: z.array(patchJSON6902).optional(),
  })
  .strict();

const networking = z
  .object({
    ipFamily: z.enum(['ipv4', 'ipv6', 'dual']).optional(),
    apiServerAddress: z.string().optional(),
    apiServerPort: port.optional(),
    podSubnet: z.string().optional(),
    serviceSubnet: z.string().optional(),
    disableDefaultCNI: z.boolean().optional(),
    kubeProxyMode: z.enum(['iptables', 'nftables', 'ipvs', 'none']).optional(),
    dnsSearch: z.array(z.string()).optional(),
  })
  .strict();

export const kindClusterSchema = z
  .object({
    kind: z.literal('Cluster'),
    apiVersion: z.literal('kind.x-k8s.io/v1alpha4'),
    name: z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'cluster names must match ^[a-z0-9.-]+$')
      .optional(),
    nodes: z.array(node).optional(),
    networking: networking.optional(),
    featureGates: z.record(z.string(), z.boolean()).optional(),
    runtimeConfig: stringMap.optional(),
    kubeadmConfigPatches: z.array(z.string()).optional(),
    kubeadmConfigPatchesJSON6902: z.array(patchJSON6902).optional(),
    containerdConfigPatches: z.array(z.string()).optional(),
    containerdConfigPatchesJSON6902: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((cluster, ctx) => {
    // A node without a role is a control-plane node (kind's defaulting).
    if (cluster.nodes && !cluster.nodes.some((n) => (n.role ?? 'control-plane') === 'control-plane')) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'must have at least one control-plane node' });
    }
  });

export type KindCluster = z.infer<typeof kindClusterSchema>;
export type KindNode = NonNullable<KindCluster['nodes']>[number];

/** Problems with a kind config, one `path: message` line each; empty when it is valid. */
export function kindConfigProblems(config: unknown): string[] {
  const result = kindClusterSchema.safeParse(config);
  return result.success ? [] : issueLines(result.error);
}
