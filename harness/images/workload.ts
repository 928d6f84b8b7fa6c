import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { CommandRunner } from '../cluster/command.ts';
import { workloadRepository } from '../config/images.ts';

/** A folder under images/ with a Dockerfile; its optional `prepare.sh <context>` adds build inputs. */
export interface WorkloadImage {
  name: string;
  dir: string;
}

export interface BuiltImage {
  name: string;
  /** `dev.local/kpc/<name>:<12 hex of the content hash>`. */
  ref: string;
  /** False when an image with this content tag already existed in Docker. */
  built: boolean;
}

export async function listWorkloadImages(imagesDir: string): Promise<WorkloadImage[]> {
  const entries = await readdir(imagesDir, { withFileTypes: true });
  const images: WorkloadImage[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(imagesDir, entry.name);
    if ((await stat(join(dir, 'Dockerfile')).catch(() => undefined))?.isFile())
      images.push({ name: entry.name, dir });
  }
  return images;
}

/**
 * sha256 over every file of a build context (path, executable bit, bytes), in path order. Tagging by
 * it instead of `latest` avoids the kubelet's pull-always default for `:latest` (ecosystem.md §6.3)
 * and makes a changed input a new tag.
 */
export async function contextHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesUnder(dir)) {
    const info = await stat(file);
    hash.update(`${relative(dir, file)}\0${info.mode & 0o111 ? 'x' : '-'}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export interface BuildWorkloadOptions {
  runner: CommandRunner;
  docker?: string;
  signal?: AbortSignal;
  onOutput?: (line: string) => void;
}

/**
 * Stages the image folder in a temporary build context (so inputs such as the busybox binary never
 * land in the repository), runs its prepare.sh there, tags the image by the context's hash and builds
 * it unless Docker already has that tag.
 */
export async function buildWorkloadImage(
  image: WorkloadImage,
  options: BuildWorkloadOptions,
): Promise<BuiltImage> {
  const { runner, signal, onOutput } = options;
  const docker = options.docker ?? 'docker';
  const context = await mkdtemp(join(tmpdir(), `kpc-image-${image.name}-`));
  try {
    await cp(image.dir, context, { recursive: true });
    if ((await stat(join(context, 'prepare.sh')).catch(() => undefined))?.isFile()) {
      await runner.run('sh', [join(context, 'prepare.sh'), context], { cwd: context, signal, onOutput });
    }
    const ref = `${workloadRepository}/${image.name}:${(await contextHash(context)).slice(0, 12)}`;
    const present = await runner.run(docker, ['image', 'inspect', '--format', '{{.Id}}', ref], {
      reject: false,
      signal,
    });
    if (present.exitCode === 0) return { name: image.name, ref, built: false };
    await runner.run(docker, ['build', '--tag', ref, context], { signal, onOutput });
    return { name: image.name, ref, built: true };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The map scenarios read to find workload images by name (`kpc images load --out`). */
export const workloadImagesSchema = z
  .object({ version: z.literal(1), images: z.record(z.string(), z.string().min(1)) })
  .strict();
export type WorkloadImages = z.infer<typeof workloadImagesSchema>;
