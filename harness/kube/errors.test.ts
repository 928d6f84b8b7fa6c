import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  AdmissionDenied,
  apiErrorFromResponse,
  KubeApiError,
  KubeConnectionError,
  parseAdmissionDenial,
  parseRetryAfter,
  parseStatus,
  toKubeError,
} from './errors.ts';

// The text of knative-facts.md §1.1: a FieldError rendering, possibly several lines.
const knativeDenial =
  'validation failed: expected exactly one, got both: spec.template.spec.containers[1].readinessProbe.exec, spec.template.spec.containers[1].readinessProbe.httpGet\nmust not set the field(s): spec.template.spec.containers[1].readinessProbe.periodSeconds';
const webhookStatus = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `admission webhook "validation.webhook.serving.knative.dev" denied the request: ${knativeDenial}`,
  reason: 'BadRequest',
  code: 400,
};

describe('admission denials', () => {
  it('splits webhook name and denial text exactly as sent, newlines included', () => {
    expect(parseAdmissionDenial(webhookStatus.message)).to.deep.equal({
      webhook: 'validation.webhook.serving.knative.dev',
      denial: knativeDenial,
    });
  });

  it('keeps a trailing colon and space of a path-less FieldError', () => {
    const text = 'validation failed: multi-container is off, but found 2 containers: ';
    expect(parseAdmissionDenial(`admission webhook "w" denied the request: ${text}`)?.denial).to.equal(text);
  });

  it('recognises a denial without explanation', () => {
    expect(
      parseAdmissionDenial('admission webhook "w.example.com" denied the request without explanation'),
    ).to.deep.equal({
      webhook: 'w.example.com',
      denial: '',
    });
  });

  it('does not mistake other failures for denials', () => {
    expect(
      parseAdmissionDenial(
        'Internal error occurred: failed calling webhook "webhook.serving.knative.dev": connection refused',
      ),
    ).to.equal(undefined);
  });

  it('becomes an AdmissionDenied from a client-node ApiException with its raw string body', () => {
    const thrown = new ApiException(400, 'Unknown API Status Code!', JSON.stringify(webhookStatus), {
      'content-type': 'application/json',
    });
    const err = toKubeError(thrown, 'apply serving.knative.dev/v1 Service ns/hello');
    expect(err).to.be.instanceOf(AdmissionDenied);
    const denied = err as AdmissionDenied;
    expect(denied.webhook).to.equal('validation.webhook.serving.knative.dev');
    expect(denied.denial).to.equal(knativeDenial);
    expect(denied.code).to.equal(400);
    expect(denied.status.reason).to.equal('BadRequest');
    expect(denied.message).to.contain('apply serving.knative.dev/v1 Service ns/hello');
  });
});

describe('KubeApiError', () => {
  it('parses the Status body and names the operation', () => {
    const body = JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'pods "p" not found',
    });
    const err = apiErrorFromResponse('get v1 Pod ns/p', 404, body);
    expect(err).to.be.instanceOf(KubeApiError).and.not.instanceOf(AdmissionDenied);
    expect(err.code).to.equal(404);
    expect(err.status.reason).to.equal('NotFound');
    expect(err.message).to.equal('get v1 Pod ns/p: pods "p" not found (HTTP 404 NotFound)');
  });

  it('synthesises a Status for a body that is not one', () => {
    expect(parseStatus(502, '<html>Bad Gateway</html>')).to.include({
      code: 502,
      message: '<html>Bad Gateway</html>',
    });
    expect(parseStatus(503, '')).to.include({ code: 503, message: 'HTTP 503' });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).to.equal(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('soon')).to.equal(undefined);
  });

  it('classifies undici socket failures (nested in cause) as connection errors', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const err = toKubeError(fetchFailed, 'list v1 Pod');
    expect(err).to.be.instanceOf(KubeConnectionError);
    expect((err as KubeConnectionError).errno).to.equal('UND_ERR_SOCKET');
    expect(err.message).to.equal('list v1 Pod: fetch failed: other side closed (UND_ERR_SOCKET)');
  });
});
