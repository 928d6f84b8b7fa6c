import type { V1Status } from '@kubernetes/client-node';
import { KubeApiError, toKubeError, UnknownKindError } from './errors.ts';
import { Inbox } from './inbox.ts';
import { type EmittedStates, isReplay, recordEmitted, relistChanges } from './relist-diff.ts';
import { abortableSleep, type BackoffPolicy, backoffDelayMs, isRetryable } from './retry.ts';
import type { KubernetesObject, WatchEvent, WatchEventType } from './types.ts';

/** A consistent snapshot: the items and the resourceVersion to watch from. */
export interface Listing {
  items: KubernetesObject[];
  resourceVersion: string;
}

export interface StreamHandlers {
  /** One decoded watch line: ADDED/MODIFIED/DELETED/BOOKMARK/ERROR and its object. */
  onEvent(type: string, object: KubernetesObject): void;
  /** The stream is over: `undefined`/`null` when it ended cleanly, else why. */
  onDone(error: unknown): void;
}

/** What the resumable watch needs from below; the real one is client-node's list + Watch. */
export interface WatchBackend {
  list(signal: AbortSignal): Promise<Listing>;
  /**
   * Opens `?watch=true&resourceVersion=rv&allowWatchBookmarks=true`. The stream must end itself
   * (onDone with a `TimeoutError`) when nothing arrives for `stallTimeoutMs`.
   */
  open(resourceVersion: string, handlers: StreamHandlers, stallTimeoutMs: number): Promise<{ abort(): void }>;
}

export interface ResumableWatchOptions {
  signal?: AbortSignal;
  /** Reconnect when neither an event nor a bookmark arrived for this long. */
  stallTimeoutMs?: number;
  /** Pauses between consecutive unproductive attempts. */
  backoff?: BackoffPolicy;
  /** Called on every reconnect and relist, for diagnostics (messages are redacted). */
  onReconnect?: (info: { reason: string; delayMs: number; relist: boolean }) => void;
  /**
   * Called after each list, once its items were yielded: from then on every change is delivered, so a
   * caller that must see every state of objects it is about to create waits for the first call.
   */
  onListed?: (resourceVersion: string) => void;
}

// kube-apiserver sends a bookmark to watchers that ask for them about once a minute.
export const defaultStallTimeoutMs = 90_000;
export const defaultWatchBackoff: BackoffPolicy = { initialMs: 250, maxMs: 30_000, factor: 2 };

type StreamOutcome =
  | { kind: 'aborted' }
  | { kind: 'gone'; productive: boolean }
  | { kind: 'ended'; productive: boolean; error: unknown };

/**
 * list, then watch from the list's resourceVersion with bookmarks; on a dropped, failed or stalled
 * stream, watch again from the last resourceVersion seen; on 410 Gone, list again and emit only the
 * differences against what was emitted. Every state is emitted at most once, in server order.
 *
 * Guarantee across a 410: states that came and went between the last event received and the
 * relist are unobservable by any client; the relist emits the state current at relist time, and
 * DELETED (carrying the last emitted state) for objects gone meanwhile.
 *
 * A stream that delivered something is followed by an immediate reconnect; consecutive attempts
 * that deliver nothing back off exponentially with jitter. Non-retryable API answers (401, 403,
 * 404, ...) end the iteration with that error; other failures are retried until the signal is
 * aborted, which ends the iteration cleanly.
 */
export async function* resumableWatch(
  backend: WatchBackend,
  options: ResumableWatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const signal = options.signal ?? new AbortController().signal;
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
  const backoff = options.backoff ?? defaultWatchBackoff;
  const emitted: EmittedStates = new Map();
  let resourceVersion: string | undefined;
  let origin: 'list' | 'relist' = 'list';
  let failures = 0;

  const pause = async (reason: string, productive: boolean, relist: boolean): Promise<boolean> => {
    failures = productive ? 0 : failures + 1;
    const delayMs = failures === 0 ? 0 : backoffDelayMs(failures, backoff);
    options.onReconnect?.({ reason, delayMs, relist });
    try {
      if (delayMs > 0) await abortableSleep(delayMs, signal);
    } catch {
      return false;
    }
    return !signal.aborted;
  };

  while (!signal.aborted) {
    if (resourceVersion === undefined) {
      let listing: Listing;
      try {
        listing = await backend.list(signal);
      } catch (err) {
        if (signal.aborted) return;
        const error = toKubeError(err, 'list for watch');
        if (isFatal(error)) throw error;
        if (await pause(error.message, false, true)) continue;
        return;
      }
      const receivedAt = Date.now();
      for (const change of relistChanges(emitted, listing.items)) {
        recordEmitted(emitted, change);
        yield { ...change, receivedAt, origin };
      }
      resourceVersion = listing.resourceVersion;
      options.onListed?.(listing.resourceVersion);
    }

    const outcome: StreamOutcome = yield* streamFrom(resourceVersion);
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'gone') {
      resourceVersion = undefined;
      origin = 'relist';
      if (await pause('410 Gone', outcome.productive, true)) continue;
      return;
    }
    const reason = describeEnd(outcome.error);
    const error = outcome.error ? toKubeError(outcome.error, 'watch') : undefined;
    if (error && isFatal(error)) throw error;
    if (!(await pause(reason, outcome.productive, false))) return;
  }

  async function* streamFrom(fromVersion: string): AsyncGenerator<WatchEvent, StreamOutcome, undefined> {
    const queue = new Inbox<StreamItem>(signal);
    let handle: { abort(): void };
    try {
      handle = await backend.open(
        fromVersion,
        {
          onEvent: (type, object) => queue.push({ kind: 'event', type, object, receivedAt: Date.now() }),
          onDone: (error) => queue.push({ kind: 'done', error }),
        },
        stallTimeoutMs,
      );
    } catch (error) {
      queue.dispose();
      return signal.aborted ? { kind: 'aborted' } : { kind: 'ended', productive: false, error };
    }
    let productive = false;
    try {
      for (;;) {
        const item = await queue.next();
        if (item === undefined) return { kind: 'aborted' };
        if (item.kind === 'done') {
          return isGone(item.error)
            ? { kind: 'gone', productive }
            : { kind: 'ended', productive, error: item.error };
        }
        if (item.type === 'ERROR') {
          const status = item.object as V1Status;
          if (status.code === 410) return { kind: 'gone', productive };
          return { kind: 'ended', productive, error: new KubeApiError('watch', status) };
        }
        const version = item.object.metadata?.resourceVersion;
        if (item.type === 'BOOKMARK') {
          productive = true;
          if (version) resourceVersion = version;
          continue;
        }
        if (item.type !== 'ADDED' && item.type !== 'MODIFIED' && item.type !== 'DELETED') continue;
        productive = true;
        if (version) resourceVersion = version;
        const change = { type: item.type as WatchEventType, object: item.object };
        if (isReplay(emitted, change)) continue;
        recordEmitted(emitted, change);
        yield { ...change, receivedAt: item.receivedAt, origin: 'watch' };
      }
    } finally {
      handle.abort();
      queue.dispose();
    }
  }
}

type StreamItem =
  | { kind: 'event'; type: string; object: KubernetesObject; receivedAt: number }
  | { kind: 'done'; error: unknown };

/** 410 as an HTTP answer to the watch request itself. */
function isGone(error: unknown): boolean {
  const code = (error as { statusCode?: unknown; code?: unknown } | undefined | null) ?? {};
  return code.statusCode === 410 || (error instanceof KubeApiError && error.code === 410);
}

/**
 * Only a definite answer from the API server ends a watch (401, 403, 404, 422, ... and unknown
 * kinds); anything else (dropped connections, stalls, 5xx, 429, odd transport errors) is retried
 * until aborted, as client-go's reflector does.
 */
function isFatal(error: Error): boolean {
  return (error instanceof KubeApiError && !isRetryable(error)) || error instanceof UnknownKindError;
}

function isStall(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'TimeoutError';
}

function describeEnd(error: unknown): string {
  if (!error) return 'stream ended';
  if (isStall(error)) return 'stalled: no event or bookmark in time';
  return toKubeError(error, 'watch').message;
}
