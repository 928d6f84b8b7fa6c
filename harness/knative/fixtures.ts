import type { KubernetesObject } from '../kube/types.ts';

/**
 * A miniature of a Serving + Kourier release, with the shape of the real manifests where kpc touches
 * them (knative-facts.md §4: Deployments, containers and ConfigMaps in knative-serving; net-kourier's
 * kourier Service in kourier-system). Tests only; the real files come from the release URLs.
 */
export function miniRelease(): { crds: string; core: string; kourier: string } {
  const crd = (plural: string, kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.serving.knative.dev
spec:
  group: serving.knative.dev
  names: { kind: ${kind}, plural: ${plural} }
  scope: Namespaced
  versions:
    - { name: v1, served: true, storage: true, subresources: { status: {} } }
`;
  const deployment = (name: string, namespace = 'knative-serving') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: ${name}
          image: gcr.io/knative-releases/knative.dev/serving/cmd/${name}@sha256:${'0'.repeat(64)}
`;
  const configMap = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: knative-serving
data:
  _example: |
    # copy keys to the top level of data
`;
  const crds = [crd('services', 'Service'), crd('revisions', 'Revision')].join('---\n');
  const core = [
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: knative-serving\n',
    crd('services', 'Service'),
    ...['controller', 'webhook', 'activator', 'autoscaler'].map((n) => deployment(n)),
    ...['config-network', 'config-domain', 'config-features', 'config-deployment'].map(configMap),
  ].join('---\n');
  const kourier = [
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kourier-system\n',
    deployment('3scale-kourier-gateway', 'kourier-system'),
    `apiVersion: v1
kind: Service
metadata:
  name: kourier
  namespace: kourier-system
spec:
  type: LoadBalancer
  ports:
    - { name: http2, port: 80, targetPort: 8080 }
    - { name: https, port: 443, targetPort: 8443 }
`,
  ].join('---\n');
  return { crds, core, kourier };
}

export const byName = (objects: KubernetesObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name);
