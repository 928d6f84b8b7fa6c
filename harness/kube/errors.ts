import { ApiException, type V1Status } from '@kubernetes/client-node';
import { redact, redactedMessage } from './redact.ts';

/** An error answer from the API server, its body parsed into the `Status` the server sent. */
export class KubeApiError extends Error {
  override readonly name: string = 'KubeApiError';
  readonly code: number;
  readonly status: V1Status;
  /** What the layer was doing, e.g. `apply serving.knative.dev/v1 Service default/hello`. */
  readonly operation: string;
  /** From the `Retry-After` header or `details.retryAfterSeconds`, when the server asked for a pause. */
  readonly retryAfterMs: number | undefined;

  constructor(operation: string, status: V1Status, retryAfterMs?: number) {
    const code = status.code ?? 0;
    super(
      redact(
        `${operation}: ${status.message ?? 'no message'} (HTTP ${code}${status.reason ? ` ${status.reason}` : ''})`,
      ),
    );
    this.code = code;
    this.status = status;
    this.operation = operation;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * An admission webhook refused a write. `denial` is the webhook's own message, exactly as it sent
 * it (for Knative: `validation failed: ...`), `webhook` its registered name.
 */
export class AdmissionDenied extends KubeApiError {
  override readonly name = 'AdmissionDenied';
  readonly webhook: string;
  readonly denial: string;

  constructor(operation: string, status: V1Status, webhook: string, denial: string) {
    super(operation, status);
    this.webhook = webhook;
    this.denial = denial;
  }
}

/** The server could not be reached or the connection broke (no HTTP answer). */
export class KubeConnectionError extends Error {
  override readonly name = 'KubeConnectionError';
  /** The socket-level code (ECONNRESET, UND_ERR_SOCKET, ...), when there is one. */
  readonly errno: string | undefined;

  constructor(operation: string, err: unknown) {
    super(`${operation}: ${redactedMessage(err)}`);
    this.errno = socketErrorCode(err);
  }
}

/** The API server serves no such kind under that apiVersion (discovery said so). */
export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    detail: string,
  ) {
    super(`unknown kind ${kind} in apiVersion ${apiVersion}: ${detail}`);
  }
}

/** An exec ran but reported no exit code: container missing, runtime error, connection lost... */
export class ExecFailed extends Error {
  override readonly name = 'ExecFailed';
  constructor(
    message: string,
    readonly status: V1Status | undefined,
  ) {
    super(message);
  }
}

/** A bounded wait or call ran out of time. */
export class KubeTimeoutError extends Error {
  override readonly name = 'KubeTimeoutError';
}

const admissionPattern =
  /admission webhook "([^"]+)" denied the request(?:: ([\s\S]*)| without explanation)$/;

/** Splits `admission webhook "<name>" denied the request: <text>` into its parts. */
export function parseAdmissionDenial(message: string): { webhook: string; denial: string } | undefined {
  const match = admissionPattern.exec(message);
  if (!match) return undefined;
  return { webhook: match[1]!, denial: match[2] ?? '' };
}

/** Turns a response body into a `Status`, synthesising one when the body is not a Status (proxies, HTML). */
export function parseStatus(code: number, body: unknown): V1Status {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') {
    const status = parsed as V1Status;
    return { ...status, code: status.code || code };
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message: text || `HTTP ${code}` };
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Builds the typed error for an HTTP error answer. */
export function apiErrorFromResponse(
  operation: string,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): KubeApiError {
  const status = parseStatus(code, body);
  const denial = status.message === undefined ? undefined : parseAdmissionDenial(status.message);
  if (denial) return new AdmissionDenied(operation, status, denial.webhook, denial.denial);
  const retryAfterHeader = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === 'retry-after',
  )?.[1];
  const retryAfterMs =
    parseRetryAfter(retryAfterHeader) ??
    (status.details?.retryAfterSeconds === undefined ? undefined : status.details.retryAfterSeconds * 1000);
  return new KubeApiError(operation, status, retryAfterMs);
}

/**
 * Normalises anything thrown below this layer: client-node `ApiException`s (raw string body,
 * headers embedded in the message) become `KubeApiError`; our own errors pass through; anything
 * else becomes an Error with a redacted message and no cause objects attached.
 */
export function toKubeError(err: unknown, operation: string): Error {
  if (
    err instanceof KubeApiError ||
    err instanceof KubeConnectionError ||
    err instanceof UnknownKindError ||
    err instanceof KubeTimeoutError ||
    err instanceof ExecFailed
  ) {
    return err;
  }
  if (err instanceof ApiException) {
    return apiErrorFromResponse(operation, err.code, err.body, (err.headers ?? {}) as Record<string, string>);
  }
  const httpCode = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof httpCode === 'number') {
    return new KubeApiError(operation, parseStatus(httpCode, redactedMessage(err)));
  }
  if (socketErrorCode(err) !== undefined) return new KubeConnectionError(operation, err);
  return new Error(`${operation}: ${redactedMessage(err)}`);
}

const socketCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first socket-level error code on the error or its causes (undici nests them in `cause`). */
export function socketErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && socketCodes.has(code)) return code;
    const errno = (current as { errno?: unknown }).errno;
    if (typeof errno === 'string' && socketCodes.has(errno)) return errno;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
