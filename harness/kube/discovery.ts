import { KubeApiError, UnknownKindError } from './errors.ts';
import type { KubeTransport } from './transport.ts';
import type { ObjectRef } from './types.ts';

export interface ServedResource {
  /** Plural URL segment, e.g. `services`. */
  name: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/**
 * Maps apiVersion + kind to the served resource through discovery, one request per apiVersion
 * (concurrent callers share it). A kind missing from a cached list triggers one fresh look,
 * because a CRD may have been installed since; then it is an `UnknownKindError`.
 */
export class ResourceCatalog {
  readonly #transport: KubeTransport;
  readonly #lists = new Map<string, Promise<ApiResourceList>>();

  constructor(transport: KubeTransport) {
    this.#transport = transport;
  }

  async resolve(apiVersion: string, kind: string): Promise<ServedResource> {
    const cached = this.#lists.get(apiVersion);
    const fromCache = cached && findKind(await cached.catch(() => undefined), kind);
    if (fromCache) return fromCache;
    const fresh = this.#fetch(apiVersion);
    this.#lists.set(apiVersion, fresh);
    fresh.catch(() => this.#lists.get(apiVersion) === fresh && this.#lists.delete(apiVersion));
    let list: ApiResourceList;
    try {
      list = await fresh;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) {
        throw new UnknownKindError(
          apiVersion,
          kind,
          `the API server does not serve apiVersion ${apiVersion}`,
        );
      }
      throw err;
    }
    const found = findKind(list, kind);
    if (!found) {
      const kinds = [
        ...new Set(list.resources.filter((r) => !r.name.includes('/')).map((r) => r.kind)),
      ].sort();
      throw new UnknownKindError(apiVersion, kind, `served kinds are ${kinds.join(', ') || 'none'}`);
    }
    return found;
  }

  /** `/apis/group/version[/namespaces/ns]/plural`; namespace is ignored for cluster-scoped kinds. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = await this.resolve(apiVersion, kind);
    const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${apiVersionPath(apiVersion)}${scope}/${resource.name}`;
  }

  /** Path of one object; a namespaced kind requires a namespace. */
  async objectPath(ref: ObjectRef): Promise<string> {
    const resource = await this.resolve(ref.apiVersion, ref.kind);
    if (resource.namespaced && !ref.namespace) {
      throw new Error(`${ref.apiVersion} ${ref.kind} "${ref.name}" is namespaced but no namespace was given`);
    }
    if (!ref.name) throw new Error(`${ref.apiVersion} ${ref.kind}: object has no name`);
    return `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  #fetch(apiVersion: string): Promise<ApiResourceList> {
    return this.#transport.json<ApiResourceList>({
      method: 'GET',
      path: apiVersionPath(apiVersion),
      operation: `discover ${apiVersion}`,
    });
  }
}

export function apiVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function findKind(list: ApiResourceList | undefined, kind: string): ServedResource | undefined {
  const found = list?.resources.find((r) => r.kind === kind && !r.name.includes('/'));
  return found && { name: found.name, namespaced: found.namespaced };
}
