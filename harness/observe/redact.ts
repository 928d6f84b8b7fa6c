import type { TraceObject } from './trace.ts';

export const redacted = '<redacted>';
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A copy of `value` safe to write into a trace: every Secret (at any depth, e.g. inside a List or
 * an action's detail) keeps its keys but loses its values (`data`, `stringData`) and its
 * last-applied-configuration annotation, which repeats them. Other objects are returned as they are.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const next = redactSecrets(item);
      changed ||= next !== item;
      return next;
    });
    return (changed ? items : value) as T;
  }
  if (!isObject(value)) return value;
  if (value.kind === 'Secret') return redactSecret(value as TraceObject) as T;
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child !== 'object' || child === null) continue;
    const next = redactSecrets(child);
    if (next !== child) {
      copy ??= { ...value };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}

function redactSecret(secret: TraceObject): TraceObject {
  const copy: TraceObject = { ...secret };
  for (const field of ['data', 'stringData'] as const) {
    const values = secret[field];
    if (isObject(values)) copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, redacted]));
  }
  const annotations = secret.metadata?.annotations;
  if (annotations && lastApplied in annotations) {
    copy.metadata = { ...secret.metadata, annotations: { ...annotations, [lastApplied]: redacted } };
  }
  return copy;
}
