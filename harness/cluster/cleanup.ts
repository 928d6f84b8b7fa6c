import type { CommandRunner } from './command.ts';
import { runLabel } from './labels.ts';

export interface LeftoverReport {
  containers: string[];
  networks: string[];
  /** kind clusters whose record says this run created them. */
  clusters: string[];
}

/** Deletes the clusters a run created; KindProvider implements it. */
export interface RunClusters {
  destroyCreatedBy(runId: string): Promise<string[]>;
}

/**
 * Removes everything a run left behind, found by its label rather than by memory, so it works from
 * another process after a crash or SIGKILL: containers first (they hold network endpoints), then
 * networks, then the kind clusters the run's records name. Idempotent: a second call finds nothing.
 */
export async function cleanupByLabel(
  runId: string,
  options: { runner: CommandRunner; docker?: string; clusters?: RunClusters },
): Promise<LeftoverReport> {
  const docker = options.docker ?? 'docker';
  const filter = `label=${runLabel}=${runId}`;
  const ids = async (args: string[]) =>
    (await options.runner.run(docker, [...args, '--filter', filter])).stdout.split('\n').filter(Boolean);

  const containers = await ids(['ps', '--all', '--quiet']);
  if (containers.length) await options.runner.run(docker, ['rm', '--force', '--volumes', ...containers]);
  const networks = await ids(['network', 'ls', '--quiet']);
  if (networks.length) await options.runner.run(docker, ['network', 'rm', ...networks]);
  const clusters = options.clusters ? await options.clusters.destroyCreatedBy(runId) : [];
  return { containers, networks, clusters };
}

/** A Docker network carrying the run label, removed when the scope closes. */
export async function createLabelledNetwork(
  name: string,
  labels: Record<string, string>,
  options: { runner: CommandRunner; docker?: string },
): Promise<{ id: string; remove: () => Promise<void> }> {
  const docker = options.docker ?? 'docker';
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const id = (await options.runner.run(docker, ['network', 'create', ...labelArgs, name])).stdout.trim();
  return {
    id,
    remove: async () => {
      await options.runner.run(docker, ['network', 'rm', id], { reject: false });
    },
  };
}
