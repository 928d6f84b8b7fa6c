/**
 * The recorder: watches everything a scenario causes in its namespace and writes each watch event
 * to the trace as it arrives. Written against a minimal watch interface that the kube layer's
 * `Kube` satisfies, so it can be driven by an in-memory source in tests.
 */

import type { TraceObject, WatchEventType } from './trace.ts';
import type { TraceWriter } from './trace-writer.ts';

export interface RecorderWatchTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface RecorderWatchEvent {
  type: WatchEventType;
  object: TraceObject;
  /** Epoch ms when the event reached this process. */
  receivedAt: number;
  /** How the state was learned: the initial list, the live stream, or a relist after 410 Gone. */
  origin?: 'list' | 'watch' | 'relist';
}

/** What the recorder needs from the kube layer (`Kube.watch` satisfies it). */
export interface WatchSource {
  watch(
    target: RecorderWatchTarget,
    options?: {
      signal?: AbortSignal;
      onReconnect?: (info: { reason: string; delayMs: number; relist: boolean }) => void;
      /** Called after each list; from the first call on, every change reaches the iterable. */
      onListed?: (resourceVersion: string) => void;
    },
  ): AsyncIterable<RecorderWatchEvent>;
}

/** The kinds a scenario causes, watched in its namespace. */
export const scenarioKinds: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'serving.knative.dev/v1', kind: 'Service' },
  { apiVersion: 'serving.knative.dev/v1', kind: 'Configuration' },
  { apiVersion: 'serving.knative.dev/v1', kind: 'Revision' },
  { apiVersion: 'serving.knative.dev/v1', kind: 'Route' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  { apiVersion: 'v1', kind: 'Event' },
];

export const defaultSystemNamespace = 'knative-serving';

export interface RecordOptions {
  source: WatchSource;
  writer: TraceWriter;
  namespace: string;
  /**
   * Knative's namespace, whose Events are kept when they are about the scenario's objects;
   * `null` to skip. Default knative-serving (Knative's own CI uses a random one).
   */
  systemNamespace?: string | null;
  kinds?: readonly { apiVersion: string; kind: string }[];
  signal: AbortSignal;
  /**
   * Called once every watch has listed (or ended): from then on no state of an object created in the
   * namespace can be missed, so the harness waits for it before its first write.
   */
  onReady?: () => void;
}

export interface WatchSummary {
  target: RecorderWatchTarget;
  events: number;
  /** Why the watch ended early, if it did. */
  error?: string;
}

export interface RecordSummary {
  watches: WatchSummary[];
}

const describeTarget = (t: RecorderWatchTarget): string =>
  `${t.apiVersion} ${t.kind}${t.namespace ? ` in ${t.namespace}` : ''}`;

/**
 * Records until `signal` aborts (or every watch has ended). Each event is written when it arrives;
 * a watch that fails (e.g. Knative not installed) is noted in the trace and the others go on.
 */
export async function record(options: RecordOptions): Promise<RecordSummary> {
  const { source, writer, namespace, signal } = options;
  const systemNamespace =
    options.systemNamespace === undefined ? defaultSystemNamespace : options.systemNamespace;
  const kinds = options.kinds ?? scenarioKinds;
  /** uids of the scenario's objects, so system-namespace Events about them can be recognised. */
  const scenarioUids = new Set<string>();

  const aboutScenario = (event: TraceObject): boolean => {
    const e = event as {
      involvedObject?: { namespace?: string; uid?: string };
      regarding?: { namespace?: string; uid?: string };
    };
    const involved = e.involvedObject ?? e.regarding;
    return (
      involved?.namespace === namespace || (involved?.uid !== undefined && scenarioUids.has(involved.uid))
    );
  };

  const targets = kinds.length + (systemNamespace !== null && systemNamespace !== namespace ? 1 : 0);
  let listed = 0;
  const settled = () => {
    listed += 1;
    if (listed === targets) options.onReady?.();
  };

  const watchOne = async (
    target: RecorderWatchTarget,
    keep: (o: TraceObject) => boolean,
  ): Promise<WatchSummary> => {
    const summary: WatchSummary = { target, events: 0 };
    let first = true;
    const once = () => {
      if (first) settled();
      first = false;
    };
    try {
      const events = source.watch(target, {
        onListed: once,
        signal,
        onReconnect: (info) =>
          writer.note(
            `watch of ${describeTarget(target)} ${info.relist ? 'relisted' : 'reconnected'}: ${info.reason}`,
            {
              watch: target,
              relist: info.relist,
            },
          ),
      });
      for await (const event of events) {
        if (target.namespace === namespace && event.object.metadata?.uid)
          scenarioUids.add(event.object.metadata.uid);
        if (!keep(event.object)) continue;
        writer.watch(event.type, event.object, event.receivedAt, event.origin);
        summary.events += 1;
        if (signal.aborted) break;
      }
      once();
    } catch (error) {
      once();
      if (!signal.aborted) {
        summary.error = error instanceof Error ? error.message : String(error);
        writer.note(`watch of ${describeTarget(target)} ended: ${summary.error}`, {
          watch: target,
          error: summary.error,
        });
      }
    }
    return summary;
  };

  const all = (_: TraceObject) => true;
  const watches = kinds.map((k) => watchOne({ ...k, namespace }, all));
  if (systemNamespace !== null && systemNamespace !== namespace) {
    watches.push(watchOne({ apiVersion: 'v1', kind: 'Event', namespace: systemNamespace }, aboutScenario));
  }
  return { watches: await Promise.all(watches) };
}
