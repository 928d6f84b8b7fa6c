/**
 * The timeline model: what a trace says happened, per object condition, per container, per Event
 * and per harness action. Built incrementally from the line stream; it keeps state *changes* only,
 * never whole objects, so its size follows what happened rather than how many lines recorded it.
 */
import type {
  ActionError,
  ActionTarget,
  NoteLine,
  TraceHeader,
  TraceLine,
  TraceObject,
} from '../observe/trace.ts';

/** One recorded state of a condition. `status: null` = absent (not set yet, removed, object deleted). */
export interface ConditionObservation {
  /** Epoch ms when the line was recorded (the recorder's clock). */
  at: number;
  seq: number;
  status: string | null;
  reason?: string;
  message?: string;
  /** As the API server reported it (the writer's clock, often whole seconds). */
  lastTransitionTime?: string;
}

export interface ObjectHistory {
  key: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  /** As last seen. */
  labels: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
  deletedAt?: number;
  conditions: Map<string, ConditionObservation[]>;
  /** When the object came into existence (`value` 1) and went (0); a re-created object joins. */
  presence: CountObservation[];
  /**
   * EndpointSlices only: the number of ready addresses, counted as Knative's e2e tests do
   * (`ReadyAddresses` in knative/serving test/common.go): an endpoint whose `conditions.ready` is
   * unset counts as ready, as the EndpointSlice API asks consumers to read it.
   */
  readyAddresses?: CountObservation[];
  /** Pods only: the probes of each container as the kubelet runs them (pod spec, API defaults applied). */
  probes?: Map<string, ContainerProbes>;
}

export interface ContainerProbes {
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

/** The fields of a core/v1 Probe that timing depends on, plus its handler. */
export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: unknown;
  tcpSocket?: unknown;
  grpc?: unknown;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/** A number of things at an instant: objects present, ready addresses, … */
export interface CountObservation {
  at: number;
  seq: number;
  value: number;
}

export type ContainerRunState = 'waiting' | 'running' | 'terminated' | 'unknown';

/** One recorded state of a container. `present: false` = no status (not created yet, pod deleted). */
export interface ContainerObservation {
  at: number;
  seq: number;
  present: boolean;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerRunState;
  /** waiting/terminated reason (CrashLoopBackOff, Error, …). */
  stateReason?: string;
  /** state.running.startedAt, whole seconds on the kubelet's clock. */
  startedAt?: string;
  containerID?: string;
}

export interface ContainerHistory {
  key: string;
  pod: ObjectHistory;
  name: string;
  /** An init container (restartable init containers are native sidecars). */
  init: boolean;
  observations: ContainerObservation[];
}

export interface EventObservation {
  at: number;
  seq: number;
  count: number;
  lastTimestamp?: string;
}

export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  fieldPath?: string;
}

/** One Event object: repeats are the same object with a growing `count` (kubelet-probe-facts.md §3.3). */
export interface EventHistory {
  key: string;
  namespace?: string;
  name: string;
  type?: string;
  reason?: string;
  /** The last message seen (core/v1 `message`, events.k8s.io `note`). */
  message: string;
  source?: string;
  involved: InvolvedObject;
  firstTimestamp?: string;
  lastTimestamp?: string;
  observations: EventObservation[];
  deletedAt?: number;
}

/** A pod template's containers, from an applied object (Service, Configuration, Deployment, Pod). */
export interface AppliedPodTemplate {
  apiVersion?: string;
  kind?: string;
  name?: string;
  containers: Map<string, ContainerProbes>;
}

export interface ActionRecord {
  seq: number;
  at: number;
  /** When the action began; `at` when there is no `startedAt` in the trace. */
  startedAt: number;
  action: string;
  target: ActionTarget;
  outcome: 'ok' | 'error';
  error?: ActionError;
  step?: string;
  /** The action's detail without the applied object (kept as `applied`, reduced to probes). */
  detail?: Record<string, unknown>;
  applied?: AppliedPodTemplate;
}

export interface NoteRecord {
  seq: number;
  at: number;
  text: string;
}

export interface Timeline {
  /** Epoch ms of the first and last line. */
  start: number;
  end: number;
  lines: number;
  header?: TraceHeader;
  objects: Map<string, ObjectHistory>;
  containers: Map<string, ContainerHistory>;
  events: Map<string, EventHistory>;
  actions: ActionRecord[];
  notes: NoteRecord[];
  warnings: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
};

/** The identity of an object across its life: group, kind, namespace, name (not uid: re-creations join). */
export const objectKey = (
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): string => `${groupOf(apiVersion)}/${kind}/${namespace ?? ''}/${name}`;

const isEvent = (o: TraceObject): boolean =>
  o.kind === 'Event' && (o.apiVersion === 'v1' || o.apiVersion === 'events.k8s.io/v1');

export class TimelineBuilder {
  private readonly timeline: Timeline = {
    start: Number.NaN,
    end: Number.NaN,
    lines: 0,
    objects: new Map(),
    containers: new Map(),
    events: new Map(),
    actions: [],
    notes: [],
    warnings: [],
  };
  /** Each pod's containers, so a pod update touches only its own. */
  private readonly podContainers = new Map<string, ContainerHistory[]>();

  add(line: TraceLine): void {
    const at = Date.parse(line.at);
    const t = this.timeline;
    if (t.lines === 0) t.start = at;
    t.end = Math.max(Number.isNaN(t.end) ? at : t.end, at);
    t.lines += 1;
    switch (line.type) {
      case 'watch':
        if (isEvent(line.object)) this.addEvent(line.object, line.event === 'DELETED', at, line.seq);
        else this.addObject(line.object, line.event === 'DELETED', at, line.seq);
        break;
      case 'action':
        t.actions.push(actionRecord(line, at));
        break;
      case 'note':
        this.addNote(line, at);
        break;
    }
  }

  warn(message: string): void {
    this.timeline.warnings.push(message);
  }

  finish(): Timeline {
    return this.timeline;
  }

  private addNote(line: NoteLine, at: number): void {
    if (line.header && !this.timeline.header) this.timeline.header = line.header;
    this.timeline.notes.push({ seq: line.seq, at, text: line.text });
  }

  private addObject(object: TraceObject, deleted: boolean, at: number, seq: number): void {
    const meta = object.metadata ?? {};
    const name = str(meta.name);
    const kind = str(object.kind);
    if (!name || !kind) return;
    const apiVersion = str(object.apiVersion) ?? '';
    const key = objectKey(apiVersion, kind, str(meta.namespace), name);
    let history = this.timeline.objects.get(key);
    if (!history) {
      history = {
        key,
        apiVersion,
        kind,
        namespace: str(meta.namespace),
        name,
        labels: {},
        firstSeen: at,
        lastSeen: at,
        conditions: new Map(),
        presence: [],
      };
      this.timeline.objects.set(key, history);
    }
    history.lastSeen = at;
    history.uid = str(meta.uid) ?? history.uid;
    if (isObj(meta.labels)) history.labels = meta.labels as Record<string, string>;
    if (!deleted) history.deletedAt = undefined;
    const status = isObj(object.status) ? object.status : undefined;
    recordConditions(history, Array.isArray(status?.conditions) ? status.conditions : [], deleted, at, seq);
    if (kind === 'Pod' && apiVersion === 'v1') this.addPod(history, object, status, deleted, at, seq);
    if (kind === 'EndpointSlice' && apiVersion === 'discovery.k8s.io/v1') {
      history.readyAddresses ??= [];
      pushCount(history.readyAddresses, { at, seq, value: deleted ? 0 : readyAddresses(object) });
    }
    pushCount(history.presence, { at, seq, value: deleted ? 0 : 1 });
    if (deleted) history.deletedAt = at;
  }

  private addPod(
    pod: ObjectHistory,
    object: TraceObject,
    status: Obj | undefined,
    deleted: boolean,
    at: number,
    seq: number,
  ) {
    const spec = isObj(object.spec) ? object.spec : undefined;
    if (!pod.probes && spec) pod.probes = podProbes(spec);
    const seen = new Set<string>();
    if (!deleted) {
      for (const [field, init] of [
        ['containerStatuses', false],
        ['initContainerStatuses', true],
      ] as const) {
        const statuses = status?.[field];
        if (!Array.isArray(statuses)) continue;
        for (const s of statuses) {
          if (!isObj(s) || typeof s.name !== 'string') continue;
          seen.add(s.name);
          this.recordContainer(pod, s.name, init, containerObservation(s, at, seq));
        }
      }
    }
    // A container that lost its status (or every container of a deleted pod) is no longer observable.
    for (const history of this.podContainers.get(pod.key) ?? []) {
      if (!seen.has(history.name))
        this.recordContainer(pod, history.name, history.init, absentContainer(at, seq));
    }
  }

  private recordContainer(pod: ObjectHistory, name: string, init: boolean, next: ContainerObservation): void {
    const key = `${pod.key}/${name}`;
    let history = this.timeline.containers.get(key);
    if (!history) {
      if (!next.present) return;
      history = { key, pod, name, init, observations: [] };
      this.timeline.containers.set(key, history);
      const siblings = this.podContainers.get(pod.key);
      if (siblings) siblings.push(history);
      else this.podContainers.set(pod.key, [history]);
    }
    const last = history.observations.at(-1);
    if (last && sameContainerState(last, next)) return;
    history.observations.push(next);
  }

  private addEvent(object: TraceObject, deleted: boolean, at: number, seq: number): void {
    const meta = object.metadata ?? {};
    const name = str(meta.name);
    if (!name) return;
    const key = str(meta.uid) ?? `${str(meta.namespace) ?? ''}/${name}`;
    const o = object as Obj;
    let history = this.timeline.events.get(key);
    if (deleted) {
      if (history) history.deletedAt = at;
      return;
    }
    const involvedRaw = isObj(o.involvedObject) ? o.involvedObject : isObj(o.regarding) ? o.regarding : {};
    const source = isObj(o.source) ? o.source : isObj(o.deprecatedSource) ? o.deprecatedSource : undefined;
    const series = isObj(o.series) ? o.series : undefined;
    const count = num(o.count) ?? num(o.deprecatedCount) ?? num(series?.count) ?? 1;
    const lastTimestamp =
      str(o.lastTimestamp) ?? str(o.deprecatedLastTimestamp) ?? str(series?.lastObservedTime);
    if (!history) {
      history = {
        key,
        namespace: str(meta.namespace),
        name,
        message: '',
        involved: {},
        observations: [],
      };
      this.timeline.events.set(key, history);
    }
    history.type = str(o.type);
    history.reason = str(o.reason);
    history.message = str(o.message) ?? str(o.note) ?? '';
    history.source = str(source?.component) ?? str(o.reportingComponent) ?? str(o.reportingController);
    history.involved = {
      apiVersion: str(involvedRaw.apiVersion),
      kind: str(involvedRaw.kind),
      namespace: str(involvedRaw.namespace),
      name: str(involvedRaw.name),
      uid: str(involvedRaw.uid),
      fieldPath: str(involvedRaw.fieldPath),
    };
    history.firstTimestamp =
      str(o.firstTimestamp) ?? str(o.deprecatedFirstTimestamp) ?? str(o.eventTime) ?? history.firstTimestamp;
    history.lastTimestamp = lastTimestamp ?? history.lastTimestamp;
    const last = history.observations.at(-1);
    if (!last || last.count !== count) history.observations.push({ at, seq, count, lastTimestamp });
  }
}

function recordConditions(
  history: ObjectHistory,
  conditions: unknown[],
  deleted: boolean,
  at: number,
  seq: number,
) {
  const seen = new Set<string>();
  for (const c of conditions) {
    if (!isObj(c) || typeof c.type !== 'string') continue;
    seen.add(c.type);
    const next: ConditionObservation = { at, seq, status: str(c.status) ?? null };
    if (typeof c.reason === 'string') next.reason = c.reason;
    if (typeof c.message === 'string') next.message = c.message;
    if (typeof c.lastTransitionTime === 'string') next.lastTransitionTime = c.lastTransitionTime;
    pushCondition(history, c.type, next);
  }
  for (const type of history.conditions.keys()) {
    if (deleted || !seen.has(type)) pushCondition(history, type, { at, seq, status: null });
  }
}

function pushCondition(history: ObjectHistory, type: string, next: ConditionObservation): void {
  let list = history.conditions.get(type);
  if (!list) {
    if (next.status === null) return;
    list = [];
    history.conditions.set(type, list);
  }
  const last = list.at(-1);
  if (
    last &&
    last.status === next.status &&
    last.reason === next.reason &&
    last.message === next.message &&
    last.lastTransitionTime === next.lastTransitionTime
  ) {
    return;
  }
  list.push(next);
}

/** Records a count when it changed. */
function pushCount(list: CountObservation[], next: CountObservation): void {
  if (list.at(-1)?.value !== next.value) list.push(next);
}

function readyAddresses(slice: TraceObject): number {
  const endpoints = (slice as Obj).endpoints;
  if (!Array.isArray(endpoints)) return 0;
  let count = 0;
  for (const e of endpoints) {
    if (!isObj(e) || (isObj(e.conditions) && e.conditions.ready === false)) continue;
    count += Array.isArray(e.addresses) ? e.addresses.length : 0;
  }
  return count;
}

function containerObservation(s: Obj, at: number, seq: number): ContainerObservation {
  const state = isObj(s.state) ? s.state : {};
  const [runState, detail]: [ContainerRunState, Obj | undefined] = isObj(state.running)
    ? ['running', state.running]
    : isObj(state.waiting)
      ? ['waiting', state.waiting]
      : isObj(state.terminated)
        ? ['terminated', state.terminated]
        : ['unknown', undefined];
  const out: ContainerObservation = {
    at,
    seq,
    present: true,
    ready: s.ready === true,
    restartCount: num(s.restartCount) ?? 0,
    state: runState,
  };
  if (typeof s.started === 'boolean') out.started = s.started;
  const reason = str(detail?.reason);
  if (reason) out.stateReason = reason;
  const startedAt = str(detail?.startedAt);
  if (runState === 'running' && startedAt) out.startedAt = startedAt;
  const id = str(s.containerID);
  if (id) out.containerID = id;
  return out;
}

const absentContainer = (at: number, seq: number): ContainerObservation => ({
  at,
  seq,
  present: false,
  ready: false,
  restartCount: 0,
  state: 'unknown',
});

const sameContainerState = (a: ContainerObservation, b: ContainerObservation): boolean =>
  a.present === b.present &&
  a.ready === b.ready &&
  a.started === b.started &&
  a.restartCount === b.restartCount &&
  a.state === b.state &&
  a.stateReason === b.stateReason &&
  a.containerID === b.containerID;

function probesOf(container: Obj): ContainerProbes {
  const out: ContainerProbes = {};
  for (const field of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    if (isObj(container[field])) out[field] = container[field] as ProbeSpec;
  }
  return out;
}

function podProbes(spec: Obj): Map<string, ContainerProbes> {
  const out = new Map<string, ContainerProbes>();
  for (const field of ['initContainers', 'containers'] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isObj(c) && typeof c.name === 'string') out.set(c.name, probesOf(c));
  }
  return out;
}

/** The pod spec inside an applied object: a Pod's own, or a template's (Service, Configuration, Deployment, …). */
function appliedPodTemplate(object: unknown): AppliedPodTemplate | undefined {
  if (!isObj(object) || !isObj(object.spec)) return undefined;
  const spec = object.spec;
  const template = isObj(spec.template) ? spec.template : undefined;
  const podSpec = isObj(template?.spec) ? template.spec : Array.isArray(spec.containers) ? spec : undefined;
  if (!podSpec) return undefined;
  const meta = isObj(object.metadata) ? object.metadata : {};
  return {
    apiVersion: str(object.apiVersion),
    kind: str(object.kind),
    name: str(meta.name),
    containers: podProbes(podSpec),
  };
}

function actionRecord(line: Extract<TraceLine, { type: 'action' }>, at: number): ActionRecord {
  const startedAt = line.startedAt ? Date.parse(line.startedAt) : Number.NaN;
  const record: ActionRecord = {
    seq: line.seq,
    at,
    startedAt: Number.isFinite(startedAt) ? startedAt : at,
    action: line.action,
    target: line.target,
    outcome: line.outcome,
  };
  if (line.error) record.error = line.error;
  if (line.step) record.step = line.step;
  if (line.detail) {
    const { object, ...rest } = line.detail;
    record.detail = rest;
    const applied = appliedPodTemplate(object);
    if (applied) record.applied = applied;
  }
  return record;
}

/** Builds the timeline of a whole line stream (a file being read, or lines in memory). */
export async function buildTimeline(
  lines: AsyncIterable<TraceLine> | Iterable<TraceLine>,
): Promise<Timeline> {
  const builder = new TimelineBuilder();
  for await (const line of lines) builder.add(line);
  return builder.finish();
}

/** The same, synchronously, for lines already in memory. */
export function timelineOf(lines: Iterable<TraceLine>): Timeline {
  const builder = new TimelineBuilder();
  for (const line of lines) builder.add(line);
  return builder.finish();
}
