/** The Kubernetes controllers a Knative revision relies on: deployment, ReplicaSet and EndpointSlice. */
import { createHash } from 'node:crypto';
import { getCondition, setCondition } from '../conditions.ts';
import type { FakeApiServer } from '../server.ts';
import type { KubernetesObject } from '../store.ts';
import { is, Lifetime, type ScriptHandle } from './lifetime.ts';
import { type Obj, ownerRef, type PodTemplate, ref, refTo } from './shapes.ts';

/** kube's safe-encoding alphabet for generated name suffixes (no vowels, no look-alikes). */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (seed: string, length: number): string =>
  [...createHash('sha256').update(seed).digest()]
    .slice(0, length)
    .map((b) => alphabet[b % alphabet.length])
    .join('');

export interface DeploymentsOptions {
  /** Real milliseconds per second of a progress deadline (default 1000; lower it to fire deadlines fast). */
  deadlineMsPerSecond?: number;
  /** Controller reaction delay (default 15 ms). */
  reactMs?: number;
}

/**
 * The deployment and ReplicaSet controllers, for one replica: a ReplicaSet `<deployment>-<hash>` and
 * its Pod; the Deployment's ready/available replica counts following the Pod's Ready condition; and,
 * if no replica was ever available within progressDeadlineSeconds, `Progressing=False,
 * ProgressDeadlineExceeded` with the form K§3 quotes (`ReplicaSet "<rs>" has timed out progressing.`).
 */
export function scriptDeployments(server: FakeApiServer, options: DeploymentsOptions = {}): ScriptHandle {
  const { store } = server;
  const life = new Lifetime();
  const reactMs = options.reactMs ?? 15;
  const deadlineMs = options.deadlineMsPerSecond ?? 1000;
  const available = new Set<string>();

  const created = (deployment: Obj) => {
    const spec = deployment.spec as {
      replicas?: number;
      progressDeadlineSeconds?: number;
      template: PodTemplate;
    };
    const depRef = refTo(deployment);
    const hash = suffix(deployment.metadata!.uid!, 10);
    const rsName = `${depRef.name}-${hash}`;
    const labels = { ...spec.template.metadata?.labels, 'pod-template-hash': hash };
    const rs = store.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: depRef.namespace,
        labels,
        ownerReferences: [ownerRef(deployment)],
      },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: spec.template },
    } as KubernetesObject);
    store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${rsName}-${suffix(rs.metadata!.uid!, 5)}`,
        namespace: depRef.namespace,
        labels,
        annotations: spec.template.metadata?.annotations ?? {},
        ownerReferences: [ownerRef(rs)],
      },
      spec: spec.template.spec,
    } as KubernetesObject);
    store.mutateStatus(depRef, (d) => ({
      ...d,
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 },
    }));
    life.after((spec.progressDeadlineSeconds ?? 600) * deadlineMs, () => {
      if (available.has(`${depRef.namespace}/${depRef.name}`) || !store.get(depRef)) return;
      store.mutateStatus(depRef, (d) =>
        setCondition(
          d,
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${rsName}" has timed out progressing.`,
          },
          { style: 'kubernetes' },
        ),
      );
    });
  };

  const podChanged = (pod: KubernetesObject, deleted: boolean) => {
    const meta = pod.metadata!;
    const rsName = meta.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
    const hash = meta.labels?.['pod-template-hash'];
    if (!rsName || !hash) return;
    const depRef = ref('apps/v1', 'Deployment', meta.namespace!, rsName.slice(0, -hash.length - 1));
    if (!store.get(depRef)) return;
    const ready = !deleted && getCondition(pod, 'Ready')?.status === 'True';
    if (ready) available.add(`${depRef.namespace}/${depRef.name}`);
    const n = ready ? 1 : 0;
    store.mutateStatus(depRef, (d) => ({
      ...d,
      status: { ...(d as Obj).status, readyReplicas: n, availableReplicas: n, unavailableReplicas: 1 - n },
    }));
  };

  life.listen(store, (change) => {
    if (is(change, 'apps', 'Deployment') && change.type === 'ADDED') {
      life.after(reactMs, () => {
        const current = store.get(refTo(change.object)) as Obj | undefined;
        if (current) created(current);
      });
    } else if (is(change, '', 'Pod') && change.type !== 'ADDED') {
      const before = getCondition(change.oldObject ?? {}, 'Ready')?.status;
      const after = change.type === 'DELETED' ? undefined : getCondition(change.object, 'Ready')?.status;
      if (before !== after) life.after(reactMs, () => podChanged(change.object, change.type === 'DELETED'));
    }
  });
  return life;
}

/**
 * The EndpointSlice controller for Knative's private Services (`<revision>-private`): one endpoint per
 * revision Pod with an IP, `serving` = Pod Ready, `terminating` = deletion, `ready` = serving and not
 * terminating (P§4).
 */
export function scriptEndpointSlices(
  server: FakeApiServer,
  options: { reactMs?: number } = {},
): ScriptHandle {
  const { store } = server;
  const life = new Lifetime();
  const reactMs = options.reactMs ?? 15;

  const sync = (namespace: string, revision: string) => {
    const service = `${revision}-private`;
    const pods = store.list('v1', 'Pod', {
      namespace,
      labelSelector: `serving.knative.dev/revision=${revision}`,
    });
    const endpoints = pods
      .filter((p) => (p as Obj).status?.podIP)
      .map((p) => {
        const serving = getCondition(p, 'Ready')?.status === 'True';
        const terminating = Boolean(p.metadata?.deletionTimestamp);
        return {
          addresses: [String((p as Obj).status!.podIP)],
          conditions: { ready: serving && !terminating, serving, terminating },
          targetRef: { kind: 'Pod', namespace, name: p.metadata!.name!, uid: p.metadata!.uid! },
        };
      });
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service}-${suffix(`${namespace}/${service}`, 5)}`,
        namespace,
        labels: {
          'kubernetes.io/service-name': service,
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'serving.knative.dev/revision': revision,
        },
      },
      addressType: 'IPv4',
      endpoints,
    };
    const existing = store.get(ref('discovery.k8s.io/v1', 'EndpointSlice', namespace, slice.metadata.name));
    if (existing) store.update({ ...existing, endpoints } as KubernetesObject);
    else store.create(slice as KubernetesObject);
  };

  life.listen(store, (change) => {
    if (!is(change, '', 'Pod')) return;
    const revision = change.object.metadata?.labels?.['serving.knative.dev/revision'];
    const relevant = (o?: KubernetesObject) => [
      (o as Obj | undefined)?.status?.podIP,
      getCondition(o ?? {}, 'Ready')?.status,
      o?.metadata?.deletionTimestamp,
    ];
    if (!revision || JSON.stringify(relevant(change.oldObject)) === JSON.stringify(relevant(change.object)))
      return;
    if (
      change.type === 'DELETED' &&
      !store.get(ref('v1', 'Namespace', '', change.object.metadata!.namespace!))
    )
      return;
    life.after(reactMs, () => sync(change.object.metadata!.namespace!, revision));
  });
  return life;
}
