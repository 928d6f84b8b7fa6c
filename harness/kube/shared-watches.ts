import { Inbox } from './inbox.ts';
import type { WatchEvent, WatchTarget } from './types.ts';
import type { ResumableWatchOptions } from './watch.ts';

type SubscriberOptions = Pick<ResumableWatchOptions, 'signal' | 'onReconnect' | 'onListed'>;

/** What the shared watches are built on: `Kube.watch` (a resumable list+watch). */
export interface WatchProvider {
  watch(target: WatchTarget, options: SubscriberOptions): AsyncIterable<WatchEvent>;
}

type Delivery = { kind: 'event'; event: WatchEvent } | { kind: 'failed'; error: unknown } | { kind: 'ended' };

interface Subscriber {
  namespace: string;
  inbox: Inbox<Delivery>;
  options: SubscriberOptions;
}

/**
 * One resumable watch per kind across all namespaces, shared by every namespaced watch of that kind,
 * as client-go's shared informers do: a run's concurrent attempts would otherwise open one list+watch
 * per kind each (hundreds of streams and TLS sessions for 50 cases), which is what slows a busy run.
 *
 * A subscriber gets what a list+watch of its namespace would give: the namespace's current objects
 * (origin `list`, once the shared watch has listed), then every later change of that namespace in
 * server order. Reconnects and relists of the shared watch are reported to every subscriber. Targets
 * with a label or field selector, or without a namespace, are not shared: they get their own watch.
 */
export class SharedWatches {
  readonly #provider: WatchProvider;
  readonly #feeds = new Map<string, KindFeed>();
  readonly #closed = new AbortController();

  constructor(provider: WatchProvider) {
    this.#provider = provider;
  }

  watch(target: WatchTarget, options: SubscriberOptions = {}): AsyncIterable<WatchEvent> {
    const { namespace } = target;
    if (namespace === undefined || target.labelSelector || target.fieldSelector)
      return this.#provider.watch(target, options);
    return {
      [Symbol.asyncIterator]: () => this.#subscribe(target, namespace, options),
    };
  }

  /** Stops every shared watch; subscribers still iterating end cleanly. */
  close(): void {
    this.#closed.abort();
  }

  async *#subscribe(
    target: WatchTarget,
    namespace: string,
    options: SubscriberOptions,
  ): AsyncGenerator<WatchEvent, void, undefined> {
    const signal = options.signal ?? new AbortController().signal;
    const subscriber: Subscriber = { namespace, inbox: new Inbox(signal), options };
    const feed = this.#feedFor(target.apiVersion, target.kind);
    feed.add(subscriber);
    try {
      for (;;) {
        const delivery = await subscriber.inbox.next();
        if (delivery === undefined || delivery.kind === 'ended') return;
        if (delivery.kind === 'failed') throw delivery.error;
        yield delivery.event;
      }
    } finally {
      feed.remove(subscriber);
      subscriber.inbox.dispose();
    }
  }

  #feedFor(apiVersion: string, kind: string): KindFeed {
    const key = `${apiVersion}/${kind}`;
    let feed = this.#feeds.get(key);
    if (!feed) {
      const created = new KindFeed(this.#provider, { apiVersion, kind }, this.#closed.signal, () => {
        // A failed feed is forgotten, so the next subscriber tries again with a fresh list+watch.
        if (this.#feeds.get(key) === created) this.#feeds.delete(key);
      });
      feed = created;
      this.#feeds.set(key, feed);
    }
    return feed;
  }
}

/** The shared watch of one kind: the current objects per namespace, and the subscribers per namespace. */
class KindFeed {
  /** namespace → name → latest object. */
  readonly #objects = new Map<string, Map<string, WatchEvent['object']>>();
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  /** Subscribers waiting for the first list. */
  readonly #waiting = new Set<Subscriber>();
  #listedVersion: string | undefined;
  #outcome: Delivery | undefined;

  constructor(provider: WatchProvider, target: WatchTarget, signal: AbortSignal, onEnd: () => void) {
    void this.#run(provider, target, signal).finally(onEnd);
  }

  add(subscriber: Subscriber): void {
    if (this.#outcome) subscriber.inbox.push(this.#outcome);
    else if (this.#listedVersion === undefined) this.#waiting.add(subscriber);
    else this.#admit(subscriber, this.#listedVersion);
  }

  remove(subscriber: Subscriber): void {
    this.#waiting.delete(subscriber);
    const subscribers = this.#subscribers.get(subscriber.namespace);
    subscribers?.delete(subscriber);
    if (subscribers?.size === 0) this.#subscribers.delete(subscriber.namespace);
  }

  async #run(provider: WatchProvider, target: WatchTarget, signal: AbortSignal): Promise<void> {
    try {
      const events = provider.watch(target, {
        signal,
        onListed: (resourceVersion) => {
          if (this.#listedVersion !== undefined) return;
          this.#listedVersion = resourceVersion;
          for (const subscriber of this.#waiting) this.#admit(subscriber, resourceVersion);
          this.#waiting.clear();
        },
        onReconnect: (info) => {
          for (const subscribers of this.#subscribers.values())
            for (const s of subscribers) s.options.onReconnect?.(info);
        },
      });
      for await (const event of events) this.#deliver(event);
      this.#end({ kind: 'ended' });
    } catch (error) {
      this.#end({ kind: 'failed', error });
    }
  }

  /** The namespace's current objects as a list would give them, then every later change. */
  #admit(subscriber: Subscriber, resourceVersion: string): void {
    const receivedAt = Date.now();
    for (const object of this.#objects.get(subscriber.namespace)?.values() ?? [])
      subscriber.inbox.push({ kind: 'event', event: { type: 'ADDED', object, receivedAt, origin: 'list' } });
    let subscribers = this.#subscribers.get(subscriber.namespace);
    if (!subscribers) {
      subscribers = new Set();
      this.#subscribers.set(subscriber.namespace, subscribers);
    }
    subscribers.add(subscriber);
    subscriber.options.onListed?.(resourceVersion);
  }

  #deliver(event: WatchEvent): void {
    const namespace = event.object.metadata?.namespace ?? '';
    const name = event.object.metadata?.name ?? '';
    let objects = this.#objects.get(namespace);
    if (event.type === 'DELETED') {
      objects?.delete(name);
      if (objects?.size === 0) this.#objects.delete(namespace);
    } else {
      if (!objects) {
        objects = new Map();
        this.#objects.set(namespace, objects);
      }
      objects.set(name, event.object);
    }
    for (const subscriber of this.#subscribers.get(namespace) ?? [])
      subscriber.inbox.push({ kind: 'event', event });
  }

  #end(outcome: Delivery): void {
    this.#outcome = outcome;
    for (const subscriber of this.#waiting) subscriber.inbox.push(outcome);
    for (const subscribers of this.#subscribers.values()) for (const s of subscribers) s.inbox.push(outcome);
  }
}
