import type { KubernetesObject, WatchEvent, WatchTarget } from '../kube/types.ts';

export interface Watcher {
  watch(target: WatchTarget, options?: { signal?: AbortSignal }): AsyncIterable<WatchEvent>;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Resolves once every named object of the target kind satisfies `ready`, judged on watch events (no
 * polling, no sleeps). On timeout the error lists what was still not ready and its last seen state.
 */
export async function waitForAll(
  cluster: Watcher,
  target: WatchTarget,
  names: readonly string[],
  ready: (o: KubernetesObject) => boolean,
  options: { timeoutMs: number; what: string; describe?: (o: KubernetesObject) => string },
): Promise<void> {
  const pending = new Set(names);
  if (!pending.size) return;
  const last = new Map<string, KubernetesObject>();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    for await (const event of cluster.watch(target, { signal: controller.signal })) {
      const name = event.object.metadata?.name ?? '';
      if (!pending.has(name) && !last.has(name)) continue;
      last.set(name, event.object);
      if (event.type !== 'DELETED' && ready(event.object)) pending.delete(name);
      else pending.add(name);
      if (!pending.size) return;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  const states = [...pending].map((n) => {
    const o = last.get(n);
    return `${n} (${o ? (options.describe?.(o) ?? 'not ready') : 'never seen'})`;
  });
  throw new WaitTimeoutError(
    `${options.what} not ready after ${options.timeoutMs / 1000}s: ${states.join('; ')}`,
  );
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export const conditionsOf = (o: KubernetesObject): Condition[] =>
  ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];

export const hasCondition = (o: KubernetesObject, type: string, status = 'True'): boolean =>
  conditionsOf(o).some((c) => c.type === type && c.status === status);

export function describeConditions(o: KubernetesObject): string {
  const shown = conditionsOf(o).map((c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}`);
  return shown.length ? shown.join(', ') : 'no conditions yet';
}

/** Available, and the rollout of the current template finished (not an old ReplicaSet's pods). */
export function deploymentAvailable(o: KubernetesObject): boolean {
  const spec = o.spec as { replicas?: number } | undefined;
  const status = o.status as
    | { updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number }
    | undefined;
  const want = spec?.replicas ?? 1;
  return (
    hasCondition(o, 'Available') &&
    (status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0) &&
    (status?.updatedReplicas ?? 0) >= want &&
    (status?.availableReplicas ?? 0) >= want
  );
}
