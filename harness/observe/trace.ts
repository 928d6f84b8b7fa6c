/**
 * Trace format v1: JSON Lines, one observation or harness action per line. A public contract,
 * documented in docs/trace-format.md. Readers ignore fields and line types they do not know.
 */

/** A Kubernetes object as the API server sent it; only the fields kpc reads are typed. */
export interface TraceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

interface LineBase {
  v: 1;
  /** Strictly increasing within a trace. */
  seq: number;
  /** RFC 3339 UTC with milliseconds; non-decreasing within a trace written by kpc. */
  at: string;
  /** Optional: milliseconds since the writer started, on a monotonic clock. */
  mono?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchLine extends LineBase {
  type: 'watch';
  event: WatchEventType;
  object: TraceObject;
  /** Optional: how the recorder learned the state (initial list, live stream, relist after 410 Gone). */
  origin?: 'list' | 'watch' | 'relist';
}

export interface ActionTarget {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** For exec (and logs): the container. */
  container?: string;
}

export interface ActionError {
  /** HTTP status code, when the API server answered. */
  code?: number;
  /** Status reason, e.g. BadRequest, NotFound. */
  reason?: string;
  /** The Status message exactly as the API server sent it. */
  message: string;
  /** For an admission denial: the webhook that denied the request. */
  webhook?: string;
  /** For an admission denial: the webhook's own message, without the API server's wrapper. */
  denial?: string;
}

export interface ActionLine extends LineBase {
  type: 'action';
  /** apply, patch, delete, exec, request, … */
  action: string;
  target: ActionTarget;
  outcome: 'ok' | 'error';
  error?: ActionError;
  /** Free-form: exec exitCode/stdout/stderr/command, HTTP status; for apply, `object` (what was sent). */
  detail?: Record<string, unknown>;
  /** Optional: the scenario step that performed the action. */
  step?: string;
  /** Optional: when the action began; `at` is when its outcome was known. */
  startedAt?: string;
}

/** Optional first-line content: what this trace is a recording of. */
export interface TraceHeader {
  scenario?: string;
  /** The scenario case (matrix cell), e.g. `sidecar-exec[period=0]`. */
  case?: string;
  variant?: string;
  namespace?: string;
  /** The Knative Service's name; resolves `{{service}}` in expectations. */
  service?: string;
  cluster?: string;
  /** e.g. { kpc, kubernetes, knative } */
  versions?: Record<string, string>;
  [key: string]: unknown;
}

export interface NoteLine extends LineBase {
  type: 'note';
  text: string;
  /** Optional, on the first line of traces written by kpc. */
  header?: TraceHeader;
}

export type TraceLine = WatchLine | ActionLine | NoteLine;

export {
  parseTraceChunks,
  type ReadTraceOptions,
  readTrace,
  TraceFormatError,
  TraceLineParser,
} from './trace-reader.ts';
export {
  type ActionRecord,
  actionErrorOf,
  fileLineSink,
  formatTraceTime,
  type LineSink,
  memoryLineSink,
  systemClock,
  type TraceClock,
  TraceWriter,
} from './trace-writer.ts';
