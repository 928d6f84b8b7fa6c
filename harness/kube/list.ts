import type { KubeTransport } from './transport.ts';
import type { KubernetesObject } from './types.ts';
import type { Listing } from './watch.ts';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubernetesObject[];
}

const pageSize = 500;

/**
 * Lists a collection page by page (one consistent snapshot: later pages carry the first page's
 * resourceVersion). Items get `apiVersion` and `kind` filled in: the server omits them for
 * built-in types, while watch events always carry them.
 */
export async function listAll(
  transport: KubeTransport,
  request: {
    path: string;
    apiVersion: string;
    kind: string;
    query?: ListQuery;
    signal?: AbortSignal;
    retry?: boolean;
  },
): Promise<Listing> {
  const items: KubernetesObject[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    const page = await transport.json<ListPage>({
      method: 'GET',
      path: request.path,
      query: { ...request.query, limit: pageSize, continue: continueToken },
      operation: `list ${request.apiVersion} ${request.kind}`,
      signal: request.signal,
      retry: request.retry,
    });
    resourceVersion ??= page.metadata?.resourceVersion;
    for (const item of page.items ?? [])
      items.push({ apiVersion: request.apiVersion, kind: request.kind, ...item });
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  if (resourceVersion === undefined) {
    throw new Error(`list ${request.apiVersion} ${request.kind}: the answer has no metadata.resourceVersion`);
  }
  return { items, resourceVersion };
}
