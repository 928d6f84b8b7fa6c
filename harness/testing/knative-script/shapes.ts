/** The Kubernetes and Knative shapes the scripts read, and small helpers over them (versions, configuration). */
import type { FakeStore, KubernetesObject, ObjectRef } from '../store.ts';

export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: { port?: number | string; path?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  ports?: { containerPort: number; name?: string }[];
  env?: { name: string; value?: string }[];
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
  [field: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: ContainerSpec[]; [field: string]: unknown };
}

export type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export const SERVING = 'serving.knative.dev/v1';
export const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
export const probeFields = [
  'initialDelaySeconds',
  'timeoutSeconds',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
  'terminationGracePeriodSeconds',
] as const;

export const ref = (apiVersion: string, kind: string, namespace: string, name: string): ObjectRef => ({
  apiVersion,
  kind,
  namespace,
  name,
});
export const refTo = (o: KubernetesObject): ObjectRef =>
  ref(o.apiVersion!, o.kind!, o.metadata!.namespace!, o.metadata!.name!);
export const ownerRef = (o: KubernetesObject) => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata!.name!,
  uid: o.metadata!.uid!,
  controller: true,
  blockOwnerDeletion: true,
});
export const containersOf = (o: { spec?: { containers?: ContainerSpec[] } } | undefined): ContainerSpec[] =>
  o?.spec?.containers ?? [];

// ------------------------------------------------------------------------------------ versions and configuration

/** `v1.17.2`, `knative-v1.17.2` or `1.17.2` as [major, minor, patch]. */
export function versionParts(version: string): [number, number, number] {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`knative-script: not a Knative version: ${JSON.stringify(version)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export const atLeast = (version: string, minimum: string): boolean => {
  const [a, b] = [versionParts(version), versionParts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
};

/** A `config-*` ConfigMap's data in Knative's namespace. */
export function configData(store: FakeStore, systemNamespace: string, name: string): Record<string, string> {
  const cm = store.get(ref('v1', 'ConfigMap', systemNamespace, name)) as { data?: Record<string, string> };
  return cm?.data ?? {};
}

/** K§4: values are case-insensitive; anything but Enabled/Allowed/Disabled is ignored (default Disabled). */
export function multiContainerProbing(store: FakeStore, systemNamespace: string): boolean {
  return (
    configData(store, systemNamespace, 'config-features')['multi-container-probing']?.toLowerCase() ===
    'enabled'
  );
}

/** The serving container: the one with `ports`, or the only one (K§0 terms). */
export const servingIndex = (containers: ContainerSpec[]): number =>
  containers.length === 1 ? 0 : containers.findIndex((c) => (c.ports?.length ?? 0) > 0);
