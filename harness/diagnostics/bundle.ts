import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { redact } from '../kube/redact.ts';
import type { ExecTarget, KubernetesObject } from '../kube/types.ts';

/** What collecting needs of the kube layer (`Kube` satisfies it). */
export interface DiagnosticsSource {
  list(
    apiVersion: string,
    kind: string,
    options?: { namespace?: string; labelSelector?: string },
  ): Promise<KubernetesObject[]>;
  logs(target: ExecTarget, options?: { previous?: boolean }): Promise<string>;
}

export interface BundleRequest {
  /** The case's namespace. */
  namespace: string;
  /** Names to look for in Knative's own logs (namespace, Service, revisions); the namespace is always included. */
  mentions: string[];
  outDir: string;
  systemNamespace?: string;
}

export interface BundleManifest {
  files: string[];
  /** What could not be collected, and why; collection never throws, so a case's own failure is never hidden. */
  problems: string[];
}

/** Kinds a scenario's objects come in (the recorder watches the same set). */
export const caseKinds: [apiVersion: string, kind: string][] = [
  ['serving.knative.dev/v1', 'Service'],
  ['serving.knative.dev/v1', 'Configuration'],
  ['serving.knative.dev/v1', 'Revision'],
  ['serving.knative.dev/v1', 'Route'],
  ['autoscaling.internal.knative.dev/v1alpha1', 'PodAutoscaler'],
  ['networking.internal.knative.dev/v1alpha1', 'ServerlessService'],
  ['networking.internal.knative.dev/v1alpha1', 'Ingress'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Pod'],
  ['discovery.k8s.io/v1', 'EndpointSlice'],
];

const knativeComponents = ['controller', 'webhook', 'activator', 'autoscaler'];
const sensitiveEnv = /token|password|passwd|secret|credential|api[-_]?key|private[-_]?key/i;

/** Objects as they are worth reading: no managedFields, no values of env vars whose names look secret. */
export function forReading(o: KubernetesObject): KubernetesObject {
  const copy = structuredClone(o);
  if (copy.metadata) delete copy.metadata.managedFields;
  if (copy.kind === 'Secret') {
    delete copy.data;
    delete copy.stringData;
  }
  const podSpec = (
    copy.kind === 'Pod'
      ? copy.spec
      : (copy.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec
  ) as { containers?: { env?: { name: string; value?: string }[] }[] } | undefined;
  for (const container of podSpec?.containers ?? []) {
    for (const env of container.env ?? [])
      if (sensitiveEnv.test(env.name) && env.value !== undefined) env.value = '[REDACTED]';
  }
  return copy;
}

/** Lines of a component's log that mention the case, so a bundle stays about this case. */
export function linesMentioning(log: string, mentions: string[]): string {
  return log
    .split('\n')
    .filter((line) => mentions.some((m) => line.includes(m)))
    .join('\n');
}

/**
 * Writes a diagnostic bundle for a failed case: its objects, Events, container logs (current and, after a
 * restart, previous) and the Knative control-plane log lines that mention it. Everything is redacted.
 */
export async function collectDiagnostics(
  source: DiagnosticsSource,
  request: BundleRequest,
): Promise<BundleManifest> {
  const manifest: BundleManifest = { files: [], problems: [] };
  const write = async (name: string, text: string) => {
    const path = join(request.outDir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, redact(text));
    manifest.files.push(name);
  };
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      manifest.problems.push(`${what}: ${redact(error instanceof Error ? error.message : String(error))}`);
      return undefined;
    }
  };
  const { namespace } = request;

  const objects: KubernetesObject[] = [];
  for (const [apiVersion, kind] of caseKinds) {
    objects.push(
      ...((await attempt(`list ${kind}`, () => source.list(apiVersion, kind, { namespace }))) ?? []),
    );
  }
  await write('objects.yaml', objects.map((o) => stringify(forReading(o))).join('---\n'));

  const events = (await attempt('list Events', () => source.list('v1', 'Event', { namespace }))) ?? [];
  await write('events.yaml', events.map((o) => stringify(forReading(o))).join('---\n'));

  for (const pod of objects.filter((o) => o.kind === 'Pod')) {
    const podName = pod.metadata?.name ?? '';
    const statuses = ((
      pod.status as { containerStatuses?: { name: string; restartCount?: number }[] } | undefined
    )?.containerStatuses ?? []) as { name: string; restartCount?: number }[];
    for (const status of statuses) {
      const target = { namespace, pod: podName, container: status.name };
      const current = await attempt(`logs ${podName}/${status.name}`, () => source.logs(target));
      if (current !== undefined) await write(`logs/${podName}/${status.name}.log`, current);
      if ((status.restartCount ?? 0) > 0) {
        const previous = await attempt(`previous logs ${podName}/${status.name}`, () =>
          source.logs(target, { previous: true }),
        );
        if (previous !== undefined) await write(`logs/${podName}/${status.name}.previous.log`, previous);
      }
    }
  }

  const system = request.systemNamespace ?? 'knative-serving';
  const mentions = [namespace, ...request.mentions];
  for (const component of knativeComponents) {
    const pods =
      (await attempt(`list ${component} pods`, () =>
        source.list('v1', 'Pod', { namespace: system, labelSelector: `app=${component}` }),
      )) ?? [];
    const lines: string[] = [];
    for (const pod of pods) {
      const log = await attempt(`logs ${system}/${pod.metadata?.name}`, () =>
        source.logs({ namespace: system, pod: pod.metadata?.name ?? '', container: component }),
      );
      const relevant = log && linesMentioning(log, mentions);
      if (relevant) lines.push(relevant);
    }
    if (lines.length) await write(`knative/${component}.log`, lines.join('\n'));
  }

  await write(
    'README.txt',
    [
      `Diagnostics for namespace ${namespace}.`,
      `Collected: ${manifest.files.join(', ')}.`,
      manifest.problems.length
        ? `Not collected:\n${manifest.problems.map((p) => `  - ${p}`).join('\n')}`
        : 'Nothing failed to collect.',
      '',
    ].join('\n'),
  );
  return manifest;
}
