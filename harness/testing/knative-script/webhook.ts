/** Knative's Service webhooks, for sidecar probes: defaulting and validation (knative-facts.md §1.1–§1.5). */
import type { AdmissionDecision } from '../admission.ts';
import type { FakeApiServer } from '../server.ts';
import {
  atLeast,
  type ContainerSpec,
  containersOf,
  handlers,
  multiContainerProbing,
  type Obj,
  type PodTemplate,
  probeFields,
  servingIndex,
} from './shapes.ts';

const WEBHOOK = 'validation.webhook.serving.knative.dev';

/** K§1.2: the defaulting that runs before validation (it decides which fields the errors name). */
export function knativeDefaults(containers: readonly ContainerSpec[]): ContainerSpec[] {
  const out = structuredClone(containers) as ContainerSpec[];
  const serving = servingIndex(out);
  out.forEach((c, i) => {
    if (i === serving && !handlers.some((h) => c.readinessProbe?.[h])) {
      c.readinessProbe = { ...c.readinessProbe, tcpSocket: {} };
    }
    const p = c.readinessProbe;
    if (!p) return;
    if (!p.successThreshold) p.successThreshold = 1;
    if (p.periodSeconds) {
      if (!p.failureThreshold) p.failureThreshold = 3;
      if (!p.timeoutSeconds) p.timeoutSeconds = 1;
    }
  });
  return out;
}

/**
 * The validating webhook's denial for probes on sidecars, after defaulting, or undefined (K§1.4, §1.5;
 * rendering K§1.1: errors with the same message merge with sorted paths, lines sorted by message).
 * Only these sidecar rules are scripted; other Knative validation is not.
 */
export function knativeProbeDenial(
  containers: readonly ContainerSpec[],
  options: { version: string; multiContainerProbing: boolean },
): string | undefined {
  const defaulted = knativeDefaults(containers);
  if (defaulted.length < 2) return undefined;
  const errors = new Map<string, string[]>();
  const add = (message: string, path: string) => errors.set(message, [...(errors.get(message) ?? []), path]);
  const checked = ['readinessProbe', 'livenessProbe'] as const;
  // K§1.4: sidecar startupProbes are validated only from v1.23.0 (commit dbaab46874).
  const kinds = atLeast(options.version, '1.23.0') ? [...checked, 'startupProbe' as const] : checked;
  defaulted.forEach((c, i) => {
    if ((c.ports?.length ?? 0) > 0) return;
    for (const kind of kinds) {
      const probe = c[kind];
      if (!probe) continue;
      const path = `spec.template.spec.containers[${i}].${kind}`;
      if (!options.multiContainerProbing) {
        // The empty mask disallows everything set; the inline handler is named by the probe's own path.
        if (handlers.some((h) => probe[h])) add('must not set the field(s)', path);
        for (const field of probeFields)
          if (probe[field]) add('must not set the field(s)', `${path}.${field}`);
        continue;
      }
      for (const h of ['httpGet', 'tcpSocket'] as const) {
        const port = probe[h]?.port;
        if (probe[h] && (port === undefined || port === 0 || port === '')) {
          add('invalid value: 0\nProbe port must be specified', `${path}.${h}.port`);
        }
      }
    }
  });
  if (!errors.size) return undefined;
  const lines = [...errors].map(([message, paths]) => {
    const [head, details] = message.split('\n');
    return `${head}: ${[...paths].sort().join(', ')}${details ? `\n${details}` : ''}`;
  });
  return `validation failed: ${lines.sort().join('\n')}`;
}

export interface WebhookOptions {
  /** The Knative release to answer like, e.g. `v1.17.2`. */
  version: string;
  /** Knative's namespace, whose config-features is read on every request (default knative-serving). */
  systemNamespace?: string;
}

/**
 * Registers Knative's webhooks for Services: defaulting (K§1.2, stored) and the sidecar-probe validation
 * (K§1.4, §1.5) with multi-container-probing read from config-features at request time, so a flag switch
 * is seen at once (kpc's dry-run signal, harness/run/flags.ts, depends on that).
 */
export function scriptKnativeWebhook(server: FakeApiServer, options: WebhookOptions): void {
  const systemNamespace = options.systemNamespace ?? 'knative-serving';
  server.admission((req): AdmissionDecision => {
    if (req.resource.group !== 'serving.knative.dev' || req.resource.kind !== 'Service' || !req.object)
      return undefined;
    if (req.operation === 'DELETE' || req.subresource) return undefined;
    const service = req.object as Obj & { spec?: { template?: PodTemplate } };
    const containers = containersOf(service.spec?.template);
    const denial = knativeProbeDenial(containers, {
      version: options.version,
      multiContainerProbing: multiContainerProbing(server.store, systemNamespace),
    });
    if (denial) return { allowed: false, webhook: WEBHOOK, message: denial };
    const defaulted = structuredClone(service);
    if (defaulted.spec?.template?.spec) defaulted.spec.template.spec.containers = knativeDefaults(containers);
    return { allowed: true, object: defaulted };
  });
}
