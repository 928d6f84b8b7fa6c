import type { KubernetesObject } from '@kubernetes/client-node';
import type { AdmissionHook } from './admission.ts';
import { decodeBody, isJsonObject, isPatchType, PatchType } from './patch.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { ApiStatusError, badRequest, failure, methodNotAllowed, noSuchResource } from './status.ts';
import type { FakeStore, PropagationPolicy } from './store.ts';

export interface RestRequest {
  readonly method: string;
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly query: URLSearchParams;
  readonly contentType: string;
  readonly body: string;
  /** Default field manager for non-apply writes: the User-Agent's program name, as the server derives it. */
  readonly userAgentManager: string;
}

export interface RestResponse {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown, status = 200): RestResponse => ({ status, body });

/** Handles one non-watch CRUD request against the store. */
export function handleRest(
  store: FakeStore,
  admission: readonly AdmissionHook[],
  req: RestRequest,
): RestResponse {
  const { method, type, namespace, name, subresource } = req;
  if (subresource !== undefined && !(subresource === 'status' && type.status)) throw noSuchResource();
  const dryRun = parseDryRun(req.query);
  const write = {
    dryRun,
    admission,
    fieldManager: req.query.get('fieldManager') ?? req.userAgentManager,
  };

  if (name === undefined) {
    switch (method) {
      case 'GET':
        return ok(listResponse(store, type, namespace, req.query));
      case 'POST':
        if (type.namespaced && namespace === undefined) throw methodNotAllowed(method);
        return ok(store.createIn(type, namespace, objectBody(req), write), 201);
      case 'DELETE':
        if (dryRun) return ok(listResponse(store, type, namespace, req.query));
        for (const o of store.listIn(type, listOptions(namespace, req.query))) {
          store.deleteIn(type, o.metadata?.namespace, o.metadata!.name!, {
            ...write,
            propagationPolicy: propagation(req),
          });
        }
        return ok(listResponse(store, type, namespace, req.query));
      default:
        throw methodNotAllowed(method);
    }
  }

  switch (method) {
    case 'GET':
      return ok(store.getIn(type, namespace, name));
    case 'PUT': {
      const body = objectBody(req);
      return ok(
        subresource === 'status'
          ? store.replaceStatus(type, namespace, name, body, write)
          : store.replace(type, namespace, name, body, write),
      );
    }
    case 'PATCH':
      return patch(store, req, { ...write, subresource: subresource === 'status' ? 'status' : undefined });
    case 'DELETE': {
      if (subresource !== undefined) throw methodNotAllowed(method);
      const deleted = store.deleteIn(type, namespace, name, {
        ...write,
        propagationPolicy: propagation(req),
      });
      return ok(deleteResponse(type, deleted));
    }
    default:
      throw methodNotAllowed(method);
  }
}

function patch(
  store: FakeStore,
  req: RestRequest,
  write: {
    dryRun: boolean;
    admission: readonly AdmissionHook[];
    fieldManager: string;
    subresource?: 'status';
  },
): RestResponse {
  const { type, namespace, name } = req;
  const accepted = type.builtin
    ? Object.values(PatchType)
    : [PatchType.json, PatchType.merge, PatchType.apply];
  if (!isPatchType(req.contentType) || !accepted.includes(req.contentType)) {
    throw new ApiStatusError(
      failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      ),
    );
  }
  const force = req.query.get('force');
  if (force !== null && req.contentType !== PatchType.apply) {
    throw new ApiStatusError(
      failure(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueForbidden',
              message: 'Forbidden: may not be specified for non-apply patch',
              field: 'force',
            },
          ],
        },
      ),
    );
  }
  const isApply = req.contentType === PatchType.apply;
  const existed = isApply && store.findIn(type, namespace, name!) !== undefined;
  const result = store.patchIn(
    type,
    namespace,
    name!,
    decodeBody(req.body, req.contentType),
    req.contentType,
    {
      ...write,
      // Apply requires an explicit manager; the User-Agent default applies only to other patch types.
      fieldManager: isApply ? (req.query.get('fieldManager') ?? '') : write.fieldManager,
      force: force === 'true',
    },
  );
  return ok(result, isApply && !existed ? 201 : 200);
}

function objectBody(req: RestRequest): KubernetesObject {
  const body = decodeBody(req.body, req.contentType);
  if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
  return body as unknown as KubernetesObject;
}

function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

function propagation(req: RestRequest): PropagationPolicy | undefined {
  let policy = req.query.get('propagationPolicy') ?? undefined;
  if (policy === undefined && req.body.trim() !== '') {
    const body = decodeBody(req.body, 'application/json');
    if (isJsonObject(body) && typeof body.propagationPolicy === 'string') policy = body.propagationPolicy;
  }
  if (policy === undefined) return undefined;
  if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return policy;
}

const listOptions = (namespace: string | undefined, query: URLSearchParams) => ({
  namespace,
  labelSelector: query.get('labelSelector') ?? undefined,
  fieldSelector: query.get('fieldSelector') ?? undefined,
});

interface ContinueToken {
  readonly rv: number;
  readonly after: string;
}

/** A list, paged with `limit`/`continue` (pages are cut by key, not from a consistent snapshot). */
function listResponse(
  store: FakeStore,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
) {
  const all = store.listIn(type, listOptions(namespace, query));
  const limit = Number(query.get('limit') ?? 0);
  const token = query.get('continue');
  const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  let start: ContinueToken | undefined;
  if (token) {
    try {
      start = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
  }
  const rest = start ? all.filter((o) => keyOf(o) > start.after) : all;
  const page = limit > 0 ? rest.slice(0, limit) : rest;
  const remaining = rest.length - page.length;
  const rv = start?.rv ?? store.resourceVersion;
  const next =
    remaining > 0
      ? Buffer.from(JSON.stringify({ rv, after: keyOf(page.at(-1)!) })).toString('base64url')
      : undefined;
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: {
      resourceVersion: String(rv),
      ...(next ? { continue: next, remainingItemCount: remaining } : {}),
    },
    // The real server omits kind/apiVersion on list items of built-in types (JSON encoding).
    items: type.builtin ? page.map(({ kind: _k, apiVersion: _a, ...item }) => item) : page,
  };
}

/** Built-ins answer an immediate delete with a Success Status; CRDs, pods and pending deletions return the object. */
function deleteResponse(type: ResourceType, deleted: KubernetesObject): unknown {
  const pending = Boolean(deleted.metadata?.deletionTimestamp);
  const returnsObject = !type.builtin || type.kind === 'Pod' || type.kind === 'Namespace';
  if (pending || returnsObject) return deleted;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: deleted.metadata?.name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
      uid: deleted.metadata?.uid,
    },
  };
}
