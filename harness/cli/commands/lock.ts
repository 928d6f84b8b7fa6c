import { Command } from 'commander';
import { knativeRelease, knativeReleases } from '../../config/knative-releases.ts';
import { loadReleaseManifests } from '../../knative/manifests.ts';
import { manifestStore } from '../../knative/paths.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

export function lockCommand(io: CliIo): Command {
  return new Command('lock')
    .description('download pinned Knative release manifests and record their sha256 in the lockfile')
    .option('--knative <version...>', 'Knative versions to lock (default: every release kpc knows)')
    .action(
      action(async (options: { knative?: string[] }) => {
        const versions = options.knative ?? Object.keys(knativeReleases);
        const releases = versions.map((v) => {
          try {
            return knativeRelease(v);
          } catch (error) {
            throw new CliError(`kpc lock: ${(error as Error).message}`);
          }
        });
        const store = manifestStore(io.cwd);
        for (const release of releases) {
          try {
            const loaded = await loadReleaseManifests(release, {
              ...store,
              log: (l) => io.stdout.write(`${l}\n`),
            });
            for (const m of loaded) io.stdout.write(`${release.serving}  ${m.file}  sha256:${m.sha256}\n`);
          } catch (error) {
            throw new CliError(`kpc lock: ${(error as Error).message}`, ExitCode.failed);
          }
        }
        io.stdout.write(`lockfile: ${store.lockFile}\n`);
        return ExitCode.ok;
      }),
    );
}
