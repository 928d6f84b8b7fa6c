export type { LeftoverReport, RunClusters } from './cleanup.ts';
export { cleanupByLabel, createLabelledNetwork } from './cleanup.ts';
export type { CommandOptions, CommandResult, CommandRunner } from './command.ts';
export {
  CommandCanceled,
  CommandFailed,
  CommandNotFound,
  execaRunner,
  formatCommand,
  toolBinary,
} from './command.ts';
export type { ExistingClusterOptions } from './existing-provider.ts';
export { ExistingClusterProvider, withoutRegistry } from './existing-provider.ts';
export type { RecordedCall } from './fake-runner.ts';
export { FakeRunner } from './fake-runner.ts';
export type { ClusterSpec, IngressMapping, KindClusterPlan } from './kind-config.ts';
export {
  clusterNameFor,
  containerdRegistryPatch,
  kourierHttpNodePort,
  planKindCluster,
} from './kind-config.ts';
export type { KindProviderOptions } from './kind-provider.ts';
export { KindProvider } from './kind-provider.ts';
export type { KindCluster } from './kind-schema.ts';
export { kindClusterSchema, kindConfigProblems } from './kind-schema.ts';
export { componentLabel, configHashLabel, runLabel, runLabels } from './labels.ts';
export type {
  ClusterInfo,
  ClusterProvider,
  CreateOptions,
  DestroyResult,
  ExportLogsResult,
  KubeconfigRef,
  LoadedImages,
} from './provider.ts';
export { ClusterCreateError, ClusterOwnershipError, UnsupportedByProvider } from './provider.ts';
export type { ClusterRecord } from './records.ts';
export { ClusterRecords } from './records.ts';
export type {
  ConnectRegistryOptions,
  LocalRegistry,
  LocalRegistryHostingConfigMap,
  LocalRegistryOptions,
} from './registry.ts';
export { connectRegistryToKind, localRegistryHosting, startLocalRegistry } from './registry.ts';
export type { CleanupReport, RunScopeOptions, SignalHost } from './run-scope.ts';
export { RunInterrupted, RunScope, withRunScope } from './run-scope.ts';
