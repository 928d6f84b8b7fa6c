import { expect } from 'chai';
import { AdmissionDenied, apiErrorFromResponse, KubeApiError, KubeConnectionError } from './errors.ts';
import { backoffDelayMs, isRetryable, type RetryPolicy, retryDelayMs, withRetry } from './retry.ts';

const status = (code: number, reason: string, message: string, retryAfterSeconds?: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
  ...(retryAfterSeconds === undefined ? {} : { details: { retryAfterSeconds } }),
});

const apiError = (code: number, headers: Record<string, string> = {}) =>
  apiErrorFromResponse(
    'get v1 Pod ns/p',
    code,
    JSON.stringify(status(code, 'X', `failure ${code}`)),
    headers,
  );

const denial = () =>
  apiErrorFromResponse(
    'apply',
    400,
    JSON.stringify(
      status(
        400,
        'BadRequest',
        'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: x',
      ),
    ),
  );

const policy: RetryPolicy = { retries: 3, initialMs: 100, maxMs: 1000, factor: 2, maxRetryAfterMs: 5000 };

describe('isRetryable', () => {
  it('retries throttling, transient server errors and broken connections', () => {
    for (const code of [429, 500, 502, 503, 504])
      expect(isRetryable(apiError(code)), String(code)).to.equal(true);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isRetryable(new KubeConnectionError('get', reset))).to.equal(true);
  });

  it('never retries admission denials or other 4xx', () => {
    expect(denial()).to.be.instanceOf(AdmissionDenied);
    expect(isRetryable(denial())).to.equal(false);
    for (const code of [400, 401, 403, 404, 409, 410, 422])
      expect(isRetryable(apiError(code)), String(code)).to.equal(false);
    expect(isRetryable(new Error('bug'))).to.equal(false);
  });
});

describe('retry delays', () => {
  it('grows exponentially within [base/2, base], capped by maxMs', () => {
    expect(backoffDelayMs(1, policy, () => 0)).to.equal(50);
    expect(backoffDelayMs(1, policy, () => 1)).to.equal(100);
    expect(backoffDelayMs(3, policy, () => 0)).to.equal(200);
    expect(backoffDelayMs(3, policy, () => 1)).to.equal(400);
    expect(backoffDelayMs(10, policy, () => 1)).to.equal(1000);
    expect(backoffDelayMs(10, policy, () => 0.5)).to.equal(750);
  });

  it('honours Retry-After (header or Status details) over backoff, capped', () => {
    expect(retryDelayMs(apiError(429, { 'Retry-After': '2' }), 1, policy, () => 0)).to.equal(2000);
    const fromDetails = apiErrorFromResponse(
      'x',
      429,
      JSON.stringify(status(429, 'TooManyRequests', 'slow down', 3)),
    );
    expect(retryDelayMs(fromDetails, 1, policy)).to.equal(3000);
    expect(retryDelayMs(apiError(429, { 'retry-after': '3600' }), 1, policy)).to.equal(5000);
    expect(retryDelayMs(apiError(503), 2, policy, () => 0)).to.equal(100);
  });
});

describe('withRetry', () => {
  const recordSleeps = () => {
    const sleeps: number[] = [];
    return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
  };

  it('retries a 429 after the Retry-After pause and returns the eventual result', async () => {
    const { sleeps, sleep } = recordSleeps();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw apiError(429, { 'Retry-After': '1' });
        return 'ok';
      },
      { policy, sleep },
    );
    expect(result).to.equal('ok');
    expect(calls).to.equal(3);
    expect(sleeps).to.deep.equal([1000, 1000]);
  });

  it('throws an admission denial at once, without pausing', async () => {
    const { sleeps, sleep } = recordSleeps();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw denial();
      },
      { policy, sleep },
    );
    const err = await failing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AdmissionDenied);
    expect(calls).to.equal(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('gives up after the policy retries and throws the last error unchanged', async () => {
    const { sleeps, sleep } = recordSleeps();
    let calls = 0;
    const last = apiError(503);
    const err = await withRetry(
      async () => {
        calls++;
        throw calls === policy.retries + 1 ? last : apiError(503);
      },
      { policy, sleep, random: () => 0 },
    ).catch((e: unknown) => e);
    expect(err).to.equal(last);
    expect(err).to.be.instanceOf(KubeApiError);
    expect(calls).to.equal(policy.retries + 1);
    expect(sleeps).to.deep.equal([50, 100, 200]);
  });
});
