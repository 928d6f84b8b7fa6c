import type { KubernetesObject } from '@kubernetes/client-node';
import { badRequest, notFound } from './status.ts';
import type { FakeStore } from './store.ts';

interface PodSpec {
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  ephemeralContainers?: { name: string }[];
}

/**
 * Finds the pod and the container an exec or log request addresses, with the API server's errors for a
 * missing pod, a missing container name on a multi-container pod, and an unknown container.
 */
export function resolvePodContainer(
  store: FakeStore,
  namespace: string,
  podName: string,
  container: string | null,
): { pod: KubernetesObject; container: string } {
  const podType = store.registry.requireKind('v1', 'Pod');
  const pod = store.findIn(podType, namespace, podName);
  if (!pod) throw notFound(podType, podName);
  const spec = ((pod as { spec?: PodSpec }).spec ?? {}) as PodSpec;
  const names = (spec.containers ?? []).map((c) => c.name);
  if (!container) {
    if (names.length === 1) return { pod, container: names[0]! };
    throw badRequest(
      `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`,
    );
  }
  const all = [
    ...names,
    ...(spec.initContainers ?? []).map((c) => c.name),
    ...(spec.ephemeralContainers ?? []).map((c) => c.name),
  ];
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  return { pod, container };
}
