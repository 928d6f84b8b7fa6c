/**
 * What an expectation is about, resolved against a timeline: one track of recorded states per
 * matching object condition or container, with the predicate and the words to explain it.
 */
import type {
  ConditionMatch,
  ConditionState,
  ContainerMatch,
  ContainerState,
  Count,
  ObjectRefMatch,
  PodRefMatch,
} from './schema.ts';
import { describeTextMatch, explainTextMismatch, matchesText } from './text-match.ts';
import type {
  ConditionObservation,
  ContainerHistory,
  ContainerObservation,
  ObjectHistory,
  Timeline,
} from './timeline.ts';

export interface Observation {
  at: number;
  seq: number;
}

/** The recorded states of one condition of one object, or of one container. */
export interface Track<O extends Observation = Observation> {
  lane: string;
  label: string;
  observations: O[];
  /** Set for container tracks. */
  container?: ContainerHistory;
}

export const conditionLane = (object: ObjectHistory, type: string): string => `${object.key}#${type}`;
export const containerLane = (container: ContainerHistory): string => container.key;

export const objectLabel = (o: ObjectHistory): string => `${o.kind} ${o.name}`;

/** `Revision hello-00001`, `Pod with labels app=x`, `any Pod`. */
export function describeObjectRef(ref: ObjectRefMatch | (PodRefMatch & { kind?: string })): string {
  const kind = ref.kind ?? 'Pod';
  if (ref.name) return `${kind} ${ref.name}`;
  if (ref.labels) {
    const labels = Object.entries(ref.labels).map(([k, v]) => `${k}=${v}`);
    return `${kind} with labels ${labels.join(',')}`;
  }
  return `any ${kind}`;
}

export function objectMatches(ref: ObjectRefMatch, o: ObjectHistory): boolean {
  if (o.kind !== ref.kind) return false;
  if (ref.name !== undefined && o.name !== ref.name) return false;
  if (ref.apiVersion !== undefined && o.apiVersion !== ref.apiVersion) return false;
  if (ref.namespace !== undefined && o.namespace !== ref.namespace) return false;
  if (ref.labels) for (const [k, v] of Object.entries(ref.labels)) if (o.labels[k] !== v) return false;
  return true;
}

export const findObjects = (timeline: Timeline, ref: ObjectRefMatch): ObjectHistory[] =>
  [...timeline.objects.values()].filter((o) => objectMatches(ref, o));

/** A subject in some state: its tracks, the predicate, and the words to explain both. */
export interface Subject<O extends Observation = Observation> {
  /** e.g. `Revision hello-00001 condition Ready`. */
  description: string;
  tracks: Track<O>[];
  /** Why there is no track, when there is none. */
  missing: string;
  describe(o: O): string;
}

export interface StateTest<O extends Observation> {
  /** e.g. `True with reason "Deploying"`. */
  description: string;
  matches(o: O): boolean;
  /** How an observation that is nearly it (same status or readiness) differs; undefined if not near. */
  nearMiss(o: O): string | undefined;
}

// ---------------------------------------------------------------- conditions

export function conditionSubject(
  timeline: Timeline,
  subject: { object: ObjectRefMatch; type: string },
): Subject<ConditionObservation> {
  const objects = findObjects(timeline, subject.object);
  const tracks: Track<ConditionObservation>[] = [];
  for (const o of objects) {
    const observations = o.conditions.get(subject.type);
    if (observations)
      tracks.push({
        lane: conditionLane(o, subject.type),
        label: `${objectLabel(o)} · ${subject.type}`,
        observations,
      });
  }
  const description = `${describeObjectRef(subject.object)} condition ${subject.type}`;
  let missing = `no ${describeObjectRef(subject.object)} was recorded`;
  if (objects.length > 0) {
    const types = [...new Set(objects.flatMap((o) => [...o.conditions.keys()]))];
    missing = `${describeObjectRef(subject.object)} was recorded but never had a ${subject.type} condition (it had: ${types.join(', ') || 'none'})`;
  } else {
    const sameKind = [...timeline.objects.values()]
      .filter((o) => o.kind === subject.object.kind)
      .map((o) => o.name);
    if (sameKind.length > 0)
      missing += ` (recorded ${subject.object.kind}s: ${sameKind.slice(0, 10).join(', ')})`;
  }
  return { description, tracks, missing, describe: describeCondition };
}

export function describeCondition(o: ConditionObservation): string {
  if (o.status === null) return '(absent)';
  let text = o.status;
  if (o.reason) text += `/${o.reason}`;
  if (o.message) text += ` ${JSON.stringify(o.message)}`;
  return text;
}

export function describeConditionState(state: ConditionState): string {
  let text = state.status;
  if (state.reason !== undefined) text += ` with reason ${describeTextMatch(state.reason)}`;
  if (state.message !== undefined)
    text += `${state.reason !== undefined ? ' and' : ' with'} message ${describeTextMatch(state.message)}`;
  return text;
}

export function conditionTest(state: ConditionState): StateTest<ConditionObservation> {
  return {
    description: describeConditionState(state),
    // The API omits empty reasons and messages, so an absent one reads as "".
    matches: (o) =>
      o.status === state.status &&
      (state.reason === undefined || matchesText(state.reason, o.reason ?? '')) &&
      (state.message === undefined || matchesText(state.message, o.message ?? '')),
    nearMiss(o) {
      if (o.status !== state.status) return undefined;
      const parts: string[] = [];
      if (state.reason !== undefined && !matchesText(state.reason, o.reason ?? '')) {
        parts.push(`reason: ${explainTextMismatch(state.reason, o.reason ?? '')}`);
      }
      if (state.message !== undefined && !matchesText(state.message, o.message ?? '')) {
        parts.push(`message: ${explainTextMismatch(state.message, o.message ?? '')}`);
      }
      return parts.length > 0 ? parts.join('\n') : undefined;
    },
  };
}

// ---------------------------------------------------------------- containers

export function containerSubject(
  timeline: Timeline,
  subject: { pod?: PodRefMatch; name: string },
): Subject<ContainerObservation> {
  const podRef: ObjectRefMatch = { kind: 'Pod', ...subject.pod };
  const tracks: Track<ContainerObservation>[] = [];
  for (const c of timeline.containers.values()) {
    if (c.name === subject.name && objectMatches(podRef, c.pod)) {
      tracks.push({
        lane: containerLane(c),
        label: `${objectLabel(c.pod)} · ${c.name}`,
        observations: c.observations,
        container: c,
      });
    }
  }
  const description = `container ${subject.name} of ${describeObjectRef(podRef)}`;
  const pods = findObjects(timeline, podRef);
  const names = [
    ...new Set([...timeline.containers.values()].filter((c) => pods.includes(c.pod)).map((c) => c.name)),
  ];
  const missing =
    pods.length === 0
      ? `no ${describeObjectRef(podRef)} was recorded`
      : `no container ${subject.name} in ${describeObjectRef(podRef)} (containers seen: ${names.join(', ') || 'none'})`;
  return { description, tracks, missing, describe: describeContainer };
}

export function describeContainer(o: ContainerObservation): string {
  if (!o.present) return '(no status)';
  const parts = [o.ready ? 'ready' : 'not ready', o.stateReason ? `${o.state}/${o.stateReason}` : o.state];
  if (o.started !== undefined) parts.push(o.started ? 'started' : 'not started');
  parts.push(`restarts=${o.restartCount}`);
  return parts.join(', ');
}

const describeCount = (c: Count): string =>
  typeof c === 'number'
    ? `${c}`
    : [c.atLeast !== undefined ? `≥ ${c.atLeast}` : '', c.atMost !== undefined ? `≤ ${c.atMost}` : '']
        .filter(Boolean)
        .join(' and ');

export const countMatches = (c: Count, n: number): boolean =>
  typeof c === 'number'
    ? n === c
    : (c.atLeast === undefined || n >= c.atLeast) && (c.atMost === undefined || n <= c.atMost);

export function describeContainerState(state: ContainerState): string {
  const parts: string[] = [];
  if (state.ready !== undefined) parts.push(state.ready ? 'ready' : 'not ready');
  if (state.started !== undefined) parts.push(state.started ? 'started' : 'not started');
  if (state.restarts !== undefined) parts.push(`restarts ${describeCount(state.restarts)}`);
  return parts.join(', ');
}

export function containerTest(state: ContainerState): StateTest<ContainerObservation> {
  return {
    description: describeContainerState(state),
    matches: (o) =>
      o.present &&
      (state.ready === undefined || o.ready === state.ready) &&
      (state.started === undefined || (o.started ?? false) === state.started) &&
      (state.restarts === undefined || countMatches(state.restarts, o.restartCount)),
    nearMiss: () => undefined,
  };
}

// ---------------------------------------------------------------- either

export type AnySubject = { subject: Subject; test: StateTest<Observation> };

/** A `reach`/`never` body: exactly one of condition or container, each with its state. */
export function stateSubject(
  timeline: Timeline,
  body: { condition?: ConditionMatch; container?: ContainerMatch },
): AnySubject {
  if (body.condition) {
    const { object, type, ...state } = body.condition;
    return widen(conditionSubject(timeline, { object, type }), conditionTest(state));
  }
  if (body.container) {
    const { pod, name, ...state } = body.container;
    return widen(containerSubject(timeline, { pod, name }), containerTest(state));
  }
  throw new Error('an expectation needs a condition or a container');
}

/** Erases the observation type once subject and test are known to agree. */
export const widen = <O extends Observation>(subject: Subject<O>, test: StateTest<O>): AnySubject => ({
  subject: subject as unknown as Subject,
  test: test as unknown as StateTest<Observation>,
});
