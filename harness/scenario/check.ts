/**
 * Cross-reference checks on one rendered case, the mistakes a schema cannot see: a step exec'ing
 * in a container the Service does not have, a wait on an expectation that does not exist for a
 * variant, an anchor naming a step that never runs, two expectations with one name.
 */
import type { Expectation, StateMatch } from '../expect/schema.ts';
import { scenarioKinds } from '../observe/recorder.ts';
import type { FieldPath } from './issues.ts';
import type { ScenarioDocument } from './schema.ts';
import type { SchemaProblem } from './schema-issues.ts';
import { containerNames, type ServiceTimeline } from './service-state.ts';
import type { Step } from './step-schema.ts';
import { didYouMean } from './suggest.ts';

/** A step's id: its name, or `#<position>` (1-based) when it has none. */
export const stepId = (step: Step, index: number): string => step.name ?? `#${index + 1}`;

/** The name of the `rejected` expectation an `expectRejection` step stands for. */
export const rejectionName = (id: string) => `${id} is rejected`;

const recordedKinds = [...new Set(scenarioKinds.map((k) => k.kind))];

/** Containers Knative adds to every pod, which expectations may name too. */
const injectedContainers = ['queue-proxy'];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkCase(
  doc: ScenarioDocument,
  variants: readonly string[],
  timeline: ServiceTimeline,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [...timeline.problems];
  const ids = doc.steps.map(stepId);
  const runsOn = doc.steps.map((s) => s.variants ?? variants);
  const lists = doc.expectations as Record<string, Expectation[] | undefined>;

  doc.steps.forEach((step, i) => {
    if (step.name !== undefined && ids.indexOf(step.name) !== i) {
      problems.push({
        path: ['steps', i, 'name'],
        message: `another step is already named \`${step.name}\``,
      });
    }
  });

  /** Expectation names for a variant, with the path of each definition. */
  const namesFor = (variant: string) => {
    const names = new Map<string, FieldPath>();
    for (const key of ['shared', variant]) {
      (lists[key] ?? []).forEach((e, j) => {
        if (e.name !== undefined && !names.has(e.name)) names.set(e.name, ['expectations', key, j, 'name']);
      });
    }
    doc.steps.forEach((step, i) => {
      if ('expectRejection' in step && runsOn[i]!.includes(variant))
        names.set(rejectionName(ids[i]!), ['steps', i]);
    });
    return names;
  };

  for (const variant of variants) {
    const seen = new Set<string>();
    for (const key of ['shared', variant]) {
      (lists[key] ?? []).forEach((e, j) => {
        if (e.name === undefined) return;
        if (seen.has(e.name)) {
          problems.push({
            path: ['expectations', key, j, 'name'],
            message: `another expectation for ${variant} is already named \`${e.name}\``,
          });
        }
        seen.add(e.name);
      });
    }
  }

  const everyContainer = new Set([...timeline.after.flatMap(containerNames), ...injectedContainers]);

  doc.steps.forEach((step, i) => {
    if ('exec' in step) {
      const before = i > 0 ? timeline.after[i - 1] : undefined;
      const names = containerNames(before);
      if (before === undefined) {
        problems.push({ path: ['steps', i, 'exec'], message: 'runs before any step applied the Service' });
      } else if (!names.includes(step.exec.container)) {
        problems.push({
          path: ['steps', i, 'exec', 'container'],
          message: `the Service has no container \`${step.exec.container}\` at this step${didYouMean(step.exec.container, names)} (containers: ${names.join(', ') || 'none named'})`,
        });
      }
    }
    if ('wait' in step && 'until' in step.wait) {
      for (const variant of runsOn[i]!) {
        const names = namesFor(variant);
        step.wait.until.forEach((name, j) => {
          if (!names.has(name)) {
            problems.push({
              path: ['steps', i, 'wait', 'until', j],
              message: `no expectation named \`${name}\` for variant ${variant}${didYouMean(name, names.keys())}`,
            });
          }
        });
      }
    }
  });

  for (const [key, list] of Object.entries(lists)) {
    const forVariants = key === 'shared' ? variants : [key];
    (list ?? []).forEach((expectation, j) => {
      const at: FieldPath = ['expectations', key, j];
      walk(expectation, at, (value, path) => {
        if (typeof value.step === 'string') {
          const index = ids.indexOf(value.step);
          if (index < 0) {
            problems.push({
              path: [...path, 'step'],
              message: `no step \`${value.step}\`${didYouMean(value.step, ids)} (steps: ${ids.join(', ')})`,
            });
          } else {
            const missing = forVariants.filter((v) => !runsOn[index]!.includes(v));
            if (missing.length > 0) {
              problems.push({
                path: [...path, 'step'],
                message: `step \`${value.step}\` does not run on ${missing.join(', ')}; anchor on it in those variants' expectations only`,
              });
            }
          }
        }
        if (
          isPlainObject(value.probe) &&
          typeof value.probe.container === 'string' &&
          'transition' in value
        ) {
          const container = value.probe.container;
          const probes = timeline.after.flatMap((s) =>
            (s?.spec.template.spec.containers ?? []).flatMap((c) =>
              typeof c === 'object' && c.name === container && c.readinessProbe ? [c.readinessProbe] : [],
            ),
          );
          if (probes.length === 0) {
            problems.push({
              path: [...path, 'probe', 'container'],
              message: `no container \`${container}\` with a readinessProbe in any applied Service${didYouMean(container, everyContainer)}`,
            });
          } else if (probes.every((p) => p.exec === undefined)) {
            problems.push({
              path: [...path, 'probe'],
              message: `the readinessProbe of \`${container}\` is not exec: Knative removes httpGet, tcpSocket and grpc readiness probes from the container and queue-proxy runs them, so no kubelet bound applies (knative-facts.md §2.1)`,
            });
          }
        }
      });
      const state: [string, StateMatch] | undefined =
        'reach' in expectation
          ? ['reach', expectation.reach]
          : 'never' in expectation
            ? ['never', expectation.never]
            : undefined;
      const exists = state?.[1].exists;
      // "never exists" of a kind the recorder does not watch would pass whatever happened.
      if (state && exists && !recordedKinds.includes(exists.kind)) {
        problems.push({
          path: [...at, state[0], 'exists', 'kind'],
          message: `kpc does not record ${exists.kind} objects${didYouMean(exists.kind, recordedKinds)} (recorded: ${recordedKinds.join(', ')})`,
        });
      }
      for (const [subject, name, path] of containerSubjects(expectation, at)) {
        if (!everyContainer.has(name)) {
          problems.push({
            path,
            message: `no container \`${name}\` in any applied Service${didYouMean(name, everyContainer)} (${subject})`,
          });
        }
      }
    });
  }
  return problems;
}

/** Calls `visit` on every mapping inside `value`, with its path. */
function walk(
  value: unknown,
  path: FieldPath,
  visit: (v: Record<string, unknown>, path: FieldPath) => void,
): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, [...path, i], visit);
  } else if (isPlainObject(value)) {
    visit(value, path);
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key], visit);
  }
}

/** Container names an expectation is about, with where they are written. */
function containerSubjects(e: Expectation, at: FieldPath): [string, string, FieldPath][] {
  const found: [string, string, FieldPath][] = [];
  if ('reach' in e && e.reach.container)
    found.push(['reach', e.reach.container.name, [...at, 'reach', 'container', 'name']]);
  if ('never' in e && e.never.container)
    found.push(['never', e.never.container.name, [...at, 'never', 'container', 'name']]);
  if ('sequence' in e && e.sequence.container) {
    found.push(['sequence', e.sequence.container.name, [...at, 'sequence', 'container', 'name']]);
  }
  if ('event' in e && e.event.container)
    found.push(['event', e.event.container, [...at, 'event', 'container']]);
  return found;
}
