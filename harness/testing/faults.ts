import { matches, type RecordedRequest, type RequestMatch } from './requests.ts';
import type { ResourceType } from './resources.ts';
import type { FakeStore } from './store.ts';

/** Names a resource by apiVersion and kind, e.g. `{ apiVersion: 'serving.knative.dev/v1', kind: 'Service' }`. */
export interface ResourceSelector {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface RespondFault {
  readonly code: number;
  readonly retryAfterSeconds?: number;
  readonly message?: string;
}

export interface WatchDrop {
  readonly afterEvents: number;
  /** Destroy the socket instead of ending the chunked response cleanly. */
  readonly abrupt: boolean;
}

/** Failure modes a test can switch on; each applies to the next matching requests only. */
export interface FaultInjector {
  /** Answer the next `times` (default 1) matching requests with this code and a Status body (+ `Retry-After`). */
  respond(
    code: number,
    options?: { retryAfterSeconds?: number; times?: number; match?: RequestMatch; message?: string },
  ): void;
  /** Delay matching requests by `ms` (for `times` requests; default every request). */
  latency(ms: number, options?: { times?: number; match?: RequestMatch }): void;
  /** End the next `times` (default 1) matching watch streams after `events` events (bookmarks not counted). */
  dropWatchAfter(
    events: number,
    options?: { resource?: ResourceSelector; match?: RequestMatch; times?: number; abrupt?: boolean },
  ): void;
  /** The next watch that resumes from a resourceVersion gets `410 Gone` (an ERROR event, reason Expired). */
  goneOnce(options?: { resource?: ResourceSelector }): void;
  /** Compact watch history (of one resource, or all): every resourceVersion up to now becomes too old. */
  compact(resource?: ResourceSelector): void;
  /** Reset the TCP connection of the next `times` (default 1) matching requests without answering. */
  resetConnection(options?: { times?: number; match?: RequestMatch }): void;
  /** Remove every pending fault. */
  clear(): void;
}

interface Armed<T> {
  remaining: number;
  readonly match?: RequestMatch;
  readonly resource?: ResourceSelector;
  readonly value: T;
}

const matchesResource = (selector: ResourceSelector | undefined, type: ResourceType | undefined): boolean =>
  selector === undefined ||
  (type !== undefined &&
    type.kind === selector.kind &&
    (type.group === '' ? type.version : `${type.group}/${type.version}`) === selector.apiVersion);

/** Takes one use of the first armed fault that matches, dropping it once used up. */
function take<T>(list: Armed<T>[], accept: (armed: Armed<T>) => boolean): T | undefined {
  const index = list.findIndex(accept);
  if (index < 0) return undefined;
  const armed = list[index]!;
  armed.remaining -= 1;
  if (armed.remaining <= 0) list.splice(index, 1);
  return armed.value;
}

export class Faults implements FaultInjector {
  readonly #store: FakeStore;
  readonly #responds: Armed<RespondFault>[] = [];
  readonly #latencies: Armed<number>[] = [];
  readonly #drops: Armed<WatchDrop>[] = [];
  readonly #gones: Armed<true>[] = [];
  readonly #resets: Armed<true>[] = [];

  constructor(store: FakeStore) {
    this.#store = store;
  }

  respond(
    code: number,
    options: { retryAfterSeconds?: number; times?: number; match?: RequestMatch; message?: string } = {},
  ): void {
    if (!Number.isInteger(code) || code < 400 || code > 599)
      throw new Error(`faults.respond: code must be 4xx or 5xx, got ${code}`);
    this.#responds.push({
      remaining: options.times ?? 1,
      match: options.match,
      value: { code, retryAfterSeconds: options.retryAfterSeconds, message: options.message },
    });
  }

  latency(ms: number, options: { times?: number; match?: RequestMatch } = {}): void {
    this.#latencies.push({
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      match: options.match,
      value: ms,
    });
  }

  dropWatchAfter(
    events: number,
    options: { resource?: ResourceSelector; match?: RequestMatch; times?: number; abrupt?: boolean } = {},
  ): void {
    this.#drops.push({
      remaining: options.times ?? 1,
      match: options.match,
      resource: options.resource,
      value: { afterEvents: events, abrupt: options.abrupt ?? false },
    });
  }

  goneOnce(options: { resource?: ResourceSelector } = {}): void {
    this.#gones.push({ remaining: 1, resource: options.resource, value: true });
  }

  compact(resource?: ResourceSelector): void {
    this.#store.compact(
      resource ? this.#store.registry.requireKind(resource.apiVersion, resource.kind) : undefined,
    );
  }

  resetConnection(options: { times?: number; match?: RequestMatch } = {}): void {
    this.#resets.push({ remaining: options.times ?? 1, match: options.match, value: true });
  }

  clear(): void {
    for (const list of [this.#responds, this.#latencies, this.#drops, this.#gones, this.#resets])
      list.length = 0;
  }

  // ---- used by the server while handling a request ----

  takeReset(request: RecordedRequest): boolean {
    return take(this.#resets, (a) => matches(a.match, request)) ?? false;
  }

  takeLatency(request: RecordedRequest): number {
    return take(this.#latencies, (a) => matches(a.match, request)) ?? 0;
  }

  takeRespond(request: RecordedRequest): RespondFault | undefined {
    return take(this.#responds, (a) => matches(a.match, request));
  }

  takeWatchDrop(request: RecordedRequest, type: ResourceType): WatchDrop | undefined {
    return take(this.#drops, (a) => matches(a.match, request) && matchesResource(a.resource, type));
  }

  takeGone(type: ResourceType): boolean {
    return take(this.#gones, (a) => matchesResource(a.resource, type)) ?? false;
  }
}
