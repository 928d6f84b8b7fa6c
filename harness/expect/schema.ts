/**
 * The shape of one expectation as written in a scenario file (YAML). Scenario files embed
 * `expectationSchema`; the judge (`judge.ts`) evaluates parsed expectations over a trace.
 * Every object is strict, so a misspelled key is an error rather than a silently ignored check.
 * Documented for humans in docs/expectations.md.
 */
import { z } from 'zod';

type UnionIssue = { code: string; input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] };

const formatIssues = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');

/**
 * A union's own "Invalid input" says nothing useful; say what was expected instead, and when an
 * input names its alternative by a key (`reach:`, `never:`, …), report that alternative's issues.
 */
function unionError(expected: string, keyed?: readonly string[]) {
  return (issue: UnionIssue): string | undefined => {
    if (issue.code !== 'invalid_union') return undefined;
    const input = issue.input;
    if (keyed && typeof input === 'object' && input !== null && issue.errors) {
      const present = keyed.findIndex((k) => k in input);
      if (present >= 0) return formatIssues(issue.errors[present] ?? []);
      return `${expected}; found keys: ${Object.keys(input).join(', ') || 'none'}`;
    }
    return expected;
  };
}

/** `500ms`, `30s`, `2m`, `1m30s`, `1h`: a duration a human can read. */
export const durationSchema = z
  .string()
  .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'a duration such as 500ms, 30s, 2m or 1m30s');

const compiles = (source: string, flags?: string): boolean => {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
};

/** A text check: a plain string means exact equality. */
export const textMatchSchema = z.union(
  [
    z.string(),
    z.strictObject({ exact: z.string() }),
    z.strictObject({ contains: z.string() }),
    z
      .strictObject({
        matches: z.string().describe('a JavaScript regular expression, unanchored'),
        flags: z
          .string()
          .regex(/^[imsu]*$/, 'regex flags among i, m, s, u')
          .optional(),
      })
      .refine((m) => compiles(m.matches, m.flags), 'not a valid regular expression'),
  ],
  { error: unionError('a string (exact), or one of { exact }, { contains }, { matches, flags? }') },
);

const labelsSchema = z.record(z.string(), z.string());

/**
 * An observed object. `name` may contain templates such as `{{service}}-00001`: the scenario
 * layer resolves them before the judge sees them. Neither name nor labels: any object of the kind.
 */
export const objectRefSchema = z.strictObject({
  kind: z.string().min(1),
  apiVersion: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  labels: labelsSchema.optional().describe('all of these labels, as last seen on the object'),
});

/** A pod, by name or labels; omitted: any pod of the scenario. */
export const podRefSchema = z.strictObject({
  name: z.string().min(1).optional(),
  labels: labelsSchema.optional(),
});

/**
 * One of the harness's recorded actions: by the scenario step that performed it, and/or by what
 * it did. Several match: the `nth` (1-based, default the first).
 */
export const actionRefSchema = z.strictObject({
  step: z.string().min(1).optional().describe("the scenario step's id, as recorded in the action line"),
  action: z.string().min(1).optional().describe('apply, patch, delete, exec, request, …'),
  kind: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  container: z.string().min(1).optional(),
  nth: z.number().int().min(1).optional(),
});

/** A point in the trace: its first line, a recorded action, or a note. */
export const anchorSchema = z.union(
  [z.literal('start'), actionRefSchema, z.strictObject({ note: textMatchSchema })],
  {
    error: unionError("'start', an action { step, action, kind, name, container, nth } or a note { note }"),
  },
);

/** A time window; omitted parts default to the whole trace. `until` and `for` exclude each other. */
export const windowSchema = z
  .strictObject({
    from: anchorSchema.optional(),
    until: z
      .union([z.literal('end'), anchorSchema], { error: unionError("'end' or an anchor (see from)") })
      .optional(),
    for: durationSchema.optional(),
  })
  .refine((w) => w.until === undefined || w.for === undefined, 'give until or for, not both');

export const probeTransitions = ['becomes-ready', 'becomes-unready'] as const;

/**
 * A deadline derived from a probe spec of the applied Knative Service (kubelet-probe-facts.md §6),
 * plus `slack` for propagation. The subject must change state inside
 * [anchor + earliest − slack, anchor + latest + slack].
 */
export const probeBoundSchema = z.strictObject({
  probe: z.strictObject({
    container: z.string().min(1),
    kind: z
      .literal('readiness')
      .optional()
      .describe('readiness only: bounds are derived for readiness transitions (kubelet-probe-facts.md §6)'),
    service: z.string().min(1).optional().describe('Knative Service name; default the last one applied'),
  }),
  transition: z.enum(probeTransitions),
  slack: durationSchema.optional().describe('default 1s'),
});

/** When a state must be reached: after an anchor, within a duration or a probe-derived bound. */
export const deadlineSchema = z.strictObject({
  after: anchorSchema.optional().describe('default start'),
  within: z
    .union([durationSchema, probeBoundSchema], {
      error: unionError('a duration such as 30s, or a probe bound { probe, transition, slack? }'),
    })
    .optional()
    .describe('default: by the end of the trace'),
});

export const conditionStatuses = ['True', 'False', 'Unknown'] as const;

/** A condition state: status, and optionally reason and message. */
export const conditionStateSchema = z.strictObject({
  status: z.enum(conditionStatuses),
  reason: textMatchSchema.optional(),
  message: textMatchSchema.optional(),
});

/** A condition of an object, by type (Ready, ContainersReady, ResourcesAvailable, …). */
export const conditionSubjectSchema = z.strictObject({
  object: objectRefSchema,
  type: z.string().min(1),
});

/** `restarts: 2` or a range. */
export const countSchema = z.union(
  [
    z.number().int().min(0),
    z
      .strictObject({
        atLeast: z.number().int().min(0).optional(),
        atMost: z.number().int().min(0).optional(),
      })
      .refine((c) => c.atLeast !== undefined || c.atMost !== undefined, 'give atLeast, atMost or both'),
  ],
  { error: unionError('a number, or { atLeast?, atMost? }') },
);

/** A container in a pod, by name (e.g. the sidecar). */
export const containerSubjectSchema = z.strictObject({
  pod: podRefSchema.optional(),
  name: z.string().min(1),
});

const containerStateShape = {
  ready: z.boolean().optional(),
  started: z.boolean().optional(),
  restarts: countSchema.optional(),
};
const someContainerState = (s: { ready?: unknown; started?: unknown; restarts?: unknown }) =>
  s.ready !== undefined || s.started !== undefined || s.restarts !== undefined;
const someContainerStateMessage = 'give ready, started or restarts';

export const containerStateSchema = z
  .strictObject(containerStateShape)
  .refine(someContainerState, someContainerStateMessage);

/** A condition in a given state. */
export const conditionMatchSchema = z.strictObject({
  ...conditionSubjectSchema.shape,
  ...conditionStateSchema.shape,
});

/** A container in a given state. */
export const containerMatchSchema = z
  .strictObject({ ...containerSubjectSchema.shape, ...containerStateShape })
  .refine(someContainerState, someContainerStateMessage);

/**
 * The ready addresses of a Kubernetes Service's EndpointSlices (label kubernetes.io/service-name),
 * summed over its slices and counted as Knative's e2e tests count them.
 */
export const endpointsMatchSchema = z.strictObject({
  service: z
    .string()
    .min(1)
    .describe("the Kubernetes Service, e.g. a Revision's private one: '{{service}}-00001-private'"),
  ready: countSchema.describe('ready addresses: a number, or { atLeast?, atMost? }'),
});

const stateMatchShape = {
  condition: conditionMatchSchema.optional(),
  container: containerMatchSchema.optional(),
  exists: objectRefSchema.optional().describe('an object of the kind (by name or labels) is present'),
  endpoints: endpointsMatchSchema.optional(),
};
const exactlyOne =
  (keys: readonly string[]) =>
  (s: Record<string, unknown>): boolean =>
    keys.filter((k) => s[k] !== undefined).length === 1;
const stateSubjectKeys = ['condition', 'container', 'exists', 'endpoints'] as const;
const exactlyOneState = exactlyOne(stateSubjectKeys);
const exactlyOneStateMessage = 'give exactly one of condition, container, exists or endpoints';
const exactlyOneSubject = exactlyOne(['condition', 'container']);
const exactlyOneSubjectMessage = 'give exactly one of condition or container';

const common = {
  name: z.string().min(1).optional().describe('a title for reports; default: generated from the check'),
};

/** The state is observed at some point after the anchor, by the deadline. */
export const reachExpectationSchema = z.strictObject({
  ...common,
  reach: z.strictObject(stateMatchShape).refine(exactlyOneState, exactlyOneStateMessage),
  by: deadlineSchema.optional(),
});

/** The state holds at no recorded instant inside the window (default the whole trace). */
export const neverExpectationSchema = z.strictObject({
  ...common,
  never: z.strictObject(stateMatchShape).refine(exactlyOneState, exactlyOneStateMessage),
  during: windowSchema.optional(),
});

/**
 * The subject passes through these states in order. `strict` (default true): every recorded state
 * from the first step to the last matches the current or the next step, so nothing else came between.
 */
export const sequenceExpectationSchema = z.strictObject({
  ...common,
  sequence: z
    .strictObject({
      condition: conditionSubjectSchema.optional(),
      container: containerSubjectSchema.optional(),
      states: z
        .array(
          z.union([conditionStateSchema, containerStateSchema], {
            error: unionError(
              'a condition state { status, reason?, message? } or a container state { ready?, started?, restarts? }',
            ),
          }),
        )
        .min(2),
      strict: z.boolean().optional(),
    })
    .refine(exactlyOneSubject, exactlyOneSubjectMessage)
    .refine(
      (s) => s.states.every((state) => 'status' in state === (s.condition !== undefined)),
      'a condition sequence lists condition states { status, … }; a container sequence lists container states { ready, … }',
    ),
  during: windowSchema.optional(),
});

/** Occurrences of an Event, counted with its `count` field (repeats are PATCHed, not re-created). */
export const timesSchema = z.union(
  [
    z.literal('never'),
    z.strictObject({ atLeast: z.number().int().min(1) }),
    z.strictObject({ atMost: z.number().int().min(0) }),
    z.strictObject({ exactly: z.number().int().min(0) }),
  ],
  { error: unionError("'never', { atLeast: n }, { atMost: n } or { exactly: n }") },
);

export const eventExpectationSchema = z.strictObject({
  ...common,
  event: z.strictObject({
    reason: textMatchSchema.optional(),
    type: z.enum(['Normal', 'Warning']).optional(),
    message: textMatchSchema.optional(),
    object: objectRefSchema.optional().describe('the involved object'),
    container: z
      .string()
      .min(1)
      .optional()
      .describe(
        'involvedObject.fieldPath names this container (spec.containers{x} or spec.initContainers{x})',
      ),
    source: z.string().min(1).optional().describe('reporting component, e.g. kubelet'),
  }),
  times: timesSchema.optional().describe('default { atLeast: 1 }'),
  during: windowSchema.optional(),
});

/** An action failed admission: denied by this webhook with this message (the webhook's own text). */
export const rejectedExpectationSchema = z.strictObject({
  ...common,
  rejected: z.strictObject({
    action: actionRefSchema.optional().describe('default: any recorded action'),
    webhook: z.string().min(1).optional(),
    message: textMatchSchema.optional(),
  }),
});

/** An action succeeded (e.g. the webhook admitted the Service). */
export const admittedExpectationSchema = z.strictObject({
  ...common,
  admitted: z.strictObject({ action: actionRefSchema }),
});

/** The key that names each kind of expectation, in the order of the union's options. */
export const expectationKinds = ['reach', 'never', 'sequence', 'event', 'rejected', 'admitted'] as const;
export type ExpectationKind = (typeof expectationKinds)[number];

export const expectationSchema = z.union(
  [
    reachExpectationSchema,
    neverExpectationSchema,
    sequenceExpectationSchema,
    eventExpectationSchema,
    rejectedExpectationSchema,
    admittedExpectationSchema,
  ],
  {
    error: unionError(`an expectation with one of the keys ${expectationKinds.join(', ')}`, expectationKinds),
  },
);

export type Expectation = z.infer<typeof expectationSchema>;
export type ReachExpectation = z.infer<typeof reachExpectationSchema>;
export type NeverExpectation = z.infer<typeof neverExpectationSchema>;
export type SequenceExpectation = z.infer<typeof sequenceExpectationSchema>;
export type EventExpectation = z.infer<typeof eventExpectationSchema>;
export type RejectedExpectation = z.infer<typeof rejectedExpectationSchema>;
export type AdmittedExpectation = z.infer<typeof admittedExpectationSchema>;
export type TextMatch = z.infer<typeof textMatchSchema>;
export type ObjectRefMatch = z.infer<typeof objectRefSchema>;
export type PodRefMatch = z.infer<typeof podRefSchema>;
export type ActionRef = z.infer<typeof actionRefSchema>;
export type Anchor = z.infer<typeof anchorSchema>;
export type Window = z.infer<typeof windowSchema>;
export type ProbeBound = z.infer<typeof probeBoundSchema>;
export type Deadline = z.infer<typeof deadlineSchema>;
export type ConditionState = z.infer<typeof conditionStateSchema>;
export type ConditionMatch = z.infer<typeof conditionMatchSchema>;
export type ContainerState = z.infer<typeof containerStateSchema>;
export type ContainerMatch = z.infer<typeof containerMatchSchema>;
export type Count = z.infer<typeof countSchema>;
export type EndpointsMatch = z.infer<typeof endpointsMatchSchema>;
export type StateMatch = ReachExpectation['reach'];
export type Times = z.infer<typeof timesSchema>;
export type ProbeTransition = (typeof probeTransitions)[number];
