/**
 * Scripted Knative Serving, Kubernetes and kubelet behaviour for the fake API server: small pieces a
 * test composes so that one fake cluster answers like a given Knative release *for the scenario at
 * hand*. States, reasons, messages and events come from the fact sheets (`knative-facts.md` = K§,
 * `kubelet-probe-facts.md` = P§); where they say nothing, a field is left out rather than invented.
 *
 * What is scripted: the webhook's defaulting and its sidecar-probe checks (K§1.2, §1.4, §1.5); on a
 * Service create or spec change, the Configuration, Revision and Route with Knative's conditions and
 * names; the reconciler's queue-proxy error with its repeating InternalError (K§2.2–§2.4); on the
 * deploy path a Deployment, ReplicaSet and one Pod, the kubelet's exec readiness probes on a fixed-rate
 * ticker with `Unhealthy` events and the readiness flips (P§1.3–§1.6, §3), EndpointSlice conditions
 * (P§4), readiness propagation and the progress deadline (K§3); and an HTTP ingress that answers for a
 * ready Route.
 *
 * What is not: one replica only (no autoscaling, scale to zero or activator), no liveness or startup
 * probes, no manual probe triggers from pod syncs (P§1.4: only the first probe runs at once), no event
 * aggregation after 10 distinct messages (P§3.3), no graceful pod termination. A test needing more
 * scripts it itself: real behaviour is what real clusters show.
 */

import { type KnativeControllerOptions, scriptKnativeController } from './knative-script/controller.ts';
import { type KubeletOptions, scriptKubelet } from './knative-script/kubelet.ts';
import {
  type DeploymentsOptions,
  scriptDeployments,
  scriptEndpointSlices,
} from './knative-script/kubernetes.ts';
import { combine, type ScriptHandle } from './knative-script/lifetime.ts';
import { scriptKnativeWebhook, type WebhookOptions } from './knative-script/webhook.ts';
import type { FakeApiServer } from './server.ts';

export * from './knative-script/controller.ts';
export * from './knative-script/ingress.ts';
export * from './knative-script/kubelet.ts';
export * from './knative-script/kubernetes.ts';
export type { ScriptHandle } from './knative-script/lifetime.ts';
export type { ContainerSpec, ProbeSpec } from './knative-script/shapes.ts';
export * from './knative-script/webhook.ts';

export interface KnativeScriptOptions
  extends WebhookOptions,
    Omit<KnativeControllerOptions, 'version' | 'systemNamespace'>,
    DeploymentsOptions,
    KubeletOptions {}

/** Webhook, Knative controller, deployment and EndpointSlice controllers and kubelet, for one Knative release. */
export function scriptKnative(server: FakeApiServer, options: KnativeScriptOptions): ScriptHandle {
  scriptKnativeWebhook(server, options);
  return combine([
    scriptKnativeController(server, options),
    scriptDeployments(server, options),
    scriptEndpointSlices(server, options),
    scriptKubelet(server, options),
  ]);
}
