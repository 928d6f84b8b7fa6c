import { type ComponentName, servingComponents } from '../config/images.ts';
import type { KubernetesObject } from '../kube/types.ts';
import {
  clusterDomain,
  kourierNamespace,
  kourierNodePort,
  systemNamespace,
  type Variant,
} from './variant.ts';

type Obj = KubernetesObject & Record<string, unknown>;
interface Container {
  name: string;
  image?: string;
}

const isA = (o: Obj, kind: string, name: string, namespace = systemNamespace) =>
  o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace;

/**
 * The release's manifests with the variant applied: component images replaced, Knative configured for
 * Kourier and our domain, feature and deployment keys at the top level of `data` (never in `_example`,
 * which the config webhook rejects, knative-facts.md §4), and the Kourier gateway on a fixed NodePort.
 * Returns new objects; the input is left untouched. Fails when an override names something absent,
 * so a typo cannot silently install the release's image.
 */
export function applyVariant(objects: KubernetesObject[], variant: Variant): KubernetesObject[] {
  const out = structuredClone(objects) as Obj[];
  const unmatched = new Set(Object.keys(variant.images) as ComponentName[]);
  const configData: Record<string, Record<string, string>> = {
    'config-network': { 'ingress-class': 'kourier.ingress.networking.knative.dev' },
    'config-domain': { [clusterDomain]: '' },
    'config-features': variant.features,
    'config-deployment': {
      ...variant.deployment,
      ...(variant.images['queue-proxy'] ? { 'queue-sidecar-image': variant.images['queue-proxy'] } : {}),
    },
  };
  if (variant.images['queue-proxy']) unmatched.delete('queue-proxy');

  for (const o of out) {
    for (const [component, image] of Object.entries(variant.images) as [ComponentName, string][]) {
      const target = servingComponents[component].target;
      if (target.kind !== 'deployment' || !isA(o, 'Deployment', target.deployment)) continue;
      const containers = (o as { spec?: { template?: { spec?: { containers?: Container[] } } } }).spec
        ?.template?.spec?.containers;
      const container = containers?.find((c) => c.name === target.container);
      if (!container)
        throw new Error(
          `Deployment ${systemNamespace}/${target.deployment} has no container ${target.container}`,
        );
      container.image = image;
      unmatched.delete(component);
    }
    const name = o.metadata?.name ?? '';
    if (o.kind === 'ConfigMap' && o.metadata?.namespace === systemNamespace && name in configData) {
      o.data = { ...((o.data as Record<string, string> | undefined) ?? {}), ...configData[name] };
      delete configData[name];
    }
    if (isA(o, 'Service', 'kourier', kourierNamespace)) {
      const spec = o.spec as { type?: string; ports?: { name?: string; nodePort?: number }[] };
      spec.type = 'NodePort';
      for (const port of spec.ports ?? []) if (port.name === 'http2') port.nodePort = kourierNodePort;
    }
  }
  if (unmatched.size) {
    throw new Error(
      `image override for ${[...unmatched].join(', ')} matched nothing in the release manifests`,
    );
  }
  const missing = Object.entries(configData).filter(([, data]) => Object.keys(data).length);
  if (missing.length) {
    throw new Error(
      `release manifests lack ConfigMap ${missing.map(([n]) => `${systemNamespace}/${n}`).join(', ')}`,
    );
  }
  return out;
}

/** CRDs first, then namespaces, then everything else in release order: what apply order needs. */
export function applyOrder(objects: KubernetesObject[]): KubernetesObject[][] {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace');
  return [crds, namespaces, rest].filter((group) => group.length);
}
