import type { KubernetesObject } from '@kubernetes/client-node';
import { type FakeStore, kubeTime } from './store.ts';
import type { TimerSet } from './timers.ts';

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    kind: string;
    plural: string;
    singular?: string;
    shortNames?: string[];
    categories?: string[];
    listKind?: string;
  };
  versions: { name: string; served: boolean; storage: boolean; subresources?: { status?: object } }[];
}

/**
 * What the apiextensions controllers do that clients can observe: a created CustomResourceDefinition
 * starts being served (discovery + storage) and reports NamesAccepted and Established, so installers
 * that wait for `condition=Established` work against the fake.
 */
export function serveCustomResourceDefinitions(store: FakeStore, timers: TimerSet): void {
  const crdType = store.registry.requireKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  store.onChange((change) => {
    if (change.resource.kind !== crdType.kind || change.resource.group !== crdType.group) return;
    const spec = (change.object as KubernetesObject & { spec?: CrdSpec }).spec;
    if (!spec?.group || !spec.names?.kind || !Array.isArray(spec.versions)) return;
    if (change.type === 'DELETED') {
      for (const v of spec.versions) store.registry.unregister(spec.group, v.name, spec.names.plural);
      return;
    }
    for (const v of spec.versions.filter((x) => x.served)) {
      store.registry.register({
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        plural: spec.names.plural,
        ...(spec.names.singular ? { singular: spec.names.singular } : {}),
        namespaced: spec.scope === 'Namespaced',
        ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
        ...(spec.names.categories ? { categories: spec.names.categories } : {}),
        status: Boolean(v.subresources?.status),
        builtin: false,
      });
    }
    if (change.type === 'ADDED') {
      const name = change.object.metadata!.name!;
      timers.after(0, () => establish(store, name, spec));
    }
  });
}

function establish(store: FakeStore, name: string, spec: CrdSpec): void {
  const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
  if (!store.get(ref)) return;
  const now = kubeTime();
  store.mutateStatus(ref, (crd) => ({
    ...crd,
    status: {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
      acceptedNames: { ...spec.names, listKind: spec.names.listKind ?? `${spec.names.kind}List` },
      storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
    },
  }));
}
