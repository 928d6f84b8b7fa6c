/** One served resource (group/version/plural), as discovery describes it. */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural, the URL segment. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Has a `/status` subresource: main writes ignore status, status writes ignore everything else. */
  readonly status: boolean;
  /** Extra subresources served by dedicated handlers (e.g. `exec`, `log`), beyond `status`. */
  readonly subresources?: readonly ExtraSubresource[];
  /**
   * Built-in (not a CRD). The real server drops `kind`/`apiVersion` from list items of built-in types
   * in JSON, and clients must cope with that, so the fake does the same.
   */
  readonly builtin: boolean;
}

export interface ExtraSubresource {
  readonly name: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

export type ResourceSpec = Omit<ResourceType, 'singular' | 'status' | 'builtin'> &
  Partial<Pick<ResourceType, 'singular' | 'status' | 'builtin'>>;

export const apiVersionOf = (r: Pick<ResourceType, 'group' | 'version'>): string =>
  r.group === '' ? r.version : `${r.group}/${r.version}`;

/** `services.serving.knative.dev`, `pods`: the qualified resource name the API server puts in messages. */
export const qualifiedResource = (r: ResourceType): string =>
  r.group === '' ? r.plural : `${r.plural}.${r.group}`;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export const resourceKey = (r: Pick<ResourceType, 'group' | 'version' | 'plural'>): string =>
  `${r.group}/${r.version}/${r.plural}`;

/** The resources a fake server serves; tests may register more (e.g. their own CRDs). */
export class ResourceRegistry {
  readonly #byKey = new Map<string, ResourceType>();

  constructor(specs: readonly ResourceSpec[] = []) {
    for (const spec of specs) this.register(spec);
  }

  register(spec: ResourceSpec): ResourceType {
    const type: ResourceType = {
      ...spec,
      singular: spec.singular ?? spec.kind.toLowerCase(),
      status: spec.status ?? false,
      builtin: spec.builtin ?? false,
    };
    this.#byKey.set(resourceKey(type), type);
    return type;
  }

  unregister(group: string, version: string, plural: string): void {
    this.#byKey.delete(resourceKey({ group, version, plural }));
  }

  all(): ResourceType[] {
    return [...this.#byKey.values()];
  }

  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#byKey.get(resourceKey({ group, version, plural }));
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.all().find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  /** Like byKind but throws a clear error, for direct store calls made by test code. */
  requireKind(apiVersion: string, kind: string): ResourceType {
    const type = this.byKind(apiVersion, kind);
    if (!type) throw new Error(`fake API server: no resource registered for ${apiVersion} ${kind}`);
    return type;
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.#byKey.values())
      seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
    return [...seen.values()];
  }
}

const core = (spec: Omit<ResourceSpec, 'group' | 'version' | 'builtin'>): ResourceSpec => ({
  group: '',
  version: 'v1',
  builtin: true,
  ...spec,
});
const builtin = (
  group: string,
  version: string,
  spec: Omit<ResourceSpec, 'group' | 'version'>,
): ResourceSpec => ({
  group,
  version,
  builtin: true,
  ...spec,
});
const knative = (
  group: string,
  version: string,
  spec: Omit<ResourceSpec, 'group' | 'version'>,
): ResourceSpec => ({
  group,
  version,
  status: true,
  categories: ['all', 'knative', group.startsWith('serving') ? 'serving' : 'knative-internal'],
  ...spec,
});

/** What a kind cluster with Knative Serving installed serves (the parts this project touches). */
export const defaultResources: readonly ResourceSpec[] = [
  core({ kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true }),
  core({
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    subresources: [
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ],
  }),
  core({
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
  }),
  core({ kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  core({ kind: 'Secret', plural: 'secrets', namespaced: true }),
  core({ kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] }),
  core({
    kind: 'Endpoints',
    plural: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
  }),
  core({ kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  core({ kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true }),
  core({
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    status: true,
  }),
  builtin('apps', 'v1', {
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
  }),
  builtin('apps', 'v1', {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    status: true,
  }),
  builtin('apps', 'v1', {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    status: true,
  }),
  builtin('apps', 'v1', {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    status: true,
  }),
  builtin('discovery.k8s.io', 'v1', { kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }),
  builtin('events.k8s.io', 'v1', { kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  builtin('coordination.k8s.io', 'v1', { kind: 'Lease', plural: 'leases', namespaced: true }),
  builtin('autoscaling', 'v2', {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    status: true,
  }),
  builtin('policy', 'v1', {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    status: true,
  }),
  builtin('rbac.authorization.k8s.io', 'v1', {
    kind: 'ClusterRole',
    plural: 'clusterroles',
    namespaced: false,
  }),
  builtin('rbac.authorization.k8s.io', 'v1', {
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    namespaced: false,
  }),
  builtin('rbac.authorization.k8s.io', 'v1', { kind: 'Role', plural: 'roles', namespaced: true }),
  builtin('rbac.authorization.k8s.io', 'v1', {
    kind: 'RoleBinding',
    plural: 'rolebindings',
    namespaced: true,
  }),
  builtin('apiextensions.k8s.io', 'v1', {
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
  }),
  builtin('admissionregistration.k8s.io', 'v1', {
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
    categories: ['api-extensions'],
  }),
  builtin('admissionregistration.k8s.io', 'v1', {
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
    categories: ['api-extensions'],
  }),
  knative('serving.knative.dev', 'v1', {
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['kservice', 'ksvc'],
  }),
  knative('serving.knative.dev', 'v1', {
    kind: 'Configuration',
    plural: 'configurations',
    namespaced: true,
    shortNames: ['config', 'cfg'],
  }),
  knative('serving.knative.dev', 'v1', {
    kind: 'Revision',
    plural: 'revisions',
    namespaced: true,
    shortNames: ['rev'],
  }),
  knative('serving.knative.dev', 'v1', {
    kind: 'Route',
    plural: 'routes',
    namespaced: true,
    shortNames: ['rt'],
  }),
  knative('serving.knative.dev', 'v1beta1', {
    kind: 'DomainMapping',
    plural: 'domainmappings',
    namespaced: true,
    shortNames: ['dm'],
  }),
  knative('networking.internal.knative.dev', 'v1alpha1', {
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: true,
    shortNames: ['kingress', 'king'],
  }),
  knative('networking.internal.knative.dev', 'v1alpha1', {
    kind: 'Certificate',
    plural: 'certificates',
    namespaced: true,
    shortNames: ['kcert'],
  }),
  knative('networking.internal.knative.dev', 'v1alpha1', {
    kind: 'ServerlessService',
    plural: 'serverlessservices',
    namespaced: true,
    shortNames: ['sks'],
  }),
  knative('networking.internal.knative.dev', 'v1alpha1', {
    kind: 'ClusterDomainClaim',
    plural: 'clusterdomainclaims',
    namespaced: false,
    shortNames: ['cdc'],
  }),
  knative('autoscaling.internal.knative.dev', 'v1alpha1', {
    kind: 'PodAutoscaler',
    plural: 'podautoscalers',
    namespaced: true,
    shortNames: ['kpa', 'pa'],
  }),
  knative('autoscaling.internal.knative.dev', 'v1alpha1', {
    kind: 'Metric',
    plural: 'metrics',
    namespaced: true,
  }),
];
