import pRetry from 'p-retry';
import { AdmissionDenied, KubeApiError, KubeConnectionError } from './errors.ts';

export interface BackoffPolicy {
  /** Base of the first delay. */
  initialMs: number;
  /** Upper bound of any computed delay. */
  maxMs: number;
  factor: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** A server's `Retry-After` is honoured up to this much. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 5,
  initialMs: 200,
  maxMs: 10_000,
  factor: 2,
  maxRetryAfterMs: 60_000,
};

/** HTTP codes worth another try: throttling and transient server/gateway failures. */
export const retryableHttpCodes: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Whether an error is transient. Admission denials are final whatever their code (a webhook may
 * answer with any code), and so is every other 4xx except 429.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof AdmissionDenied) return false;
  if (err instanceof KubeApiError) return retryableHttpCodes.has(err.code);
  return err instanceof KubeConnectionError;
}

/**
 * Exponential backoff with "equal jitter": the delay for attempt n (1-based) lies in
 * [base/2, base] with base = min(maxMs, initialMs * factor^(n-1)), so delays grow but never synchronise.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** The pause before retry number `attempt`: the server's Retry-After when given (capped), else backoff. */
export function retryDelayMs(
  err: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const retryAfter = err instanceof KubeApiError ? err.retryAfterMs : undefined;
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  return backoffDelayMs(attempt, policy, random);
}

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  /** Injected for tests; defaults to a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Called before each pause, e.g. to log `retrying after 429 in 1000 ms`. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/** Runs `fn`, retrying transient failures per the policy; the last error is thrown unchanged. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const sleep = options.sleep ?? abortableSleep;
  return pRetry(fn, {
    retries: policy.retries,
    // The pause is taken in onFailedAttempt so it can follow Retry-After; p-retry adds none of its own.
    minTimeout: 0,
    maxTimeout: 0,
    signal: options.signal,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (!isRetryable(error) || retriesLeft === 0) throw error;
      const delayMs = retryDelayMs(error, attemptNumber, policy, options.random);
      options.onRetry?.({ error, attempt: attemptNumber, delayMs });
      await sleep(delayMs, options.signal);
    },
  });
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
