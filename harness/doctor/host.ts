import { access, statfs } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { execa } from 'execa';

/** What doctor may ask of the machine; a seam so every check can be tested with a scripted host. */
export interface Host {
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Runs a command; `undefined` when the executable does not exist. */
  run(file: string, args: string[]): Promise<CommandOutput | undefined>;
  exists(path: string): Promise<boolean>;
  freeBytes(path: string): Promise<number>;
  /** statfs magic of /sys/fs/cgroup, or undefined where there is none (macOS). */
  cgroupFsType(): Promise<number | undefined>;
}

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const CGROUP2_SUPER_MAGIC = 0x63677270;

export function localHost(cwd = process.cwd(), env = process.env): Host {
  return {
    nodeVersion: process.version,
    env,
    cwd,
    async run(file, args) {
      const result = await execa(file, args, { reject: false, timeout: 15_000, env, cwd });
      if (result.failed && (result.code === 'ENOENT' || result.code === 'EACCES')) return undefined;
      return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
    },
    exists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    freeBytes: async (path) => {
      const s = await statfs(path);
      return s.bavail * s.bsize;
    },
    cgroupFsType: () =>
      statfs('/sys/fs/cgroup').then(
        (s) => s.type,
        () => undefined,
      ),
  };
}

/** The tool in `.kpc/bin` if install-tools put it there, else the first match on PATH. */
export async function findExecutable(host: Host, name: string, binDir: string): Promise<string | undefined> {
  const dirs = [resolve(host.cwd, binDir), ...(host.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await host.exists(candidate)) return candidate;
  }
  return undefined;
}
