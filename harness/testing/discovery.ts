import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resources.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

/** `GET /api`. */
export const coreVersions = () => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }],
});

function groupEntry(registry: ResourceRegistry, group: string) {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0]! };
}

/** `GET /apis`. */
export function groupList(registry: ResourceRegistry) {
  const groups = [...new Set(registry.groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupEntry(registry, g)) };
}

/** `GET /apis/<group>`, or undefined when the group is not served. */
export function apiGroup(registry: ResourceRegistry, group: string) {
  if (!registry.groupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) };
}

function resourceEntries(type: ResourceType) {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: ALL_VERBS,
    ...(type.shortNames ? { shortNames: [...type.shortNames] } : {}),
    ...(type.categories ? { categories: [...type.categories] } : {}),
  };
  // The real server lists a resource before its subresources; client-node's KubernetesObjectApi
  // takes the first entry whose kind matches, so this order matters.
  const subresources = [
    ...(type.status ? [{ name: 'status', kind: type.kind, verbs: STATUS_VERBS }] : []),
    ...(type.subresources ?? []),
  ].map((sub) => ({
    name: `${type.plural}/${sub.name}`,
    singularName: '',
    namespaced: type.namespaced,
    kind: sub.kind,
    verbs: [...sub.verbs],
  }));
  return [main, ...subresources];
}

/** `GET /api/v1` or `GET /apis/<group>/<version>`, or undefined when not served. */
export function resourceList(registry: ResourceRegistry, group: string, version: string) {
  const types = registry.all().filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: types.flatMap(resourceEntries),
  };
}

/** `GET /version`, shaped like a kind node's kube-apiserver. */
export const versionInfo = (gitVersion: string) => {
  const [major, minor] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
};
