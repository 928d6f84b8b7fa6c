import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workloadImagesDir } from '../config/images.ts';
import { buildWorkloadImage } from '../images/workload.ts';
import { CommandNotFound, type CommandRunner, execaRunner } from './command.ts';
import { runLabel } from './labels.ts';

/**
 * Support for `*.containers.test.ts`: they run against the local Docker engine with images built here
 * (nothing is pulled), and skip with a printed reason when the engine or a build input is missing.
 */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * testcontainers needs Ryuk off (its image cannot be pulled where there is no registry access) and,
 * inside a container, the host given (ecosystem.md §0 item 8). Leaks are handled by label instead.
 */
export function testcontainersDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (!env.DOCKER_HOST) env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
}

/** Why no Docker engine can be used here, or undefined when one answers. */
export async function dockerEngineProblem(
  runner: CommandRunner = execaRunner(),
): Promise<string | undefined> {
  try {
    await runner.run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 });
    return undefined;
  } catch (error) {
    if (error instanceof CommandNotFound) return 'no docker CLI on PATH';
    return `no Docker engine reachable: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Skips the suite, saying why, unless Docker answers and every listed host file exists. */
export async function requireDocker(
  context: Mocha.Context,
  files: Record<string, string> = {},
): Promise<void> {
  const missing = Object.entries(files)
    .filter(([path]) => !existsSync(path))
    .map(([path, install]) => `${path} is missing (${install})`);
  const problem = (await dockerEngineProblem()) ?? missing[0];
  if (problem) {
    process.stdout.write(`      skipped: ${problem}\n`);
    context.skip();
  }
  testcontainersDefaults();
}

/** The workload image of images/workload, built locally from Debian's busybox-static. */
export async function buildWorkload(runner: CommandRunner = execaRunner()): Promise<string> {
  const dir = `${repoRoot}${workloadImagesDir}/workload`;
  return (await buildWorkloadImage({ name: 'workload', dir }, { runner })).ref;
}

/** Containers and networks still carrying a run's label. */
export async function leftovers(runId: string, runner: CommandRunner = execaRunner()): Promise<string[]> {
  const filter = `label=${runLabel}=${runId}`;
  const containers = (await runner.run('docker', ['ps', '--all', '--quiet', '--filter', filter])).stdout;
  const networks = (await runner.run('docker', ['network', 'ls', '--quiet', '--filter', filter])).stdout;
  return `${containers}${networks}`.split('\n').filter(Boolean);
}
