/**
 * What an expectation is about, resolved against a timeline: one track of recorded states per
 * matching object condition or container, with the predicate and the words to explain it.
 */
import type {
  ConditionState,
  ContainerState,
  Count,
  ObjectRefMatch,
  PodRefMatch,
  StateMatch,
} from './schema.ts';
import { describeTextMatch, explainTextMismatch, matchesText } from './text-match.ts';
import type {
  ConditionObservation,
  ContainerHistory,
  ContainerObservation,
  CountObservation,
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

export const describeCount = (c: Count): string =>
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

// ---------------------------------------------------------------- counts over several objects

/**
 * One track of a sum over objects, each contributing a count that changes over time: 0 from the
 * trace's start (nothing recorded yet is nothing present), then a state whenever the sum changes.
 */
function sumTrack(
  timeline: Timeline,
  lane: string,
  label: string,
  members: { name: string; counts: CountObservation[] }[],
): Track<SumObservation> {
  const changes = members
    .flatMap((m, member) => m.counts.map((c) => ({ ...c, member })))
    .sort((a, b) => a.seq - b.seq);
  const current = members.map(() => 0);
  const observations: SumObservation[] = [{ at: timeline.start, seq: 0, value: 0, contributors: [] }];
  for (const change of changes) {
    current[change.member] = change.value;
    const value = current.reduce((a, b) => a + b, 0);
    const contributors = members.filter((_, i) => (current[i] ?? 0) > 0).map((m) => m.name);
    const last = observations.at(-1)!;
    if (last.value !== value || last.contributors.join() !== contributors.join())
      observations.push({ at: change.at, seq: change.seq, value, contributors });
  }
  return { lane, label, observations };
}

export interface SumObservation extends Observation {
  value: number;
  /** The objects contributing to the sum, by name. */
  contributors: string[];
}

/** Whether an object matching `ref` is present: never passes only when none ever was. */
export function existsSubject(timeline: Timeline, ref: ObjectRefMatch): Subject<SumObservation> {
  const objects = findObjects(timeline, ref);
  const description = describeObjectRef(ref);
  const track = sumTrack(
    timeline,
    `exists:${description}`,
    description,
    objects.map((o) => ({ name: o.name, counts: o.presence })),
  );
  return {
    description,
    tracks: [track],
    missing: '',
    describe: (o) => (o.value === 0 ? 'none present' : `present (${o.contributors.join(', ')})`),
  };
}

export const existsTest: StateTest<SumObservation> = {
  description: 'present',
  matches: (o) => o.value > 0,
  nearMiss: () => undefined,
};

export const serviceNameLabel = 'kubernetes.io/service-name';
export const describeEndpoints = (service: string): string => `EndpointSlices of Service ${service}`;

/** The ready addresses of a Kubernetes Service's EndpointSlices, summed. */
export function endpointsSubject(timeline: Timeline, service: string): Subject<SumObservation> {
  const all = findObjects(timeline, { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' });
  const slices = all.filter((o) => o.labels[serviceNameLabel] === service);
  const description = describeEndpoints(service);
  const recorded = [...new Set(all.map((o) => o.labels[serviceNameLabel]).filter(Boolean))];
  return {
    description,
    // No slice recorded: no track, so a misspelled Service cannot pass a `never` vacuously.
    tracks:
      slices.length === 0
        ? []
        : [
            sumTrack(
              timeline,
              `endpoints:${service}`,
              `${description} · ready addresses`,
              slices.map((o) => ({ name: o.name, counts: o.readyAddresses ?? [] })),
            ),
          ],
    missing: `no EndpointSlice of Service ${service} was recorded${recorded.length ? ` (recorded for: ${recorded.slice(0, 10).join(', ')})` : ''}`,
    describe: (o) =>
      `${o.value} ready address${o.value === 1 ? '' : 'es'}${o.contributors.length ? ` (${o.contributors.join(', ')})` : ''}`,
  };
}

export const endpointsTest = (ready: Count): StateTest<SumObservation> => ({
  description: `at ${describeCount(ready)} ready addresses`,
  matches: (o) => countMatches(ready, o.value),
  nearMiss: () => undefined,
});

// ---------------------------------------------------------------- any

export type AnySubject = { subject: Subject; test: StateTest<Observation> };

/** A `reach`/`never` body: exactly one of condition, container, exists or endpoints, with its state. */
export function stateSubject(timeline: Timeline, body: StateMatch): AnySubject {
  if (body.condition) {
    const { object, type, ...state } = body.condition;
    return widen(conditionSubject(timeline, { object, type }), conditionTest(state));
  }
  if (body.container) {
    const { pod, name, ...state } = body.container;
    return widen(containerSubject(timeline, { pod, name }), containerTest(state));
  }
  if (body.exists) return widen(existsSubject(timeline, body.exists), existsTest);
  if (body.endpoints)
    return widen(endpointsSubject(timeline, body.endpoints.service), endpointsTest(body.endpoints.ready));
  throw new Error('an expectation needs a condition, a container, exists or endpoints');
}

/** Erases the observation type once subject and test are known to agree. */
export const widen = <O extends Observation>(subject: Subject<O>, test: StateTest<O>): AnySubject => ({
  subject: subject as unknown as Subject,
  test: test as unknown as StateTest<Observation>,
});
