import type { KubernetesObject, ObjectMeta, ObjectRef } from './types.ts';

/** An object reference as Events carry it (`involvedObject` / `regarding`). */
export interface EventSubject {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  fieldPath?: string;
}

/**
 * One Event, whichever API it was read from. core/v1 `message` and events.k8s.io/v1 `note`
 * become `message`; `involvedObject`/`regarding` become `regarding`; the time and count fields
 * of both generations (count/series, first/last timestamps, eventTime) are folded into
 * `count`, `firstTime`, `lastTime`. `apiVersion` says where it came from.
 */
export interface KubeEvent extends KubernetesObject {
  apiVersion: 'v1' | 'events.k8s.io/v1';
  kind: 'Event';
  metadata: ObjectMeta;
  type?: string;
  reason?: string;
  action?: string;
  message: string;
  regarding: EventSubject;
  related?: EventSubject;
  reportingController?: string;
  reportingInstance?: string;
  count: number;
  firstTime?: string;
  lastTime?: string;
}

type Raw = Record<string, unknown>;
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const obj = (value: unknown): Raw => (value && typeof value === 'object' ? (value as Raw) : {});

/** Field selectors that pick the events about `ref` from each API. */
export function eventSelectors(ref: ObjectRef): { core: string; events: string } {
  const parts = (prefix: string) =>
    [
      `${prefix}.kind=${ref.kind}`,
      `${prefix}.name=${ref.name}`,
      ...(ref.namespace ? [`${prefix}.namespace=${ref.namespace}`] : []),
    ].join(',');
  return { core: parts('involvedObject'), events: parts('regarding') };
}

/** Where each API version keeps the fields a KubeEvent is made of (kubelet-probe-facts.md §3.2 maps them). */
const eventFields = {
  v1: {
    message: 'message',
    regarding: 'involvedObject',
    controller: 'reportingComponent',
    source: 'source',
    count: 'count',
    first: 'firstTimestamp',
    last: 'lastTimestamp',
  },
  'events.k8s.io/v1': {
    message: 'note',
    regarding: 'regarding',
    controller: 'reportingController',
    source: 'deprecatedSource',
    count: 'deprecatedCount',
    first: 'deprecatedFirstTimestamp',
    last: 'deprecatedLastTimestamp',
  },
} as const;

function normaliseEvent(event: KubernetesObject, apiVersion: keyof typeof eventFields): KubeEvent {
  const f = eventFields[apiVersion];
  const e = event as Raw;
  const series = obj(e.series);
  const source = obj(e[f.source]);
  const firstTime = str(e.eventTime) ?? str(e[f.first]) ?? str(event.metadata?.creationTimestamp);
  return compact({
    apiVersion,
    kind: 'Event',
    metadata: event.metadata ?? {},
    type: str(e.type),
    reason: str(e.reason),
    action: str(e.action),
    message: str(e[f.message]) ?? '',
    regarding: obj(e[f.regarding]) as EventSubject,
    related: e.related ? (obj(e.related) as EventSubject) : undefined,
    reportingController: str(e[f.controller]) ?? str(source.component),
    reportingInstance: str(e.reportingInstance) ?? str(source.host),
    count: num(series.count) ?? num(e[f.count]) ?? 1,
    firstTime,
    lastTime: str(series.lastObservedTime) ?? str(e[f.last]) ?? firstTime,
  });
}

export const normaliseCoreEvent = (event: KubernetesObject): KubeEvent => normaliseEvent(event, 'v1');
export const normaliseEventsV1Event = (event: KubernetesObject): KubeEvent =>
  normaliseEvent(event, 'events.k8s.io/v1');

/**
 * Both APIs are views of the same stored events, so an event read from both appears once (by
 * uid, else namespace/name; the core/v1 reading wins). Sorted by last occurrence, then name.
 */
export function mergeEvents(core: readonly KubeEvent[], eventsV1: readonly KubeEvent[]): KubeEvent[] {
  const identity = (e: KubeEvent) => e.metadata.uid ?? `${e.metadata.namespace}/${e.metadata.name}`;
  const merged = new Map<string, KubeEvent>();
  for (const event of [...core, ...eventsV1])
    if (!merged.has(identity(event))) merged.set(identity(event), event);
  const when = (e: KubeEvent) => e.lastTime ?? e.firstTime ?? '';
  return [...merged.values()].sort(
    (a, b) =>
      Date.parse(when(a) || '0') - Date.parse(when(b) || '0') ||
      `${a.metadata.name}`.localeCompare(`${b.metadata.name}`),
  );
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
