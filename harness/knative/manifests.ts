import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type KnativeRelease, type ManifestSource, releaseManifests } from '../config/knative-releases.ts';
import type { KubernetesObject } from '../kube/types.ts';

/** sha256 of every release manifest kpc has installed, keyed by URL; committed so every run installs the same bytes. */
export interface KnativeLock {
  version: 1;
  manifests: Record<string, string>;
}

export interface ManifestStoreOptions {
  /** Downloads are kept here, so a second run needs no network. */
  cacheDir: string;
  lockFile: string;
  fetchText?: (url: string) => Promise<string>;
  log?: (line: string) => void;
}

export class ManifestChecksumError extends Error {
  override name = 'ManifestChecksumError';
}

export interface LoadedManifest extends ManifestSource {
  sha256: string;
  objects: KubernetesObject[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function defaultFetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) }).catch(
    (error: Error & { cause?: { code?: string } }) => {
      throw new Error(`cannot download ${url} (${error.cause?.code ?? error.message})`);
    },
  );
  if (!response.ok) throw new Error(`cannot download ${url}: HTTP ${response.status}`);
  return response.text();
}

export async function readLock(path: string): Promise<KnativeLock> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return { version: 1, manifests: {} };
  const lock = JSON.parse(text) as KnativeLock;
  if (lock.version !== 1 || typeof lock.manifests !== 'object')
    throw new Error(`${path}: not a kpc Knative lockfile (version 1)`);
  return lock;
}

/**
 * The release's manifests, parsed, each held to the lockfile: a cached copy is used when its sum is
 * the locked one; a download whose sum differs from the lock stops everything before anything is
 * applied; a manifest never seen before is recorded.
 */
export async function loadReleaseManifests(
  release: KnativeRelease,
  options: ManifestStoreOptions,
): Promise<LoadedManifest[]> {
  const lock = await readLock(options.lockFile);
  const fetchText = options.fetchText ?? defaultFetchText;
  const loaded: LoadedManifest[] = [];
  let recorded = false;
  for (const source of releaseManifests(release)) {
    const cached = join(
      options.cacheDir,
      `knative-${source.url.split('/download/')[1] ?? source.file}`.replaceAll('/', '_'),
    );
    const locked = lock.manifests[source.url];
    let text = await readFile(cached, 'utf8').catch(() => undefined);
    if (text === undefined || (locked && sha256(text) !== locked)) {
      text = await fetchText(source.url);
      await mkdir(dirname(cached), { recursive: true });
      await writeFile(cached, text);
    }
    const sum = sha256(text);
    if (locked && sum !== locked) {
      throw new ManifestChecksumError(
        `${source.url} has sha256 ${sum}, but ${options.lockFile} locks ${locked}. ` +
          'Nothing was applied. If the release was re-published on purpose, run `kpc lock` to re-record it.',
      );
    }
    if (!locked) {
      lock.manifests[source.url] = sum;
      recorded = true;
      options.log?.(`recorded sha256 ${sum} of ${source.url} in ${options.lockFile}`);
    }
    loaded.push({ ...source, sha256: sum, objects: parseManifest(text, source.url) });
  }
  if (recorded) {
    await mkdir(dirname(options.lockFile), { recursive: true });
    await writeFile(options.lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  }
  return loaded;
}

/** Multi-document YAML to objects, skipping empty documents; a broken document names its source. */
export function parseManifest(text: string, source: string): KubernetesObject[] {
  return parseAllDocuments(text).flatMap((doc, index) => {
    if (doc.errors.length) throw new Error(`${source}: document ${index + 1}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as KubernetesObject | null;
    return value && typeof value === 'object' && value.kind ? [value] : [];
  });
}

/** serving-core repeats the CRDs of serving-crds; apply each object once, the last definition winning. */
export function uniqueObjects(objects: KubernetesObject[]): KubernetesObject[] {
  const byKey = new Map<string, KubernetesObject>();
  for (const o of objects)
    byKey.set(`${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o);
  return [...byKey.values()];
}
