import type { KubernetesObject } from '@kubernetes/client-node';
import { kubeTime } from './store.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  /** Knative conditions carry a severity (`Error`, `Warning`, `Info`) on non-terminal conditions. */
  severity?: string;
  lastTransitionTime?: string;
}

export interface SetConditionOptions {
  readonly now?: Date;
  /**
   * `knative` (default) follows knative.dev/pkg `apis.ConditionSet.SetCondition`: a condition that would
   * only change its lastTransitionTime is left alone, any other change stamps a new lastTransitionTime,
   * and conditions are kept sorted by type. `kubernetes` keeps the list order and only moves
   * lastTransitionTime when `status` changes, as the kubelet does for pod conditions.
   */
  readonly style?: 'knative' | 'kubernetes';
}

type WithConditions = { status?: { conditions?: Condition[] } & Record<string, unknown> };

/** Returns a copy of `obj` with `condition` set in `status.conditions`. */
export function setCondition<T extends KubernetesObject>(
  obj: T,
  condition: Condition,
  options: SetConditionOptions = {},
): T {
  const copy = structuredClone(obj) as T & WithConditions;
  copy.status ??= {};
  const status = copy.status;
  const conditions = status.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === condition.type);
  const existing = index >= 0 ? conditions[index] : undefined;
  const stamp = kubeTime(options.now);

  if (options.style === 'kubernetes') {
    const next = {
      ...condition,
      lastTransitionTime:
        condition.lastTransitionTime ??
        (existing && existing.status === condition.status ? existing.lastTransitionTime : undefined) ??
        stamp,
    };
    if (index >= 0) conditions[index] = next;
    else conditions.push(next);
    status.conditions = conditions;
    return copy;
  }

  if (existing && sameApartFromTime(existing, condition)) return copy;
  const next = { ...condition, lastTransitionTime: condition.lastTransitionTime ?? stamp };
  status.conditions = [...conditions.filter((c) => c.type !== condition.type), next].sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
  );
  return copy;
}

function sameApartFromTime(a: Condition, b: Condition): boolean {
  const { lastTransitionTime: _a, ...restA } = a;
  const { lastTransitionTime: _b, ...restB } = b;
  const keys = new Set([...Object.keys(restA), ...Object.keys(restB)]) as Set<keyof typeof restA>;
  return [...keys].every((k) => (restA[k] ?? '') === (restB[k] ?? ''));
}

/** The condition of a type, if present. */
export function getCondition(obj: KubernetesObject, type: string): Condition | undefined {
  return (obj as WithConditions).status?.conditions?.find((c) => c.type === type);
}
