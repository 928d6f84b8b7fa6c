/**
 * Installs the pinned kind, kubectl and ko into .kpc/bin, each checked against its sha256.
 * Usage: scripts/install-tools [kind] [kubectl] [ko]
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import {
  currentPlatform,
  type Platform,
  type ToolAsset,
  type ToolName,
  type ToolPin,
  toolPins,
  toolsBinDir,
  toolsLockFile,
} from '../harness/config/tools.ts';

/** sha256 values recorded on first install where no pin could be cited, keyed by asset URL. */
export type ToolsLock = Record<string, string>;

export class InstallError extends Error {
  override name = 'InstallError';
}

const networkTimeoutMs = 15_000;

/** Reads a publisher checksum file: a bare hash, `<hash>  <file>`, or one line per file. */
export function parseChecksumFile(text: string, entry?: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pick = entry
    ? lines.find((l) => l.split(/\s+/)[1]?.replace(/^\*/, '') === entry)
    : lines.length === 1
      ? lines[0]
      : undefined;
  const hash = pick?.split(/\s+/)[0]?.toLowerCase();
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new InstallError(`no sha256${entry ? ` for ${entry}` : ''} in the checksum file`);
  }
  return hash;
}

/**
 * The sum a download must have: the publisher's file must agree with our pin (or, without a pin,
 * with what an earlier install on this machine recorded), so neither can be swapped alone.
 */
export function expectedSha256(asset: ToolAsset, published: string, lock: ToolsLock): string {
  const held = asset.sha256 ?? lock[asset.url];
  if (held && held !== published) {
    throw new InstallError(
      `checksum mismatch for ${asset.url}: the publisher's ${asset.checksumUrl} says ${published}, ` +
        `${asset.sha256 ? 'kpc pins' : `${toolsLockFile} recorded`} ${held}. Refusing to install.`,
    );
  }
  return published;
}

async function fetchOrExplain(url: string, tool: ToolPin): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(networkTimeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new InstallError(
      `cannot download ${url} (${cause}).\n` +
        `Install ${tool.name} ${tool.version} by hand (${tool.manualInstall}) and put it in ${toolsBinDir}/ or on PATH.`,
    );
  }
  if (!response.ok) {
    throw new InstallError(
      `cannot download ${url}: HTTP ${response.status}.\n` +
        `Install ${tool.name} ${tool.version} by hand (${tool.manualInstall}) and put it in ${toolsBinDir}/ or on PATH.`,
    );
  }
  return response;
}

/** Streams a download to a file while hashing it. */
async function download(response: Response, file: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  if (!response.body) throw new InstallError(`empty response for ${response.url}`);
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    tap,
    createWriteStream(file),
  );
  return hash.digest('hex');
}

export interface InstallOptions {
  root: string;
  platform?: Platform;
  pins?: Record<ToolName, ToolPin>;
  log?: (line: string) => void;
}

/** Downloads, verifies and installs one tool; returns the installed path. */
export async function installTool(name: ToolName, options: InstallOptions): Promise<string> {
  const pin = (options.pins ?? toolPins)[name];
  const platform = options.platform ?? currentPlatform();
  const asset = platform && pin.assets[platform];
  if (!asset) {
    throw new InstallError(
      `${name} ${pin.version} has no pinned download for ${platform ?? process.platform}; install it by hand: ${pin.manualInstall}`,
    );
  }
  const lockPath = resolve(options.root, toolsLockFile);
  const lock: ToolsLock = JSON.parse(await readFile(lockPath, 'utf8').catch(() => '{}'));
  const published = parseChecksumFile(
    await (await fetchOrExplain(asset.checksumUrl, pin)).text(),
    asset.checksumEntry,
  );
  const expected = expectedSha256(asset, published, lock);

  const work = await mkdtemp(join(tmpdir(), `kpc-${name}-`));
  try {
    const file = join(work, 'download');
    const actual = await download(await fetchOrExplain(asset.url, pin), file);
    if (actual !== expected) {
      throw new InstallError(
        `checksum mismatch for ${asset.url}: expected ${expected}, got ${actual}. Nothing installed.`,
      );
    }
    let binary = file;
    if (asset.archiveMember) {
      await execa('tar', ['-xzf', file, '-C', work, asset.archiveMember]);
      binary = join(work, asset.archiveMember);
    }
    const target = resolve(options.root, toolsBinDir, name);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(binary, target);
    await chmod(target, 0o755);
    if (!asset.sha256 && !lock[asset.url]) {
      lock[asset.url] = actual;
      await mkdir(dirname(lockPath), { recursive: true });
      await writeFile(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
      options.log?.(`${name}: no cited pin for ${platform}; recorded sha256 ${actual} in ${toolsLockFile}`);
    }
    options.log?.(`${name} ${pin.version} installed at ${target} (sha256 ${actual})`);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function cli(argv: string[]): Promise<number> {
  const wanted = argv.filter((a) => !a.startsWith('-')) as ToolName[];
  const unknown = wanted.filter((t) => !(t in toolPins));
  if (unknown.length) {
    process.stderr.write(
      `install-tools: unknown tool ${unknown.join(', ')} (choose from ${Object.keys(toolPins).join(', ')})\n`,
    );
    return 2;
  }
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
  let failed = 0;
  for (const name of wanted.length ? wanted : (Object.keys(toolPins) as ToolName[])) {
    try {
      await installTool(name, { root, log: (l) => process.stdout.write(`${l}\n`) });
    } catch (error) {
      failed++;
      process.stderr.write(
        `install-tools: ${name}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      if (error instanceof InstallError && /cannot download/.test(error.message)) break; // offline: fail fast
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
