/**
 * A fake Kubernetes API server for offline tests: real HTTPS, a kubeconfig, discovery, a generic object
 * store with watch, patches, exec over WebSocket, logs, admission hooks, fault injection and scripted
 * reactors. See docs/fake-api-server.md.
 */
export {
  type AdmissionDecision,
  type AdmissionHook,
  type AdmissionOperation,
  type AdmissionRequest,
  webhookDenial,
  webhookDenialStatus,
} from './admission.ts';
export { type Condition, getCondition, type SetConditionOptions, setCondition } from './conditions.ts';
export {
  type ExecAnswer,
  type ExecHandler,
  type ExecProtocol,
  type ExecRequest,
  execStatus,
} from './exec.ts';
export type { FaultInjector, ResourceSelector } from './faults.ts';
export * from './knative-script.ts';
export type { LogHandler, LogRequest } from './logs.ts';
export { PatchType } from './patch.ts';
export { type FakePki, fakePki } from './pki.ts';
export {
  type Reactor,
  type ReactorAction,
  type ReactorContext,
  type ReactorEvent,
  type ReactorHandle,
  type ReactorStep,
  refOf,
} from './reactors.ts';
export type { RecordedRequest, RequestMatch } from './requests.ts';
export { defaultResources, ResourceRegistry, type ResourceSpec, type ResourceType } from './resources.ts';
export { type FakeApiServer, type FakeApiServerOptions, startFakeApiServer } from './server.ts';
export { ApiStatusError, type StatusBody } from './status.ts';
export {
  type CreateOptions,
  type DeleteOptions,
  FakeStore,
  type KubernetesObject,
  kubeTime,
  type ListOptions,
  type ObjectRef,
  type PatchOptions,
  type PropagationPolicy,
  type StoreChange,
  type StoreOptions,
  type WatchEventType,
  type WriteOptions,
} from './store.ts';
