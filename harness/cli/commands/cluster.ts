import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { execaRunner } from '../../cluster/command.ts';
import { KindProvider } from '../../cluster/kind-provider.ts';
import { RunScope } from '../../cluster/run-scope.ts';
import {
  defaultVariantReleases,
  type KnativeVersion,
  knativeVersion,
} from '../../config/knative-releases.ts';
import { nodeImageFor } from '../../config/node-images.ts';
import { installKnative } from '../../knative/install.ts';
import { manifestStore } from '../../knative/paths.ts';
import { connectKube } from '../../kube/kube.ts';
import { action, CliError, type CliIo, ExitCode } from '../io.ts';

function provider(io: CliIo, scope: RunScope): KindProvider {
  const state = resolve(io.cwd, '.kpc');
  return new KindProvider({
    runner: execaRunner(io.env),
    stateDir: join(state, 'clusters'),
    logsDir: join(state, 'logs'),
    runId: scope.runId,
    scope,
  });
}

export function clusterCommand(io: CliIo): Command {
  const command = new Command('cluster').description('manage the kind clusters kpc creates');
  const log = (line: string) => io.stderr.write(`${line}\n`);

  command.addCommand(
    new Command('up')
      .description('create (or reuse) the kind cluster of a variant and install Knative')
      .option('--variant <name>', 'variant (cluster kpc-<variant>)', 'candidate')
      .option('--knative <release>', 'Knative release to install (default: the variant’s)')
      .option('--kubernetes <minor>', 'Kubernetes minor of the node image, e.g. 1.36')
      .option('--no-install', 'create the cluster only')
      .action(
        action(
          async (options: { variant: string; knative?: string; kubernetes?: string; install: boolean }) => {
            const version =
              options.knative ??
              defaultVariantReleases[options.variant as keyof typeof defaultVariantReleases] ??
              defaultVariantReleases.candidate;
            let release: KnativeVersion;
            let minor: string | undefined;
            try {
              release = knativeVersion(version);
              minor = options.kubernetes ? nodeImageFor(options.kubernetes).minor : undefined;
            } catch (error) {
              throw new CliError(`kpc cluster up: ${(error as Error).message}`);
            }
            // Clusters made here outlive the command: nothing is deferred for deletion.
            const scope = new RunScope({ keep: true, log });
            const info = await provider(io, scope).create(
              { variant: options.variant, ...(minor ? { kubernetes: minor } : {}) },
              { onOutput: log },
            );
            log(info.note);
            if (options.install) {
              const kube = await connectKube({ kubeconfigPath: info.kubeconfigPath, context: info.context });
              try {
                const record = await installKnative(
                  kube,
                  {
                    name: options.variant,
                    release,
                    images: {},
                    features: {},
                    deployment: {},
                  },
                  { ...manifestStore(io.cwd), log },
                );
                log(`Knative ${record.serving} with Kourier ${record.kourier} installed`);
              } finally {
                await kube.close();
              }
            }
            io.stdout.write(`${info.name}\nkubeconfig: ${info.kubeconfigPath}\ncontext: ${info.context}\n`);
            if (info.ingress) io.stdout.write(`ingress: http://${info.ingress.address}\n`);
            return ExitCode.ok;
          },
        ),
      ),
  );

  command.addCommand(
    new Command('down')
      .description('delete clusters kpc created (never one it did not)')
      .option('--variant <name...>', 'variants whose clusters to delete (default: every cluster kpc created)')
      .action(
        action(async (options: { variant?: string[] }) => {
          const kind = provider(io, new RunScope({ log }));
          const names =
            options.variant?.map((v) => `kpc-${v}`) ??
            (await kind.list()).filter((c) => c.present).map((c) => c.record.name);
          if (!names.length) io.stdout.write('no kpc cluster to delete\n');
          let refused = 0;
          for (const name of names) {
            try {
              io.stdout.write(`${(await kind.destroy(name)).note}\n`);
            } catch (error) {
              refused++;
              io.stderr.write(`kpc cluster down: ${(error as Error).message}\n`);
            }
          }
          return refused ? ExitCode.failed : ExitCode.ok;
        }),
      ),
  );

  command.addCommand(
    new Command('list').description('list clusters kpc created').action(
      action(async () => {
        const clusters = await provider(io, new RunScope({ log })).list();
        if (!clusters.length) io.stdout.write('no kpc clusters\n');
        for (const c of clusters) {
          const state = !c.present
            ? 'gone'
            : c.owned
              ? 'present'
              : 'present, NOT kpc’s (re-created outside kpc)';
          io.stdout.write(`${c.record.name}  ${state}  run ${c.record.runId}\n`);
        }
        return ExitCode.ok;
      }),
    ),
  );
  return command;
}
