/**
 * The Service as each step leaves it, worked out without a cluster: apply sets it, a patch of
 * the Service changes it, delete removes it. Lets validation check that an exec step or a probe
 * bound names a container that exists at that point, and lets `plan` find the probe a bound uses.
 */
import jsonpatch, { type Operation } from 'fast-json-patch';
import { type FieldPath, formatPath } from './issues.ts';
import { explainIssues, type SchemaProblem } from './schema-issues.ts';
import { type ServiceTemplate, serviceTemplateSchema } from './service-schema.ts';
import type { Step, Target } from './step-schema.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: null deletes, mappings merge, everything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Whether a step's target is the case Service (no target, or one naming it). */
function targetsService(target: Target | undefined, serviceName: string): boolean {
  return (
    target === undefined ||
    (target.kind === 'Service' &&
      target.apiVersion === 'serving.knative.dev/v1' &&
      target.name === serviceName)
  );
}

export interface ServiceTimeline {
  /** The Service after step i ran (undefined: not applied, or deleted). */
  readonly after: readonly (ServiceTemplate | undefined)[];
  readonly problems: SchemaProblem[];
}

export function serviceTimeline(
  service: ServiceTemplate,
  serviceName: string,
  steps: readonly Step[],
): ServiceTimeline {
  const after: (ServiceTemplate | undefined)[] = [];
  const problems: SchemaProblem[] = [];
  let current: ServiceTemplate | undefined;
  steps.forEach((step, index) => {
    if ('apply' in step) current = step.apply.manifest ?? service;
    else if ('patch' in step && targetsService(step.patch.target, serviceName)) {
      const at: FieldPath = ['steps', index, 'patch'];
      if (current === undefined) {
        problems.push({ path: at, message: 'patches the Service before any step applied it' });
      } else {
        current = patched(current, step.patch, at, problems) ?? current;
      }
    } else if ('delete' in step && targetsService(step.delete.target, serviceName)) current = undefined;
    after.push(current);
  });
  return { after, problems };
}

function patched(
  current: ServiceTemplate,
  patch: Extract<Step, { patch: unknown }>['patch'],
  at: FieldPath,
  problems: SchemaProblem[],
): ServiceTemplate | undefined {
  let next: unknown;
  if (patch.merge !== undefined) next = mergePatch(current, patch.merge);
  else {
    try {
      next = jsonpatch.applyPatch(
        structuredClone(current),
        (patch.json ?? []) as Operation[],
        true,
        false,
        true,
      ).newDocument;
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      problems.push({ path: [...at, 'json'], message: `the JSON patch does not apply: ${message}` });
      return undefined;
    }
  }
  const parsed = serviceTemplateSchema.safeParse(next);
  if (parsed.success) return parsed.data;
  for (const problem of explainIssues(parsed.error.issues, serviceTemplateSchema, next)) {
    problems.push({
      path: at,
      message: `the patched Service is invalid at ${formatPath(problem.path) || '(root)'}: ${problem.message}`,
    });
  }
  return undefined;
}

/** Container names of a Service template. */
export function containerNames(service: ServiceTemplate | undefined): string[] {
  return (service?.spec.template.spec.containers ?? []).flatMap((c) =>
    typeof c === 'object' && typeof c.name === 'string' ? [c.name] : [],
  );
}
