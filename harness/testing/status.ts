import { qualifiedResource, type ResourceType } from './resources.ts';

/** The `Status` object the API server sends for errors (and some successful deletes). */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** An API error with the exact body and HTTP code the real API server would answer with. */
export class ApiStatusError extends Error {
  readonly status: StatusBody;
  readonly headers: Record<string, string>;

  constructor(status: StatusBody, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiStatusError';
    this.status = status;
    this.headers = headers;
  }

  get code(): number {
    return this.status.code;
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody['details'],
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

const describe = (type: ResourceType, name: string) => ({
  name,
  group: type.group || undefined,
  kind: type.plural,
});

export const notFound = (type: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(
    failure(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, describe(type, name)),
  );

export const alreadyExists = (type: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(
    failure(
      409,
      'AlreadyExists',
      `${qualifiedResource(type)} "${name}" already exists`,
      describe(type, name),
    ),
  );

export const conflict = (type: ResourceType, name: string): ApiStatusError =>
  new ApiStatusError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      describe(type, name),
    ),
  );

export const badRequest = (message: string): ApiStatusError =>
  new ApiStatusError(failure(400, 'BadRequest', message));

export const invalid = (type: ResourceType, name: string, field: string, detail: string): ApiStatusError =>
  new ApiStatusError(
    failure(422, 'Invalid', `${type.kind} "${name}" is invalid: ${field}: ${detail}`, {
      ...describe(type, name),
      kind: type.kind,
      causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
    }),
  );

export const namespaceTerminating = (type: ResourceType, name: string, namespace: string): ApiStatusError => {
  const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
  return new ApiStatusError(
    failure(403, 'Forbidden', `${qualifiedResource(type)} "${name}" is forbidden: ${why}`, {
      ...describe(type, name),
      causes: [{ reason: 'NamespaceTerminating', message: why, field: 'metadata.namespace' }],
    }),
  );
};

/** The server's answer for a URL that names no served resource. */
export const noSuchResource = (): ApiStatusError =>
  new ApiStatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));

export const methodNotAllowed = (method: string): ApiStatusError =>
  new ApiStatusError(
    failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
      causes: [{ reason: 'MethodNotAllowed', message: `method ${method} is not supported` }],
    }),
  );

/** The message kube-apiserver's watch cache sends when a watch asks for a compacted resourceVersion. */
export const expired = (requested: number, oldest: number): StatusBody =>
  failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

/** Fault responses use the messages the API server's filters use for these codes. */
export function faultStatus(code: number, retryAfterSeconds?: number, message?: string): StatusBody {
  const details = retryAfterSeconds === undefined ? undefined : { retryAfterSeconds };
  switch (code) {
    case 429:
      return failure(
        429,
        'TooManyRequests',
        message ?? 'Too many requests, please try again later.',
        details,
      );
    case 500:
      return failure(500, 'InternalError', message ?? 'Internal error occurred: injected fault', details);
    case 503:
      return failure(
        503,
        'ServiceUnavailable',
        message ?? 'the server is currently unable to handle the request',
        details,
      );
    case 504:
      return failure(
        504,
        'Timeout',
        message ?? 'the server was unable to return a response in the time allotted',
        details,
      );
    default:
      return failure(code, 'Unknown', message ?? `injected fault ${code}`, details);
  }
}
