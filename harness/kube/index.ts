/**
 * The Kubernetes access layer: everything kpc does to a cluster goes through `Kube`.
 * Objects are the API server's JSON unchanged; errors are typed and free of credentials.
 */
export type { KubeSource } from './config.ts';
export { loadKubeConfig } from './config.ts';
export {
  AdmissionDenied,
  ExecFailed,
  KubeApiError,
  KubeConnectionError,
  KubeTimeoutError,
  parseAdmissionDenial,
  toKubeError,
  UnknownKindError,
} from './errors.ts';
export type { EventSubject, KubeEvent } from './events.ts';
export { execProtocols } from './exec.ts';
export { connectKube, defaultFieldManager, Kube, type KubeOptions } from './kube.ts';
export { RUN_LABEL, SCENARIO_LABEL, validateLabels } from './labels.ts';
export { REDACTED, redact, redactedMessage } from './redact.ts';
export { type ObservedChange, relistChanges } from './relist-diff.ts';
export { type BackoffPolicy, defaultRetryPolicy, isRetryable, type RetryPolicy, withRetry } from './retry.ts';
export { SharedWatches, type WatchProvider } from './shared-watches.ts';
export type {
  ExecResult,
  ExecTarget,
  KubernetesObject,
  ObjectMeta,
  ObjectRef,
  PropagationPolicy,
  WatchEvent,
  WatchEventType,
  WatchTarget,
} from './types.ts';
export { describeRef, objectKey } from './types.ts';
export {
  defaultStallTimeoutMs,
  type ResumableWatchOptions,
  resumableWatch,
  type WatchBackend,
} from './watch.ts';
