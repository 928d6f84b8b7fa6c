/**
 * Cluster-wide Knative configuration a set of cases runs under. Cases that need different values of a
 * key cannot share a cluster at the same time, so they are put in different groups; groups run one after
 * another, cases inside a group concurrently. A key a case does not mention leaves it free to join any
 * group.
 */
export interface ClusterConfig {
  features: Record<string, string>;
  deployment: Record<string, string>;
}

export interface Schedulable {
  id: string;
  needs: ClusterConfig;
}

export interface Group<T extends Schedulable> {
  config: ClusterConfig;
  cases: T[];
}

function compatible(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(b).every(([k, v]) => a[k] === undefined || a[k].toLowerCase() === v.toLowerCase());
}

/**
 * Greedy first-fit grouping in a stable order: cases with the most requirements are placed first, so
 * the flag sets that constrain most define the groups and fewer flips are needed. Deterministic for a
 * given input.
 */
export function groupByClusterConfig<T extends Schedulable>(cases: readonly T[]): Group<T>[] {
  const weight = (c: T) => Object.keys(c.needs.features).length + Object.keys(c.needs.deployment).length;
  const ordered = [...cases].sort((a, b) => weight(b) - weight(a) || a.id.localeCompare(b.id));
  const groups: Group<T>[] = [];
  for (const c of ordered) {
    const group = groups.find(
      (g) =>
        compatible(g.config.features, c.needs.features) &&
        compatible(g.config.deployment, c.needs.deployment),
    );
    if (group) {
      // Values already equal up to case; the group keeps the spelling it was founded with.
      group.config.features = { ...c.needs.features, ...group.config.features };
      group.config.deployment = { ...c.needs.deployment, ...group.config.deployment };
      group.cases.push(c);
    } else {
      groups.push({
        config: { features: { ...c.needs.features }, deployment: { ...c.needs.deployment } },
        cases: [c],
      });
    }
  }
  return groups;
}

/** The keys whose values differ between two configurations (what a switch has to change and confirm). */
export function configChanges(
  from: ClusterConfig,
  to: ClusterConfig,
): { configMap: string; key: string; value: string }[] {
  const changes: { configMap: string; key: string; value: string }[] = [];
  for (const [configMap, want, have] of [
    ['config-features', to.features, from.features],
    ['config-deployment', to.deployment, from.deployment],
  ] as const) {
    for (const [key, value] of Object.entries(want)) {
      if (have[key]?.toLowerCase() !== value.toLowerCase()) changes.push({ configMap, key, value });
    }
  }
  return changes;
}
