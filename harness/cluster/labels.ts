/**
 * Labels kpc puts on what it starts. Docker containers and networks carry `runLabel` so a later
 * process can find and remove leftovers of an interrupted run (cleanupByLabel).
 */
export const runLabel = 'kpc.knative.dev/run';
/** What a container is for (`registry`, `probe-lint`), shown by `docker ps` and used by tests. */
export const componentLabel = 'kpc.knative.dev/component';
/** On the control-plane node of a kind cluster: the first 16 hex digits of its config hash. */
export const configHashLabel = 'kpc.knative.dev/config-hash';

export const runLabels = (runId: string, component?: string): Record<string, string> => ({
  [runLabel]: runId,
  ...(component ? { [componentLabel]: component } : {}),
});
