/** Kubernetes Events as client-go's recorder writes them (kubelet-probe-facts.md §3.1, §3.3). */
import { PatchType } from '../patch.ts';
import { type FakeStore, type KubernetesObject, kubeTime } from '../store.ts';
import { ref } from './shapes.ts';

interface EventSource {
  component: string;
  host?: string;
}

/**
 * Events as client-go's recorder writes them: the first occurrence is a create, an identical repeat
 * (same involved object and field path, type, reason, message) bumps `count` and `lastTimestamp`; a
 * token bucket per involved object and type (burst 25, one more per 300 s) skips writes, and the next
 * write that passes carries the cumulative count (P§3.3).
 */
export class EventSink {
  readonly #names = new Map<string, { name: string; namespace: string; count: number }>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #sequence = 0;

  constructor(
    private readonly store: FakeStore,
    private readonly msPerSecond: number,
    private readonly source?: EventSource,
  ) {}

  record(
    involved: KubernetesObject,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string; fieldPath?: string },
  ): void {
    const meta = involved.metadata!;
    const involvedObject = {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      ...(event.fieldPath ? { fieldPath: event.fieldPath } : {}),
    };
    const key = JSON.stringify([involvedObject, event.type, event.reason, event.message]);
    const seen = this.#names.get(key);
    const count = (seen?.count ?? 0) + 1;
    const entry = { name: seen?.name ?? this.#newName(meta.name!), namespace: meta.namespace!, count };
    this.#names.set(key, entry);
    if (!this.#allowed(`${meta.uid}/${event.type}`)) return;
    const now = kubeTime();
    const eventRef = ref('v1', 'Event', entry.namespace, entry.name);
    if (seen && this.store.get(eventRef)) {
      this.store.patch(eventRef, { count, lastTimestamp: now }, PatchType.merge);
      return;
    }
    this.store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: entry.name, namespace: entry.namespace },
      involvedObject,
      type: event.type,
      reason: event.reason,
      message: event.message,
      count,
      firstTimestamp: now,
      lastTimestamp: now,
      ...(this.source
        ? {
            source: this.source,
            reportingComponent: this.source.component,
            ...(this.source.host ? { reportingInstance: this.source.host } : {}),
          }
        : {}),
    } as KubernetesObject);
  }

  /** `<involved name>.<hex unix nanos>` (client-go GenerateEventName). */
  #newName(involved: string): string {
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    return `${involved}.${nanos.toString(16)}`;
  }

  #allowed(key: string): boolean {
    const now = Date.now();
    const refillMs = 300 * this.msPerSecond;
    const bucket = this.#buckets.get(key) ?? { tokens: 25, at: now };
    const tokens = Math.min(25, bucket.tokens + Math.floor((now - bucket.at) / refillMs));
    const at = tokens > bucket.tokens ? now : bucket.at;
    this.#buckets.set(key, { tokens: Math.max(0, tokens - 1), at });
    return tokens > 0;
  }
}
