/**
 * Switching cluster-wide Knative configuration between case groups, and waiting for a positive signal
 * that Knative has seen the change — never a fixed sleep (Knative's own scripts sleep 30 s).
 */
import { AdmissionDenied } from '../kube/errors.ts';
import { abortableSleep } from '../kube/retry.ts';
import type { KubernetesObject } from '../kube/types.ts';
import type { ClusterConfig } from './schedule.ts';
import { configChanges } from './schedule.ts';

export interface FlagCluster {
  apply(obj: KubernetesObject, options?: { dryRun?: boolean }): Promise<KubernetesObject>;
}

/** A dry-run request whose admission tells which value of a key the webhook currently holds. */
interface Signal {
  probe(namespace: string): KubernetesObject;
  /** The value the webhook must hold for this outcome. */
  admittedMeans: string;
  deniedMeans: string;
}

/**
 * multi-container-probing: with it Enabled the webhook admits a sidecar exec readinessProbe; otherwise it
 * denies it with `must not set the field(s)` (knative-facts.md §1.4, same in v1.17.2 to v1.23.0).
 */
const signals: Record<string, Signal> = {
  'config-features/multi-container-probing': {
    probe: (namespace) => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'kpc-flag-signal', namespace },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'kpc.local/flag-signal:v1', ports: [{ containerPort: 8080 }] },
              {
                name: 'sidecar',
                image: 'kpc.local/flag-signal:v1',
                readinessProbe: { exec: { command: ['true'] } },
              },
            ],
          },
        },
      },
    }),
    admittedMeans: 'enabled',
    deniedMeans: 'disabled',
  },
};

export class FlagSwitchError extends Error {
  override name = 'FlagSwitchError';
}

/** Fails before anything changes when a switch would need a key kpc cannot confirm. */
export function unconfirmableChanges(from: ClusterConfig, to: ClusterConfig): string[] {
  return configChanges(from, to)
    .map((c) => `${c.configMap}/${c.key}`)
    .filter((key) => !signals[key]);
}

/**
 * Applies the keys that differ (server-side apply of just those keys, at the top level of `data`) and
 * waits until every signal shows the new value. Returns how long confirmation took, for the report.
 */
export async function switchClusterConfig(
  cluster: FlagCluster,
  from: ClusterConfig,
  to: ClusterConfig,
  options: {
    systemNamespace?: string;
    probeNamespace?: string;
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<{ changed: string[]; confirmedAfterMs: number }> {
  const systemNamespace = options.systemNamespace ?? 'knative-serving';
  const changes = configChanges(from, to);
  const unconfirmable = unconfirmableChanges(from, to);
  if (unconfirmable.length) {
    throw new FlagSwitchError(
      `no positive signal is known for ${unconfirmable.join(', ')}; kpc does not flip a key it cannot confirm Knative has seen (add one in harness/run/flags.ts)`,
    );
  }
  const started = Date.now();
  for (const configMap of new Set(changes.map((c) => c.configMap))) {
    const data = Object.fromEntries(
      changes.filter((c) => c.configMap === configMap).map((c) => [c.key, c.value]),
    );
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configMap, namespace: systemNamespace },
      data,
    });
  }
  const deadline = started + (options.timeoutMs ?? 120_000);
  for (const change of changes) {
    const signal = signals[`${change.configMap}/${change.key}`]!;
    const want = change.value.toLowerCase();
    for (let attempt = 0; ; attempt++) {
      const admitted = await cluster
        .apply(signal.probe(options.probeNamespace ?? 'default'), { dryRun: true })
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof AdmissionDenied) return false;
            throw error;
          },
        );
      const seen = admitted ? signal.admittedMeans : signal.deniedMeans;
      if (seen === want || (want !== signal.admittedMeans && !admitted)) break;
      if (Date.now() > deadline) {
        throw new FlagSwitchError(
          `${change.configMap}/${change.key}=${change.value} not seen by the Knative webhook after ${Math.round((Date.now() - started) / 1000)}s (it still behaves as ${seen})`,
        );
      }
      await abortableSleep(Math.min(100 * 2 ** attempt, 2_000), options.signal);
    }
  }
  return {
    changed: changes.map((c) => `${c.configMap}/${c.key}=${c.value}`),
    confirmedAfterMs: Date.now() - started,
  };
}
