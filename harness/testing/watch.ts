import type { ServerResponse } from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Faults } from './faults.ts';
import type { RecordedRequest } from './requests.ts';
import { apiVersionOf, type ResourceType, resourceKey } from './resources.ts';
import { type ObjectPredicate, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, expired, type StatusBody } from './status.ts';
import { type FakeStore, jsonOf, type StoreChange } from './store.ts';

export type WireEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubernetesObject }
  | { type: 'BOOKMARK'; object: KubernetesObject }
  | { type: 'ERROR'; object: StatusBody };

export interface WatchRequest {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly query: URLSearchParams;
  readonly recorded: RecordedRequest;
}

export interface WatchContext {
  readonly store: FakeStore;
  readonly faults: Faults;
  readonly bookmarkIntervalMs: number;
}

/**
 * Translates a store change into what one watcher sees. Like the watch cache, an object that starts or
 * stops matching the selectors arrives as ADDED or DELETED (the latter with its previous content).
 */
export function eventFor(change: StoreChange, visible: ObjectPredicate): WireEvent | undefined {
  const now = visible(change.object);
  const before = change.oldObject !== undefined && visible(change.oldObject);
  switch (change.type) {
    case 'ADDED':
      return now ? { type: 'ADDED', object: change.object } : undefined;
    case 'DELETED':
      return now || before ? { type: 'DELETED', object: change.object } : undefined;
    case 'MODIFIED':
      if (now && before) return { type: 'MODIFIED', object: change.object };
      if (now) return { type: 'ADDED', object: change.object };
      if (before) {
        const previous = structuredClone(change.oldObject!);
        previous.metadata = { ...previous.metadata, resourceVersion: String(change.resourceVersion) };
        return { type: 'DELETED', object: previous };
      }
      return undefined;
  }
}

const parseResourceVersion = (raw: string | null): number | undefined => {
  if (raw === null || raw === '' || raw === '0') return undefined;
  const rv = Number(raw);
  return Number.isInteger(rv) && rv >= 0 ? rv : Number.NaN;
};

/** Serves `?watch=true` as a stream of JSON lines until the client leaves, a timeout, or a fault. */
export function serveWatch(ctx: WatchContext, request: WatchRequest, res: ServerResponse): void {
  const { type, namespace, query } = request;
  // Selector errors must surface as a normal HTTP error, before any streaming starts.
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, type);
  const visible: ObjectPredicate = (o) =>
    (namespace === undefined || o.metadata?.namespace === namespace) && labels(o) && fields(o);
  const fromVersion = parseResourceVersion(query.get('resourceVersion'));
  if (Number.isNaN(fromVersion))
    throw badRequest(`invalid resourceVersion: "${query.get('resourceVersion')}"`);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const initialEventsEnd = query.get('sendInitialEvents') === 'true';
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  const drop = ctx.faults.takeWatchDrop(request.recorded, type);

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();

  let sent = 0;
  let ended = false;
  const cleanups: (() => void)[] = [];
  const finish = (abrupt = false) => {
    if (ended) return;
    ended = true;
    for (const c of cleanups) c();
    // An abrupt drop still flushes what was written, then kills the socket without the final chunk.
    if (abrupt) res.write('', () => setImmediate(() => res.destroy()));
    else res.end();
  };
  res.on('close', () => finish());

  const write = (event: WireEvent) => {
    if (ended) return;
    // The same bytes as JSON.stringify(event), reusing the object's JSON from its commit.
    res.write(`{"type":"${event.type}","object":${jsonOf(event.object)}}\n`);
    if (event.type === 'BOOKMARK' || event.type === 'ERROR') return;
    sent += 1;
    if (drop && sent >= drop.afterEvents) finish(drop.abrupt);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write({
      type: 'BOOKMARK',
      object: {
        kind: type.kind,
        apiVersion: apiVersionOf(type),
        metadata: {
          resourceVersion: String(ctx.store.resourceVersion),
          ...(annotations ? { annotations } : {}),
        },
      },
    });

  if (drop && drop.afterEvents <= 0) {
    finish(drop.abrupt);
    return;
  }

  // Replay and subscription happen in one synchronous block, so no change can fall in between.
  let backlog: WireEvent[];
  if (fromVersion === undefined) {
    backlog = ctx.store
      .listIn(type)
      .filter(visible)
      .map((object) => ({ type: 'ADDED' as const, object }));
  } else {
    const changes = ctx.faults.takeGone(type) ? undefined : ctx.store.changesSince(type, fromVersion);
    if (changes === undefined) {
      write({ type: 'ERROR', object: expired(fromVersion, ctx.store.oldestResumable(type)) });
      finish();
      return;
    }
    backlog = changes.map((c) => eventFor(c, visible)).filter((e) => e !== undefined);
  }
  cleanups.push(
    ctx.store.onChange((change) => {
      if (resourceKey(change.resource) !== resourceKey(type)) return;
      const event = eventFor(change, visible);
      if (event) write(event);
    }),
  );
  for (const event of backlog) write(event);
  if (initialEventsEnd && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  // A drop fault may have ended the stream during the replay; timers armed now would never be cleared.
  if (ended) return;

  if (bookmarks && ctx.bookmarkIntervalMs > 0) {
    const timer = setInterval(() => bookmark(), ctx.bookmarkIntervalMs);
    cleanups.push(() => clearInterval(timer));
  }
  if (timeoutSeconds > 0) {
    const timer = setTimeout(() => finish(), timeoutSeconds * 1000);
    cleanups.push(() => clearTimeout(timer));
  }
}
