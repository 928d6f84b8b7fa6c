import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, fetch } from 'undici';
import { apiErrorFromResponse, KubeConnectionError } from './errors.ts';
import { type RetryPolicy, withRetry } from './retry.ts';

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path below the server URL, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON (which is also valid YAML for apply patches). */
  body?: unknown;
  contentType?: string;
  /** Names the call in errors, e.g. `get v1 Pod ns/p`. */
  operation: string;
  signal?: AbortSignal;
  /** Retry transient failures (default true). */
  retry?: boolean;
}

export interface TransportOptions {
  retryPolicy?: RetryPolicy;
  /** Per attempt; a request that gets no answer in time fails as a (retryable) connection error. */
  requestTimeoutMs?: number;
}

/**
 * Raw JSON requests on client-node's authentication: the kubeconfig's headers are computed per
 * request (exec/OIDC tokens refresh themselves), while one undici dispatcher carrying the TLS
 * material is kept, so connections are reused. Bodies are returned exactly as the server sent them.
 */
export class KubeTransport {
  readonly server: string;
  readonly #kc: KubeConfig;
  readonly #options: TransportOptions;
  #dispatcher: Dispatcher | undefined;

  constructor(kc: KubeConfig, options: TransportOptions = {}) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig has no current cluster');
    this.server = server.replace(/\/+$/, '');
    this.#kc = kc;
    this.#options = options;
  }

  /** Sends a request and parses the JSON answer. */
  async json<T>(request: KubeRequest): Promise<T> {
    return JSON.parse(await this.text(request)) as T;
  }

  /** Sends a request and returns the answer's body as text (e.g. pod logs). */
  async text(request: KubeRequest): Promise<string> {
    const once = () => this.#send(request);
    if (request.retry === false) return once();
    return withRetry(once, { policy: this.#options.retryPolicy, signal: request.signal });
  }

  url(path: string, query: Record<string, QueryValue> = {}): URL {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    await dispatcher?.close();
  }

  async #send(request: KubeRequest): Promise<string> {
    const url = this.url(request.path, request.query);
    const context = new RequestContext(url.toString(), HttpMethod[request.method]);
    let response: Awaited<ReturnType<typeof fetch>>;
    let body: string;
    try {
      await this.#kc.applySecurityAuthentication(context);
      // client-node builds a fresh dispatcher per call; keeping the first one keeps connections warm.
      this.#dispatcher ??= context.getDispatcher() as Dispatcher | undefined;
      const headers: Record<string, string> = {
        ...context.getHeaders(),
        accept: 'application/json, */*;q=0.8',
        'user-agent': 'kpc',
      };
      if (request.body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
      const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs ?? 60_000);
      response = await fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        dispatcher: this.#dispatcher,
        signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
      });
      body = await response.text();
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason;
      const timedOut = (err as { name?: unknown }).name === 'TimeoutError';
      throw new KubeConnectionError(
        request.operation,
        timedOut ? Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' }) : err,
      );
    }
    if (!response.ok) {
      throw apiErrorFromResponse(
        request.operation,
        response.status,
        body,
        Object.fromEntries(response.headers),
      );
    }
    return body;
  }
}
