import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from './resources.ts';
import { badRequest } from './status.ts';

/** A compiled selector: true when the object matches. */
export type ObjectPredicate = (obj: KubernetesObject) => boolean;

const matchAll: ObjectPredicate = () => true;

/** Splits on commas that are not inside `( … )`, as label selector sets contain commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

type LabelTest = (labels: Record<string, string>) => boolean;

function parseRequirement(req: string): LabelTest {
  const set = /^([^\s!=<>]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(
      list
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
    return op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  const cmp = /^([^\s!=<>]+)\s*(==|=|!=|>|<)\s*([^\s]*)$/.exec(req);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    switch (op) {
      case '!=':
        return (l) => l[key] !== value;
      case '>':
        return (l) => key in l && Number(l[key]) > Number(value);
      case '<':
        return (l) => key in l && Number(l[key]) < Number(value);
      default:
        return (l) => l[key] === value;
    }
  }
  const exists = /^(!?)([^\s!=<>(),]+)$/.exec(req);
  if (exists) {
    const [, not, key] = exists as unknown as [string, string, string];
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw badRequest(
    `unable to parse requirement: found '${req}', expected: a valid label selector requirement`,
  );
}

/** Parses a label selector (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`), as kube-apiserver does. */
export function parseLabelSelector(selector: string | undefined): ObjectPredicate {
  if (!selector?.trim()) return matchAll;
  const tests = splitTopLevel(selector).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return tests.every((t) => t(labels));
  };
}

type FieldGetter = (obj: KubernetesObject) => string | undefined;

const path =
  (...keys: string[]): FieldGetter =>
  (obj) => {
    let cur: unknown = obj;
    for (const k of keys)
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    return cur === undefined || cur === null ? undefined : String(cur);
  };

const refFields = (prefix: string, at: string): Record<string, FieldGetter> =>
  Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
      `${prefix}.${f}`,
      path(at, f),
    ]),
  );

/** Field selectors each resource accepts (the rest get the server's "field label not supported" error). */
function selectableFields(type: ResourceType): Record<string, FieldGetter> {
  const common = {
    'metadata.name': path('metadata', 'name'),
    'metadata.namespace': path('metadata', 'namespace'),
  };
  if (type.kind === 'Event' && type.group === '') {
    return {
      ...common,
      ...refFields('involvedObject', 'involvedObject'),
      reason: path('reason'),
      reportingComponent: path('reportingComponent'),
      source: path('source', 'component'),
      type: path('type'),
    };
  }
  if (type.kind === 'Event' && type.group === 'events.k8s.io') {
    return {
      ...common,
      ...refFields('regarding', 'regarding'),
      reason: path('reason'),
      reportingController: path('reportingController'),
      type: path('type'),
    };
  }
  if (type.kind === 'Pod' && type.group === '') {
    return {
      ...common,
      'spec.nodeName': path('spec', 'nodeName'),
      'spec.restartPolicy': path('spec', 'restartPolicy'),
      'spec.serviceAccountName': path('spec', 'serviceAccountName'),
      'status.phase': path('status', 'phase'),
      'status.podIP': path('status', 'podIP'),
    };
  }
  if (type.kind === 'Namespace' && type.group === '')
    return { ...common, 'status.phase': path('status', 'phase') };
  return common;
}

/** Parses a field selector (`a=b`, `a==b`, `a!=b`, comma-separated) against the fields the resource supports. */
export function parseFieldSelector(selector: string | undefined, type: ResourceType): ObjectPredicate {
  if (!selector?.trim()) return matchAll;
  const fields = selectableFields(type);
  const tests = selector
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((req): ObjectPredicate => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(req);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${req}'`);
      const [, field, op, value] = m as unknown as [string, string, string, string];
      const get = fields[field];
      if (!get) throw badRequest(`field label not supported: ${field}`);
      // An unset field compares as the empty string, as the server's field sets do.
      return op === '!=' ? (o) => (get(o) ?? '') !== value : (o) => (get(o) ?? '') === value;
    });
  return (obj) => tests.every((t) => t(obj));
}
