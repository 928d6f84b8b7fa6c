import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from './resources.ts';
import { ApiStatusError, failure, type StatusBody } from './status.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a hook sees: the shape of an AdmissionReview request, reduced to what scripts need. */
export interface AdmissionRequest {
  readonly operation: AdmissionOperation;
  readonly resource: ResourceType;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name: string;
  /** The object as it would be stored (absent on DELETE). */
  readonly object?: KubernetesObject;
  /** The stored object before this request (absent on CREATE). */
  readonly oldObject?: KubernetesObject;
  readonly dryRun: boolean;
}

/**
 * A hook's answer. `undefined` or `{ allowed: true }` lets the request through (a mutating hook may return
 * the object to store instead). A denial names the webhook and carries the webhook's own Status result.
 */
export type AdmissionDecision =
  | undefined
  | { allowed: true; object?: KubernetesObject }
  | {
      allowed: false;
      /** The webhook configuration's webhook name, e.g. `validation.webhook.serving.knative.dev`. */
      webhook: string;
      /** The webhook's message, e.g. Knative's `validation failed: must not set the field(s): …`. */
      message: string;
      /** Defaults to 400, which is what Knative's webhooks send (apierrors.NewBadRequest). */
      code?: number;
      /** Defaults to `BadRequest` for 400. */
      reason?: string;
    };

/** Admission hooks run in registration order on every write made through the HTTP API. */
export type AdmissionHook = (request: AdmissionRequest) => AdmissionDecision;

/** A denial decision as Knative's webhooks answer (HTTP 400, reason BadRequest). */
export const webhookDenial = (webhook: string, message: string): AdmissionDecision => ({
  allowed: false,
  webhook,
  message,
});

/**
 * The Status kube-apiserver returns when a webhook denies a request. Wording and sanitising follow
 * `k8s.io/apiserver/pkg/admission/plugin/webhook/errors.ToStatusErr`: the code is raised to at least
 * 400, and the message becomes `admission webhook "<name>" denied the request: <message>`.
 */
export function webhookDenialStatus(
  webhook: string,
  message: string,
  code = 400,
  reason?: string,
): StatusBody {
  const safeCode = Math.max(code, 400);
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const text = message
    ? `${deniedBy}: ${message}`
    : reason
      ? `${deniedBy}: ${reason}`
      : `${deniedBy} without explanation`;
  return failure(safeCode, reason ?? (safeCode === 400 ? 'BadRequest' : 'Forbidden'), text);
}

/** Runs the hooks; returns the (possibly mutated) object or throws the denial as the server would. */
export function runAdmission(
  hooks: readonly AdmissionHook[],
  request: AdmissionRequest,
): KubernetesObject | undefined {
  let current = request;
  for (const hook of hooks) {
    const decision = hook(current);
    if (decision === undefined) continue;
    if (!decision.allowed) {
      throw new ApiStatusError(
        webhookDenialStatus(decision.webhook, decision.message, decision.code, decision.reason),
      );
    }
    if (decision.object) current = { ...current, object: decision.object };
  }
  return current.object;
}
