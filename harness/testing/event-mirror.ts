import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceRegistry, ResourceType } from './resources.ts';

/**
 * Two API versions of one stored resource. The real server keeps core/v1 Events and events.k8s.io/v1
 * Events in one storage, so an event written through either API is listed and watched through both
 * (same name, uid and resourceVersion). `convert` maps an object of `from` to `to`.
 */
export interface Mirror {
  readonly from: ResourceType;
  readonly to: ResourceType;
  /** The secondary side is skipped when sweeping all objects, so each stored event is handled once. */
  readonly toIsSecondary: boolean;
  readonly convert: (obj: KubernetesObject) => KubernetesObject;
}

type Fields = Record<string, unknown>;

// Field pairs from k8s.io/kubernetes pkg/apis/events/v1 conversion: [core/v1, events.k8s.io/v1].
const FIELD_PAIRS: readonly (readonly [string, string])[] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];
const SHARED = [
  'metadata',
  'eventTime',
  'series',
  'reportingInstance',
  'action',
  'reason',
  'related',
  'type',
];

function rename(
  obj: KubernetesObject,
  apiVersion: string,
  pairs: readonly (readonly [string, string])[],
): KubernetesObject {
  const source = obj as KubernetesObject & Fields;
  const out: Fields = { apiVersion, kind: 'Event' };
  for (const key of SHARED) if (source[key] !== undefined) out[key] = structuredClone(source[key]);
  for (const [a, b] of pairs) if (source[a] !== undefined) out[b] = structuredClone(source[a]);
  return out as KubernetesObject;
}

export function eventMirrors(registry: ResourceRegistry): Mirror[] {
  const core = registry.byKind('v1', 'Event');
  const modern = registry.byKind('events.k8s.io/v1', 'Event');
  if (!core || !modern) return [];
  const reversed = FIELD_PAIRS.map(([a, b]) => [b, a] as const);
  return [
    {
      from: core,
      to: modern,
      toIsSecondary: true,
      convert: (o) => rename(o, 'events.k8s.io/v1', FIELD_PAIRS),
    },
    { from: modern, to: core, toIsSecondary: false, convert: (o) => rename(o, 'v1', reversed) },
  ];
}
