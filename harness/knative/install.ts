import { type ComponentName, componentNames } from '../config/images.ts';
import { knativeRelease } from '../config/knative-releases.ts';
import { AdmissionDenied } from '../kube/errors.ts';
import { abortableSleep } from '../kube/retry.ts';
import type { KubernetesObject } from '../kube/types.ts';
import {
  type LoadedManifest,
  loadReleaseManifests,
  type ManifestStoreOptions,
  uniqueObjects,
} from './manifests.ts';
import { applyOrder, applyVariant } from './overrides.ts';
import { kourierNamespace, systemNamespace, type Variant } from './variant.ts';
import { deploymentAvailable, describeConditions, hasCondition, type Watcher, waitForAll } from './wait.ts';

/** What the installer needs of the kube layer (`Kube` satisfies it). */
export interface InstallTarget extends Watcher {
  apply(obj: KubernetesObject, options?: { dryRun?: boolean }): Promise<KubernetesObject>;
  list(
    apiVersion: string,
    kind: string,
    options?: { namespace?: string; labelSelector?: string },
  ): Promise<KubernetesObject[]>;
}

export interface InstallOptions extends ManifestStoreOptions {
  timeouts?: Partial<{ crdsMs: number; deploymentsMs: number; webhookMs: number }>;
}

/** The image a component's pods actually run, read back after rollout, for provenance. */
export interface RunningImage {
  pod: string;
  image: string;
  /** The digest the runtime resolved (`…@sha256:…`), empty until the container started. */
  imageID: string;
}

export interface InstallRecord {
  variant: string;
  serving: string;
  kourier: string;
  manifests: { url: string; sha256: string }[];
  components: Partial<Record<ComponentName, { configured?: string; running: RunningImage[] }>>;
  features: Record<string, string>;
  deployment: Record<string, string>;
}

export class InstallError extends Error {
  override name = 'InstallError';
}

const defaultTimeouts = { crdsMs: 120_000, deploymentsMs: 600_000, webhookMs: 180_000 };

/**
 * Installs (or re-applies; every step is idempotent) a variant's Knative Serving with Kourier: CRDs and
 * wait for Established, the rest with server-side apply, wait for every Deployment to be Available and
 * for the webhook to answer, then record the images really running. Checksums are verified before
 * anything is applied; a failure after that says how much was applied.
 */
export async function installKnative(
  cluster: InstallTarget,
  variant: Variant,
  options: InstallOptions,
): Promise<InstallRecord> {
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const release = knativeRelease(variant.release);
  const manifests: LoadedManifest[] = await loadReleaseManifests(release, options);
  const objects = applyVariant(uniqueObjects(manifests.flatMap((m) => m.objects)), variant);
  const groups = applyOrder(objects);
  let applied = 0;
  const partial = (error: unknown) =>
    new InstallError(
      `installing Knative ${release.serving} for variant ${variant.name}: ${error instanceof Error ? error.message : String(error)}\n` +
        `The cluster holds ${applied} of ${objects.length} objects of this install. Re-running is safe (server-side apply); ` +
        '`kpc cluster down` removes the cluster.',
    );
  try {
    for (const group of groups) {
      for (const o of group) {
        await cluster.apply(o);
        applied++;
      }
      const crds = group
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.metadata?.name ?? '');
      if (crds.length) {
        options.log?.(`waiting for ${crds.length} CRDs to be Established`);
        await waitForAll(
          cluster,
          { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
          crds,
          (o) => hasCondition(o, 'Established'),
          {
            timeoutMs: timeouts.crdsMs,
            what: 'CRDs',
            describe: describeConditions,
          },
        );
      }
    }
    for (const namespace of [systemNamespace, kourierNamespace]) {
      const names = objects
        .filter((o) => o.kind === 'Deployment' && o.metadata?.namespace === namespace)
        .map((o) => o.metadata?.name ?? '');
      options.log?.(`waiting for ${names.length} Deployments in ${namespace} to be Available`);
      await waitForAll(
        cluster,
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace },
        names,
        deploymentAvailable,
        {
          timeoutMs: timeouts.deploymentsMs,
          what: `Deployments in ${namespace}`,
          describe: describeConditions,
        },
      );
    }
    options.log?.('waiting for the Knative webhook to admit');
    await waitForWebhook(cluster, timeouts.webhookMs);
  } catch (error) {
    throw partial(error);
  }
  return {
    variant: variant.name,
    serving: release.serving,
    kourier: release.kourier,
    manifests: manifests.map(({ url, sha256 }) => ({ url, sha256 })),
    components: await runningImages(cluster, variant),
    features: variant.features,
    deployment: variant.deployment,
  };
}

/** A Service that any webhook of any version admits, sent as a dry run so nothing is created. */
const webhookProbe: KubernetesObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'kpc-webhook-check', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'kpc.local/webhook-check:v1' }] } } },
};

/**
 * Deployments can be Available before the API server can reach the webhook (endpoints, certificates).
 * Admission, or a denial, proves the webhook answered; anything else (e.g. "failed calling webhook")
 * is retried with backoff until the deadline.
 */
async function waitForWebhook(cluster: InstallTarget, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      await cluster.apply(webhookProbe, { dryRun: true });
      return;
    } catch (error) {
      if (error instanceof AdmissionDenied) return;
      lastError = error;
    }
    await abortableSleep(Math.min(250 * 2 ** attempt, 5_000, Math.max(0, deadline - Date.now())));
  }
  throw new Error(
    `the webhook did not admit a dry-run Service within ${timeoutMs / 1000}s: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

async function runningImages(cluster: InstallTarget, variant: Variant): Promise<InstallRecord['components']> {
  const record: InstallRecord['components'] = {};
  for (const component of componentNames) {
    if (component === 'queue-proxy') {
      // queue-proxy runs only inside revision pods; the runner records its digest from those.
      record[component] = { configured: variant.images[component], running: [] };
      continue;
    }
    const pods = await cluster.list('v1', 'Pod', {
      namespace: systemNamespace,
      labelSelector: `app=${component}`,
    });
    record[component] = {
      configured: variant.images[component],
      running: pods.flatMap((pod) => {
        const statuses = (
          pod.status as { containerStatuses?: { name: string; image: string; imageID: string }[] } | undefined
        )?.containerStatuses;
        return (statuses ?? [])
          .filter((s) => s.name === component)
          .map((s) => ({ pod: pod.metadata?.name ?? '', image: s.image, imageID: s.imageID }));
      }),
    };
  }
  return record;
}
