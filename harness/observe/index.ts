/** Recording: the trace format (docs/trace-format.md), its reader and writer, and the recorder. */
export {
  defaultSystemNamespace,
  type RecorderWatchEvent,
  type RecorderWatchTarget,
  type RecordOptions,
  type RecordSummary,
  record,
  scenarioKinds,
  type WatchSource,
  type WatchSummary,
} from './recorder.ts';
export { redactSecrets } from './redact.ts';
export * from './trace.ts';
