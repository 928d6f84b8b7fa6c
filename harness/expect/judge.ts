/**
 * Judges expectations over a whole recorded timeline: a pure function, no cluster. Every state
 * recorded counts, including one that came and went between two polls of a polling tool.
 */
import type { TraceLine } from '../observe/trace.ts';
import {
  AnchorNotFound,
  describeAction,
  describeActionRef,
  describeAnchor,
  findAction,
  type Point,
  type ResolvedWindow,
  resolveAnchor,
  resolveWindow,
} from './anchors.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { defaultSlackMs, describeBound, handlerOf, probeBounds } from './probe-bounds.ts';
import type {
  AdmittedExpectation,
  EventExpectation,
  Expectation,
  ExpectationKind,
  NeverExpectation,
  ProbeBound,
  ReachExpectation,
  RejectedExpectation,
  SequenceExpectation,
  StateMatch,
  Times,
} from './schema.ts';
import {
  type AnySubject,
  conditionSubject,
  conditionTest,
  containerSubject,
  containerTest,
  describeEndpoints,
  describeObjectRef,
  endpointsTest,
  existsTest,
  findObjects,
  type Observation,
  type StateTest,
  type Subject,
  stateSubject,
  type Track,
  widen,
} from './subjects.ts';
import { describeTextMatch, explainTextMismatch, matchesText } from './text-match.ts';
import {
  buildTimeline,
  type ContainerHistory,
  type EventHistory,
  type ProbeSpec,
  type Timeline,
} from './timeline.ts';
import { type Evidence, type ExpectationResult, relativeTime, type Verdict } from './verdict.ts';

/** Judges every expectation over the timeline. */
export function judge(expectations: readonly Expectation[], timeline: Timeline): Verdict {
  const results = expectations.map((e, index) => judgeOne(e, index, timeline));
  const failed = results.filter((r) => !r.ok).length;
  return {
    ok: failed === 0,
    passed: results.length - failed,
    failed,
    results,
    trace: {
      start: new Date(timeline.start).toISOString(),
      end: new Date(timeline.end).toISOString(),
      lines: timeline.lines,
      warnings: timeline.warnings,
    },
  };
}

/** Builds the timeline from a line stream (memory bounded by the timeline), then judges it. */
export async function judgeTrace(
  expectations: readonly Expectation[],
  lines: AsyncIterable<TraceLine> | Iterable<TraceLine>,
): Promise<{ verdict: Verdict; timeline: Timeline }> {
  const timeline = await buildTimeline(lines);
  return { verdict: judge(expectations, timeline), timeline };
}

type Outcome = Omit<ExpectationResult, 'index' | 'name' | 'kind' | 'expectation'>;

export const kindOf = (e: Expectation): ExpectationKind =>
  'reach' in e
    ? 'reach'
    : 'never' in e
      ? 'never'
      : 'sequence' in e
        ? 'sequence'
        : 'event' in e
          ? 'event'
          : 'rejected' in e
            ? 'rejected'
            : 'admitted';

function judgeOne(expectation: Expectation, index: number, timeline: Timeline): ExpectationResult {
  const kind = kindOf(expectation);
  const name = expectation.name ?? describeExpectation(expectation);
  let outcome: Outcome;
  if (timeline.lines === 0) {
    outcome = failure('the trace is empty');
  } else {
    try {
      outcome = evaluate(expectation, timeline);
    } catch (error) {
      if (!(error instanceof AnchorNotFound)) throw error;
      outcome = failure(error.message);
    }
  }
  return { index, name, kind, expectation, ...outcome };
}

function evaluate(e: Expectation, timeline: Timeline): Outcome {
  if ('reach' in e) return judgeReach(e, timeline);
  if ('never' in e) return judgeNever(e, timeline);
  if ('sequence' in e) return judgeSequence(e, timeline);
  if ('event' in e) return judgeEvent(e, timeline);
  if ('rejected' in e) return judgeRejected(e, timeline);
  return judgeAdmitted(e, timeline);
}

const failure = (summary: string, rest: Partial<Outcome> = {}): Outcome => ({
  ok: false,
  summary,
  evidence: [],
  notes: [],
  lanes: [],
  ...rest,
});

// ---------------------------------------------------------------- track helpers

/** The state in force at a point: the last observation recorded at or before it. */
function inForceAt<O extends Observation>(
  track: Track<O>,
  point: { at: number; seq: number },
): O | undefined {
  let found: O | undefined;
  for (const o of track.observations) {
    if (o.seq > point.seq || o.at > point.at) break;
    found = o;
  }
  return found;
}

/** Observations recorded after `from` and up to `to`. */
const recordedBetween = <O extends Observation>(track: Track<O>, from: Point, to: Point): O[] =>
  track.observations.filter((o) => o.seq > from.seq && o.at >= from.at && o.seq <= to.seq && o.at <= to.at);

/** Every state that held at some instant of the window: the one in force at its start, then each change. */
function statesDuring<O extends Observation>(track: Track<O>, window: { from: Point; to: Point }): O[] {
  const first = inForceAt(track, window.from);
  const rest = recordedBetween(track, window.from, window.to);
  return first ? [first, ...rest] : rest;
}

/** When the state after `o` replaced it, if it was replaced. */
function nextAfter<O extends Observation>(track: Track<O>, o: O): O | undefined {
  const i = track.observations.indexOf(o);
  return track.observations[i + 1];
}

function stateEvidence(subject: Subject, track: Track, o: Observation, suffix = ''): Evidence {
  return { at: o.at, seq: o.seq, lane: track.lane, text: `${track.label}: ${subject.describe(o)}${suffix}` };
}

/** At most `max` entries: the first ones and the last, with a count of what was left out. */
function elide<T>(items: T[], max: number, gap: (n: number) => T): T[] {
  if (items.length <= max) return items;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [...items.slice(0, head), gap(items.length - head - tail), ...items.slice(items.length - tail)];
}

const gapEvidence = (at: number) => (n: number) => ({ at, text: `… ${n} more states …` });

function nearMisses(subject: AnySubject, tracks: Track[], from: Point, to: Point): string[] {
  const out: string[] = [];
  for (const track of tracks) {
    for (const o of statesDuring(track, { from, to })) {
      const miss = subject.test.nearMiss(o);
      if (miss && out.length < 3)
        out.push(`${track.label} at ${o.at === from.at ? 'the anchor' : `seq ${o.seq}`} was close:\n${miss}`);
    }
  }
  return out;
}

const laneList = (tracks: Track[]) => tracks.map((t) => t.lane);

// ---------------------------------------------------------------- reach

function judgeReach(e: ReachExpectation, timeline: Timeline): Outcome {
  const subject = stateSubject(timeline, e.reach);
  const { tracks } = subject.subject;
  const anchor = resolveAnchor(timeline, e.by?.after);
  const within = e.by?.within;
  if (tracks.length === 0) return failure(subject.subject.missing);
  if (typeof within === 'object') return judgeTransition(subject, anchor, within, timeline);
  const deadline: Point =
    within === undefined
      ? { at: timeline.end, seq: Number.POSITIVE_INFINITY, startedAt: timeline.end, description: 'the end' }
      : { ...anchor, at: anchor.at + parseDuration(within), seq: Number.POSITIVE_INFINITY };
  const window = { from: anchor.at, to: deadline.at };
  const lanes = laneList(tracks);
  for (const track of tracks) {
    const held = inForceAt(track, anchor);
    if (held && subject.test.matches(held)) {
      return {
        ok: true,
        summary: `already ${subject.test.description} at ${anchor.description}`,
        evidence: [stateEvidence(subject.subject, track, held)],
        notes: [],
        window,
        lanes,
      };
    }
    const reached = recordedBetween(track, anchor, deadline).find((o) => subject.test.matches(o));
    if (reached) {
      return {
        ok: true,
        summary: `${subject.test.description} ${formatDuration(reached.at - anchor.at)} after ${anchor.description}`,
        evidence: [stateEvidence(subject.subject, track, reached)],
        notes: [],
        window,
        lanes,
      };
    }
  }
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  for (const track of tracks.slice(0, 3)) {
    const states = statesDuring(track, { from: anchor, to: deadline }).map((o) =>
      stateEvidence(subject.subject, track, o),
    );
    evidence.push(...elide(states, 12, gapEvidence(anchor.at)));
    // The deadline's seq is unbounded (it is a time, not a line), so "after it" is by time alone.
    const late = track.observations.find((o) => o.at > deadline.at && subject.test.matches(o));
    if (late) {
      evidence.push(
        stateEvidence(
          subject.subject,
          track,
          late,
          `  (${formatDuration(late.at - deadline.at)} after the deadline)`,
        ),
      );
    }
  }
  if (tracks.length > 3) notes.push(`${tracks.length - 3} more matching subjects not shown`);
  notes.push(...nearMisses(subject, tracks, anchor, deadline));
  const ends =
    deadline.at > timeline.end
      ? ` (the trace ends ${formatDuration(deadline.at - timeline.end)} before the deadline)`
      : '';
  return failure(
    `${subject.subject.description} was never ${subject.test.description} ${within ? `within ${within} ` : ''}after ${anchor.description}${ends}`,
    { evidence, notes, window, lanes },
  );
}

/** A transition whose deadline comes from a probe spec (docs/timing-bounds.md). */
function judgeTransition(subject: AnySubject, anchor: Point, bound: ProbeBound, timeline: Timeline): Outcome {
  const { tracks } = subject.subject;
  const slack = bound.slack ? parseDuration(bound.slack) : defaultSlackMs;
  const lanes = laneList(tracks);
  const failures: { evidence: Evidence[]; notes: string[]; summary: string }[] = [];
  for (const track of tracks) {
    const probe = resolveProbe(timeline, bound, anchor, track);
    const eligibleInMs = eligibility(probe.spec, track, anchor, timeline, bound.probe.container);
    const b = probeBounds(probe.spec, bound.transition, { eligibleInMs });
    const earliest = anchor.startedAt + b.earliestMs - slack;
    const latest = anchor.at + b.latestMs + slack;
    const derivation = [
      `bound from ${probe.source}:`,
      describeBound(probe.spec, bound.transition, {
        eligibleInMs,
        slackMs: slack,
        container: bound.probe.container,
      }),
      anchor.startedAt !== anchor.at
        ? `T is ${anchor.description}, which ran from ${relativeTime(anchor.startedAt, timeline.start)} to ${relativeTime(anchor.at, timeline.start)}`
        : `T is ${anchor.description} at ${relativeTime(anchor.at, timeline.start)}`,
    ];
    const window = { from: earliest, to: latest };
    const held = inForceAt(track, anchor);
    if (held && subject.test.matches(held)) {
      failures.push({
        summary: `${track.label} was already ${subject.test.description} at ${anchor.description}; a transition after it was expected`,
        evidence: [stateEvidence(subject.subject, track, held)],
        notes: derivation,
      });
      continue;
    }
    const after = recordedBetween(track, anchor, {
      ...anchor,
      at: Number.POSITIVE_INFINITY,
      seq: Number.POSITIVE_INFINITY,
    });
    const reached = after.find((o) => subject.test.matches(o));
    if (!reached) {
      failures.push({
        summary: `${track.label} never became ${subject.test.description} after ${anchor.description} (bound: by ${relativeTime(latest, anchor.at)} after it)`,
        evidence: elide(
          [held, ...after]
            .filter((o) => o !== undefined)
            .map((o) => stateEvidence(subject.subject, track, o)),
          12,
          gapEvidence(anchor.at),
        ),
        notes: derivation,
      });
      continue;
    }
    const took = `${formatDuration(reached.at - anchor.at)} after ${anchor.description}`;
    const evidence = [
      ...(held ? [stateEvidence(subject.subject, track, held, '  (at the anchor)')] : []),
      stateEvidence(subject.subject, track, reached),
    ];
    if (reached.at >= earliest && reached.at <= latest) {
      return {
        ok: true,
        summary: `${subject.test.description} ${took}, inside the bound [${formatDuration(b.earliestMs - slack)}, ${formatDuration(b.latestMs + slack)}]`,
        evidence,
        notes: derivation,
        window,
        lanes,
      };
    }
    failures.push({
      summary:
        reached.at < earliest
          ? `${track.label} became ${subject.test.description} ${took}: ${formatDuration(earliest - reached.at)} earlier than the probe allows`
          : `${track.label} became ${subject.test.description} ${took}: ${formatDuration(reached.at - latest)} later than the bound`,
      evidence,
      notes: derivation,
    });
  }
  const first = failures[0];
  if (!first) return failure(subject.subject.missing);
  return failure(first.summary, {
    evidence: failures.flatMap((f) => f.evidence),
    notes: [...first.notes, ...failures.slice(1).map((f) => f.summary)],
    lanes,
  });
}

/**
 * The readiness probe the bound is computed from: the container's probe in the Knative Service
 * applied last before the anchor (the apply action's detail.object), else in a recorded pod spec.
 */
function resolveProbe(
  timeline: Timeline,
  bound: ProbeBound,
  anchor: Point,
  track: Track,
): { spec: ProbeSpec; source: string } {
  const container = bound.probe.container;
  const applies = timeline.actions.filter(
    (a) =>
      a.applied?.kind === 'Service' &&
      a.applied.apiVersion?.startsWith('serving.knative.dev/') &&
      (bound.probe.service === undefined || a.applied.name === bound.probe.service),
  );
  const applied = applies.filter((a) => a.seq < anchor.seq).at(-1) ?? applies.at(-1);
  if (applied?.applied) {
    const probes = applied.applied.containers.get(container);
    const spec = probes?.readinessProbe;
    const where = `the readinessProbe of container ${container} in Service ${applied.applied.name} applied at ${relativeTime(applied.at, timeline.start)}`;
    if (!spec) {
      throw new AnchorNotFound(
        probes
          ? `Service ${applied.applied.name} has no readinessProbe on container ${container}`
          : `Service ${applied.applied.name} has no container ${container} (it has: ${[...applied.applied.containers.keys()].join(', ')})`,
      );
    }
    if (handlerOf(spec) !== 'exec') {
      throw new AnchorNotFound(
        `${where} is ${handlerOf(spec)}: Knative removes such readiness probes from the container and queue-proxy runs them, so no kubelet bound applies (knative-facts.md §2.1)`,
      );
    }
    return { spec, source: where };
  }
  const pods = track.container ? [track.container.pod] : findObjects(timeline, { kind: 'Pod' });
  for (const pod of pods) {
    const spec = pod.probes?.get(container)?.readinessProbe;
    if (spec)
      return { spec, source: `the readinessProbe of container ${container} in the spec of Pod ${pod.name}` };
  }
  const service = bound.probe.service ? `Service ${bound.probe.service}` : 'Knative Service';
  throw new AnchorNotFound(
    `no readinessProbe for container ${container}: no applied ${service} and no recorded pod spec carries one`,
  );
}

/**
 * How long after the anchor the container becomes eligible for readiness probes (G − T in
 * kubelet-probe-facts.md §6): its start (whole seconds) + initialDelaySeconds − 1 s, and after a
 * startup probe's success. Only known for pods' containers; 0 when already eligible.
 */
function eligibility(
  spec: ProbeSpec,
  track: Track,
  anchor: Point,
  timeline: Timeline,
  container: string,
): number {
  const history: ContainerHistory | undefined = track.container
    ? track.container.name === container
      ? track.container
      : timeline.containers.get(`${track.container.pod.key}/${container}`)
    : timeline.containers.get(`${track.lane.split('#')[0]}/${container}`);
  if (!history) return 0;
  const atAnchor = inForceAt({ lane: '', label: '', observations: history.observations }, anchor);
  const running =
    atAnchor?.state === 'running' && atAnchor.startedAt
      ? atAnchor
      : history.observations.find((o) => o.seq > anchor.seq && o.state === 'running' && o.startedAt);
  if (!running?.startedAt) return 0;
  let eligibleAt = Date.parse(running.startedAt) + (spec.initialDelaySeconds ?? 0) * 1000 - 1000;
  if (history.pod.probes?.get(container)?.startupProbe) {
    const started = history.observations.find((o) => o.seq >= running.seq && o.started === true);
    if (started) eligibleAt = Math.max(eligibleAt, started.at);
  }
  return Math.max(0, eligibleAt - anchor.startedAt);
}

// ---------------------------------------------------------------- never

function judgeNever(e: NeverExpectation, timeline: Timeline): Outcome {
  const subject = stateSubject(timeline, e.never);
  const { tracks } = subject.subject;
  const window = resolveWindow(timeline, e.during);
  const span = { from: window.from.at, to: Math.min(window.to.at, timeline.end) };
  if (tracks.length === 0) {
    return failure(`${subject.subject.missing}, so "never" would hold vacuously`, { window: span });
  }
  const lanes = laneList(tracks);
  const offending: Evidence[] = [];
  let judged = 0;
  for (const track of tracks) {
    for (const o of statesDuring(track, window)) {
      judged += 1;
      if (!subject.test.matches(o)) continue;
      const next = nextAfter(track, o);
      const from = Math.max(o.at, window.from.at);
      const until = next
        ? `until ${relativeTime(next.at, timeline.start)} (${formatDuration(next.at - from)})`
        : 'until the end of the trace';
      offending.push(stateEvidence(subject.subject, track, o, `  — held ${until}`));
    }
  }
  if (offending.length > 0) {
    const first = offending[0]!;
    return failure(
      `${subject.subject.description} was ${subject.test.description} at ${relativeTime(first.at, timeline.start)} ` +
        `(${offending.length} offending state${offending.length > 1 ? 's' : ''}) ${window.description}`,
      { evidence: elide(offending, 10, gapEvidence(first.at)), window: span, lanes },
    );
  }
  if (window.beyondTrace) {
    return failure(`no ${subject.test.description} state was recorded, but ${window.beyondTrace}`, {
      window: span,
      lanes,
    });
  }
  return {
    ok: true,
    summary: `never ${subject.test.description} across ${judged} recorded state${judged === 1 ? '' : 's'} of ${tracks.length} subject${tracks.length === 1 ? '' : 's'} ${window.description}`,
    evidence: [],
    notes: [],
    window: span,
    lanes,
  };
}

// ---------------------------------------------------------------- sequence

function judgeSequence(e: SequenceExpectation, timeline: Timeline): Outcome {
  const body = e.sequence;
  const strict = body.strict ?? true;
  const { subject, tests } = sequenceParts(timeline, body);
  const window = resolveWindow(timeline, e.during);
  const span = { from: window.from.at, to: Math.min(window.to.at, timeline.end) };
  const { tracks } = subject;
  if (tracks.length === 0) return failure(subject.missing, { window: span });
  const lanes = laneList(tracks);
  const wanted = tests.map((t) => t.description).join(' → ');
  const failures: Evidence[] = [];
  const notes: string[] = [];
  for (const track of tracks) {
    const states = statesDuring(track, window);
    const found = strict ? strictRun(states, tests) : looseRun(states, tests);
    if (found.ok) {
      return {
        ok: true,
        summary: `${track.label} went ${wanted}${strict ? ' with nothing else between' : ''}`,
        evidence: found.path.map((o) => stateEvidence(subject, track, o)),
        notes: [],
        window: span,
        lanes,
      };
    }
    failures.push(
      ...elide(
        states.map((o) => stateEvidence(subject, track, o)),
        15,
        gapEvidence(span.from),
      ),
    );
    notes.push(`${track.label}: ${found.why(subject.describe)}`);
  }
  return failure(
    `${subject.description} did not go ${wanted}${strict ? ' with nothing else between' : ''} ${window.description}`,
    {
      evidence: failures,
      notes,
      window: span,
      lanes,
    },
  );
}

function sequenceParts(
  timeline: Timeline,
  body: SequenceExpectation['sequence'],
): { subject: Subject; tests: StateTest<Observation>[] } {
  if (body.condition) {
    const tests = body.states.map((s) => {
      if (!('status' in s)) throw new Error('a condition sequence lists condition states');
      return widen(conditionSubject(timeline, body.condition!), conditionTest(s)).test;
    });
    return { subject: conditionSubject(timeline, body.condition) as unknown as Subject, tests };
  }
  const container = body.container!;
  const subject = containerSubject(timeline, container);
  const tests = body.states.map((s) => {
    if ('status' in s) throw new Error('a container sequence lists container states');
    return widen(subject, containerTest(s)).test;
  });
  return { subject: subject as unknown as Subject, tests };
}

type Run =
  | { ok: true; path: Observation[] }
  | { ok: false; why: (describe: (o: Observation) => string) => string };

/**
 * From the first state that matches the first step, the states must read as test0+ test1+ …
 * testN+: each matches the current step or the next. A state matching both may be either (a set of
 * live steps, no guessing). Anchoring at the first match means a False between an earlier Unknown
 * and a later Unknown → True still fails "Unknown → True with nothing else between".
 */
function strictRun(states: Observation[], tests: StateTest<Observation>[]): Run {
  const last = tests.length - 1;
  const start = states.findIndex((o) => tests[0]!.matches(o));
  const advance = (live: Set<number>, o: Observation) => {
    const next = new Set<number>();
    for (const k of live) {
      if (tests[k]!.matches(o)) next.add(k);
      if (k < last && tests[k + 1]!.matches(o)) next.add(k + 1);
    }
    return next;
  };
  let live = start === -1 ? new Set<number>() : advance(new Set([0]), states[start]!);
  const path: Observation[] = start === -1 ? [] : [states[start]!];
  let reached = start === -1 ? -1 : Math.max(...live);
  let breaker: Observation | undefined;
  for (let i = start + 1; start !== -1 && i < states.length && !live.has(last); i++) {
    const o = states[i]!;
    const next = advance(live, o);
    if (next.size === 0) {
      breaker = o;
      break;
    }
    const top = Math.max(...next);
    if (top > reached) path.push(o);
    reached = top;
    live = next;
  }
  if (live.has(last)) return { ok: true, path };
  return {
    ok: false,
    why: (describe) => {
      if (reached < 0) return `never ${tests[0]!.description}`;
      const step = tests[reached]!.description;
      if (breaker) {
        const allowed = [step, tests[reached + 1]?.description].filter(Boolean).join(' or ');
        return `after ${step} came ${describe(breaker)} (seq ${breaker.seq}), which is not ${allowed}`;
      }
      return `reached ${step} but never ${tests[reached + 1]!.description} after it`;
    },
  };
}

/** The states in order, anything allowed between them. */
function looseRun(states: Observation[], tests: StateTest<Observation>[]): Run {
  const path: Observation[] = [];
  let k = 0;
  for (const o of states) {
    if (k < tests.length && tests[k]!.matches(o)) {
      path.push(o);
      k += 1;
    }
  }
  if (k === tests.length) return { ok: true, path };
  return {
    ok: false,
    why: () =>
      k === 0
        ? `never ${tests[0]!.description}`
        : `reached ${tests[k - 1]!.description} but never ${tests[k]!.description} after it`,
  };
}

// ---------------------------------------------------------------- events

const describeTimes = (t: Times): string =>
  t === 'never'
    ? 'never'
    : 'atLeast' in t
      ? `at least ${t.atLeast} times`
      : 'atMost' in t
        ? `at most ${t.atMost} times`
        : `exactly ${t.exactly} times`;

const timesMatch = (t: Times, n: number): boolean =>
  t === 'never' ? n === 0 : 'atLeast' in t ? n >= t.atLeast : 'atMost' in t ? n <= t.atMost : n === t.exactly;

/** Occurrences of one Event in the window, from its `count` at the window's ends. */
function occurrences(history: EventHistory, window: ResolvedWindow): number {
  const countAt = (point: Point) => {
    let count = 0;
    for (const o of history.observations) {
      if (o.seq > point.seq || o.at > point.at) break;
      count = o.count;
    }
    return count;
  };
  return countAt(window.to) - countAt(window.from);
}

function describeEvent(h: EventHistory, start: number): string {
  const on = [h.involved.kind, h.involved.name].filter(Boolean).join(' ');
  const field = h.involved.fieldPath ? ` ${h.involved.fieldPath}` : '';
  const count = h.observations.at(-1)?.count ?? 1;
  const first = h.observations[0];
  return `${h.type ?? '?'} ${h.reason ?? '?'} on ${on}${field} (count ${count}${first ? `, first recorded ${relativeTime(first.at, start)}` : ''}): ${JSON.stringify(h.message)}`;
}

function judgeEvent(e: EventExpectation, timeline: Timeline): Outcome {
  const m = e.event;
  const times = e.times ?? { atLeast: 1 };
  const window = resolveWindow(timeline, e.during);
  const span = { from: window.from.at, to: Math.min(window.to.at, timeline.end) };
  const objectUids = m.object?.labels
    ? new Set(findObjects(timeline, m.object).map((o) => o.uid))
    : undefined;
  const involvedMatches = (h: EventHistory): boolean => {
    if (!m.object) return true;
    const ref = m.object;
    if (h.involved.kind !== ref.kind) return false;
    if (ref.name !== undefined && h.involved.name !== ref.name) return false;
    if (ref.namespace !== undefined && h.involved.namespace !== ref.namespace) return false;
    if (ref.apiVersion !== undefined && h.involved.apiVersion !== ref.apiVersion) return false;
    return objectUids === undefined || objectUids.has(h.involved.uid);
  };
  const fieldPaths = m.container
    ? [`spec.containers{${m.container}}`, `spec.initContainers{${m.container}}`]
    : undefined;
  const others = (h: EventHistory): boolean =>
    involvedMatches(h) &&
    (m.type === undefined || h.type === m.type) &&
    (fieldPaths === undefined || fieldPaths.includes(h.involved.fieldPath ?? '')) &&
    (m.source === undefined || h.source === m.source);
  const matching: { h: EventHistory; n: number }[] = [];
  const nearMiss: EventHistory[] = [];
  for (const h of timeline.events.values()) {
    if (!others(h)) continue;
    const reasonOk = m.reason === undefined || matchesText(m.reason, h.reason);
    const messageOk = m.message === undefined || matchesText(m.message, h.message);
    if (reasonOk && messageOk) {
      const n = occurrences(h, window);
      if (n > 0) matching.push({ h, n });
    } else if (reasonOk || messageOk) {
      nearMiss.push(h);
    }
  }
  const total = matching.reduce((sum, x) => sum + x.n, 0);
  const what = describeEventMatch(e);
  const evidence = matching.slice(0, 10).map(({ h, n }) => ({
    at: h.observations[0]?.at ?? span.from,
    text: `${describeEvent(h, timeline.start)}${n !== (h.observations.at(-1)?.count ?? 1) ? ` — ${n} in the window` : ''}`,
  }));
  const notes: string[] = [];
  for (const h of nearMiss.slice(0, 3)) {
    notes.push(`near miss: ${describeEvent(h, timeline.start)}`);
    if (m.message !== undefined && !matchesText(m.message, h.message))
      notes.push(`message: ${explainTextMismatch(m.message, h.message)}`);
    if (m.reason !== undefined && !matchesText(m.reason, h.reason))
      notes.push(`reason: ${explainTextMismatch(m.reason, h.reason)}`);
  }
  const ok = timesMatch(times, total);
  const summary = `${what}: ${total} occurrence${total === 1 ? '' : 's'} ${window.description}, expected ${describeTimes(times)}`;
  const upperBounded = times === 'never' || 'atMost' in times || 'exactly' in times;
  if (ok && upperBounded && window.beyondTrace) {
    return failure(`${summary}, but ${window.beyondTrace}`, { evidence, notes, window: span });
  }
  if (total > 0 && /[Uu]nhealthy|BackOff/.test(m.reason ? describeTextMatch(m.reason) : '')) {
    notes.push(
      'kubelet Warning events are rate-limited per pod (burst 25, then 1 per 5 min; kubelet-probe-facts.md §3.3): counts are lower bounds once that is reached',
    );
  }
  return { ok, summary, evidence, notes: ok ? [] : notes, window: span, lanes: [] };
}

function describeEventMatch(e: EventExpectation): string {
  const m = e.event;
  const parts = ['Event'];
  if (m.type) parts.push(m.type);
  if (m.reason !== undefined) parts.push(`reason ${describeTextMatch(m.reason)}`);
  if (m.object) parts.push(`on ${describeObjectRef(m.object)}`);
  if (m.container) parts.push(`container ${m.container}`);
  if (m.source) parts.push(`from ${m.source}`);
  if (m.message !== undefined) parts.push(`message ${describeTextMatch(m.message)}`);
  return parts.join(' ');
}

// ---------------------------------------------------------------- admission

const deniedPrefix = /^admission webhook "([^"]+)" denied the request: /;

/** The webhook and its own message, from the recorded error (or parsed from the API server's wrapper). */
function denialOf(error: { message: string; webhook?: string; denial?: string }): {
  webhook?: string;
  denial: string;
} {
  const m = deniedPrefix.exec(error.message);
  return {
    webhook: error.webhook ?? m?.[1],
    denial: error.denial ?? (m ? error.message.slice(m[0].length) : error.message),
  };
}

function judgeRejected(e: RejectedExpectation, timeline: Timeline): Outcome {
  const r = e.rejected;
  const candidates = r.action ? [findAction(timeline, r.action)] : timeline.actions;
  const want = `rejected${r.webhook ? ` by ${r.webhook}` : ''}${r.message !== undefined ? ` with ${describeTextMatch(r.message)}` : ''}`;
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  for (const a of candidates) {
    const item = { at: a.at, seq: a.seq, text: describeAction(a) };
    if (a.outcome !== 'error' || !a.error) {
      if (r.action) evidence.push({ ...item, text: `${item.text}: admitted` });
      continue;
    }
    const { webhook, denial } = denialOf(a.error);
    const webhookOk = r.webhook === undefined || webhook === r.webhook;
    const messageOk = r.message === undefined || matchesText(r.message, denial);
    if (webhookOk && messageOk) {
      return {
        ok: true,
        summary: `${describeAction(a)} was ${want}`,
        evidence: [{ ...item, text: `${item.text}: ${denial}` }],
        notes: [],
        lanes: [],
      };
    }
    evidence.push({ ...item, text: `${item.text}${webhook ? ` by ${webhook}` : ''}: ${a.error.message}` });
    if (!webhookOk)
      notes.push(`webhook: expected ${r.webhook}, got ${webhook ?? '(not an admission denial)'}`);
    if (!messageOk && r.message !== undefined)
      notes.push(`message: ${explainTextMismatch(r.message, denial)}`);
  }
  const subject = r.action ? describeActionRef(r.action) : 'no recorded action';
  return failure(r.action ? `${subject} was not ${want}` : `${subject} was ${want}`, {
    evidence: evidence.slice(0, 10),
    notes,
  });
}

function judgeAdmitted(e: AdmittedExpectation, timeline: Timeline): Outcome {
  const a = findAction(timeline, e.admitted.action);
  const evidence = [
    { at: a.at, seq: a.seq, text: `${describeAction(a)}${a.error ? `: ${a.error.message}` : ''}` },
  ];
  if (a.outcome === 'ok')
    return { ok: true, summary: `${describeAction(a)} was admitted`, evidence, notes: [], lanes: [] };
  return failure(
    `${describeActionRef(e.admitted.action)} failed: ${a.error?.message ?? 'no error recorded'}`,
    { evidence },
  );
}

// ---------------------------------------------------------------- names

const subjectOf = (body: StateMatch | SequenceExpectation['sequence']): string => {
  if (body.condition) return `${describeObjectRef(body.condition.object)} ${body.condition.type}`;
  if (body.container)
    return `container ${body.container.name}${body.container.pod ? ` of ${describeObjectRef({ kind: 'Pod', ...body.container.pod })}` : ''}`;
  const state = body as StateMatch;
  return state.exists ? describeObjectRef(state.exists) : describeEndpoints(state.endpoints!.service);
};

const stateOf = (body: StateMatch): string => {
  if (body.condition) {
    const { object: _o, type: _t, ...state } = body.condition;
    return conditionTest(state).description;
  }
  if (body.container) {
    const { pod: _p, name: _n, ...state } = body.container;
    return containerTest(state).description;
  }
  return body.exists ? existsTest.description : endpointsTest(body.endpoints!.ready).description;
};

/** A readable one-line name for an expectation without one. */
export function describeExpectation(e: Expectation): string {
  if ('reach' in e) {
    const within = e.by?.within;
    const by =
      typeof within === 'object'
        ? ` within the ${within.probe.container} readiness-probe bound (${within.transition})`
        : within
          ? ` within ${within}`
          : '';
    const after = e.by?.after ? ` after ${describeAnchor(e.by.after)}` : '';
    return `${subjectOf(e.reach)} reaches ${stateOf(e.reach)}${by}${after}`;
  }
  if ('never' in e) return `${subjectOf(e.never)} is never ${stateOf(e.never)}`;
  if ('sequence' in e) {
    const s = e.sequence;
    const tests = s.states.map(
      (state) => ('status' in state ? conditionTest(state) : containerTest(state)).description,
    );
    return `${subjectOf(s)} goes ${tests.join(' → ')}`;
  }
  if ('event' in e) return `${describeEventMatch(e)} ${describeTimes(e.times ?? { atLeast: 1 })}`;
  if ('rejected' in e) {
    const r = e.rejected;
    return `${r.action ? describeActionRef(r.action) : 'an action'} is rejected${r.webhook ? ` by ${r.webhook}` : ''}`;
  }
  return `${describeActionRef(e.admitted.action)} is admitted`;
}
