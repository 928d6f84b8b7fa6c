import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { listAll } from './list.ts';
import type { KubeTransport } from './transport.ts';
import type { KubernetesObject, WatchTarget } from './types.ts';
import type { WatchBackend } from './watch.ts';

/**
 * The resumable watch's I/O on client-node: lists through the transport (retries are left to the
 * watch loop, which keeps trying until aborted), streams through client-node's `Watch`, whose
 * inactivity timer doubles as stall detection.
 */
export function clientNodeWatchBackend(
  kc: KubeConfig,
  transport: KubeTransport,
  collectionPath: string,
  target: WatchTarget,
): WatchBackend {
  const selectors = { labelSelector: target.labelSelector, fieldSelector: target.fieldSelector };
  return {
    list: (signal) =>
      listAll(transport, {
        path: collectionPath,
        apiVersion: target.apiVersion,
        kind: target.kind,
        query: selectors,
        signal,
        retry: false,
      }),
    open: async (resourceVersion, handlers, stallTimeoutMs) => {
      const watch = new Watch(kc);
      // client-node's connect + inactivity timer (30 s by default, reset on every chunk received) is
      // our stall detector. Its typings mark the knob private; it is a plain field in 2.0.1.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = stallTimeoutMs;
      const controller = await watch.watch(
        collectionPath,
        { ...selectors, resourceVersion, allowWatchBookmarks: true },
        (type: string, object: KubernetesObject) => handlers.onEvent(type, object),
        (error: unknown) => handlers.onDone(error),
      );
      return { abort: () => controller.abort() };
    },
  };
}
