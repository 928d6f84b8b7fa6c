/** One request the fake server received. Never holds auth material (no headers, no bodies). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters; repeated ones (e.g. exec's `command`) become arrays. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly contentType?: string;
  /** `?watch=true`, or a WebSocket upgrade. */
  readonly watch: boolean;
  readonly upgrade: boolean;
  /** HTTP status sent (101 for WebSocket upgrades); 0 until the response starts. */
  status: number;
  /** Epoch ms when the request arrived. */
  readonly at: number;
}

/** Selects requests for fault injection: a predicate, or fields that must all match. */
export type RequestMatch =
  | ((request: RecordedRequest) => boolean)
  | {
      readonly method?: string;
      /** Exact path, or a pattern tested against the path. */
      readonly path?: string | RegExp;
      readonly watch?: boolean;
      readonly upgrade?: boolean;
    };

export function matches(match: RequestMatch | undefined, request: RecordedRequest): boolean {
  if (match === undefined) return true;
  if (typeof match === 'function') return match(request);
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.watch !== undefined && match.watch !== request.watch) return false;
  if (match.upgrade !== undefined && match.upgrade !== request.upgrade) return false;
  if (typeof match.path === 'string' && match.path !== request.path) return false;
  if (match.path instanceof RegExp && !match.path.test(request.path)) return false;
  return true;
}

export function recordRequest(
  method: string,
  url: URL,
  contentType: string | undefined,
  upgrade: boolean,
): RecordedRequest {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return {
    method,
    path: url.pathname,
    query,
    ...(contentType ? { contentType: contentType.split(';')[0]!.trim() } : {}),
    watch: url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1',
    upgrade,
    status: 0,
    at: Date.now(),
  };
}
