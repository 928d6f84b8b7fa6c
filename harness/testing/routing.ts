import type { ResourceRegistry, ResourceType } from './resources.ts';

/** What a request path addresses. */
export type Route =
  | { readonly kind: 'coreVersions' }
  | { readonly kind: 'groupList' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'resourceList'; readonly group: string; readonly version: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'health' }
  | {
      readonly kind: 'resource';
      readonly type: ResourceType;
      readonly namespace?: string;
      readonly name?: string;
      readonly subresource?: string;
    }
  | { readonly kind: 'notFound' };

const NOT_FOUND: Route = { kind: 'notFound' };

/** Maps a URL path onto the registry, with the API server's namespaced vs cluster-scoped rules. */
export function route(pathname: string, registry: ResourceRegistry): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  if (parts.length === 1 && parts[0] === 'version') return { kind: 'version' };
  if (parts.length === 1 && ['healthz', 'readyz', 'livez'].includes(parts[0]!)) return { kind: 'health' };

  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'coreVersions' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'groupList' };
    if (parts.length === 2) return { kind: 'group', group: parts[1]! };
    group = parts[1]!;
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return NOT_FOUND;
  }
  if (version === undefined) return NOT_FOUND;
  if (rest.length === 0) return { kind: 'resourceList', group, version };

  // `/namespaces/<ns>/<plural>/…` addresses namespaced objects, except the core Namespace's own
  // subresources (`/api/v1/namespaces/<ns>/status|finalize`).
  const isNamespaceSub =
    group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !isNamespaceSub) {
    const [, namespace, plural, name, subresource, ...extra] = rest as [string, string, string, ...string[]];
    const type = registry.byPath(group, version, plural);
    if (!type?.namespaced || extra.length > 0) return NOT_FOUND;
    return { kind: 'resource', type, namespace, name, subresource };
  }
  const [plural, name, subresource, ...extra] = rest as [string, ...string[]];
  const type = registry.byPath(group, version, plural);
  if (!type || extra.length > 0) return NOT_FOUND;
  // A namespaced resource can be listed across namespaces, but not addressed by name without one.
  if (type.namespaced && name !== undefined) return NOT_FOUND;
  return { kind: 'resource', type, name, subresource };
}
