/**
 * Shapes of what the access layer hands out. Objects are the API server's JSON exactly as sent:
 * timestamps stay strings (client-node's typed models would turn them into Dates and drop
 * MicroTime precision and unknown fields, which a conformance trace must not do).
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface WatchTarget {
  apiVersion: string;
  kind: string;
  /** Omit for cluster-scoped kinds or to watch all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubernetesObject;
  /** Epoch ms when the event reached this process (for list-derived events: when the list arrived). */
  receivedAt: number;
  /** How the state was learned: initial list, live watch stream, or a relist after 410 Gone. */
  origin: 'list' | 'watch' | 'relist';
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** `namespace/name` (or just `name` when cluster-scoped): identity of an object within one kind. */
export function objectKey(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/** Human-readable reference for messages: `serving.knative.dev/v1 Service default/hello`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
