/**
 * Pure bookkeeping of what a watch has already emitted, so that reconnects and relists after
 * 410 Gone emit every real change once and nothing twice. resourceVersions are opaque: they are
 * only ever compared for equality, as the API conventions require.
 */
import { type KubernetesObject, objectKey, type WatchEventType } from './types.ts';

export interface ObservedChange {
  type: WatchEventType;
  object: KubernetesObject;
}

/** Last emitted state per object key (`namespace/name`). */
export type EmittedStates = Map<string, KubernetesObject>;

const rv = (obj: KubernetesObject | undefined) => obj?.metadata?.resourceVersion;
const uid = (obj: KubernetesObject | undefined) => obj?.metadata?.uid;

/** Same object (uid, when both have one) at the same resourceVersion. */
function sameState(a: KubernetesObject, b: KubernetesObject): boolean {
  const uidsDiffer = uid(a) !== undefined && uid(b) !== undefined && uid(a) !== uid(b);
  return !uidsDiffer && rv(a) !== undefined && rv(a) === rv(b);
}

/**
 * The changes between what was emitted and a fresh list:
 * - DELETED for each emitted object missing from the list, or listed under a new uid (deleted and
 *   recreated during the gap). The object is the last state emitted: its final state was never seen.
 * - ADDED for listed objects not emitted before (including the recreated ones).
 * - MODIFIED for listed objects whose resourceVersion differs from the emitted one.
 * Deletions come first (in key order) so a recreation reads DELETED then ADDED; the rest keep list order.
 */
export function relistChanges(
  emitted: ReadonlyMap<string, KubernetesObject>,
  listed: readonly KubernetesObject[],
): ObservedChange[] {
  const listedByKey = new Map(listed.map((obj) => [objectKey(obj), obj]));
  const deletions: ObservedChange[] = [...emitted.entries()]
    .filter(([key, previous]) => {
      const current = listedByKey.get(key);
      return (
        current === undefined ||
        (uid(current) !== undefined && uid(previous) !== undefined && uid(current) !== uid(previous))
      );
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, object]) => ({ type: 'DELETED', object }));
  const deletedKeys = new Set(deletions.map((change) => objectKey(change.object)));

  const upserts: ObservedChange[] = [];
  for (const [key, object] of listedByKey) {
    const previous = deletedKeys.has(key) ? undefined : emitted.get(key);
    if (previous === undefined) upserts.push({ type: 'ADDED', object });
    else if (!sameState(previous, object)) upserts.push({ type: 'MODIFIED', object });
  }
  return [...deletions, ...upserts];
}

/**
 * Whether a streamed event repeats what was already emitted: an ADDED/MODIFIED of the exact
 * state last emitted, or a DELETED of an object not (or no longer) known. Such replays happen
 * when a watch resumes from an older resourceVersion than the last one processed.
 */
export function isReplay(emitted: ReadonlyMap<string, KubernetesObject>, change: ObservedChange): boolean {
  const previous = emitted.get(objectKey(change.object));
  if (change.type === 'DELETED') return previous === undefined;
  return previous !== undefined && sameState(previous, change.object);
}

/** Records an emitted change. */
export function recordEmitted(emitted: EmittedStates, change: ObservedChange): void {
  const key = objectKey(change.object);
  if (change.type === 'DELETED') emitted.delete(key);
  else emitted.set(key, change.object);
}
