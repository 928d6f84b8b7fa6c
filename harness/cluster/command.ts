import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { toolsBinDir } from '../config/tools.ts';

/**
 * Every external command kpc runs (kind, ko, docker, git) goes through a CommandRunner, so tests can
 * replace it with a recording fake and check exact argv and env.
 */
export interface CommandRunner {
  run(file: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
}

export interface CommandOptions {
  /** Variables added to (not replacing) the runner's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to the command's stdin. */
  input?: string;
  /** Aborting kills the command (SIGTERM) and the call rejects with CommandCanceled. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Default true: a non-zero exit rejects with CommandFailed; false returns the result instead. */
  reject?: boolean;
  /** Each complete line of stdout and stderr as it arrives (long commands show progress). */
  onOutput?: (line: string) => void;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command line for messages; arguments with spaces or quotes are quoted. */
export function formatCommand(file: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  return [file, ...args].map(quote).join(' ');
}

const tail = (text: string, max = 2000) => (text.length > max ? `…${text.slice(-max)}` : text);

/** A command exited non-zero. Carries stderr only: stdout may hold secrets (`kind get kubeconfig`). */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${command} exited with ${exitCode}${stderr.trim() ? `: ${tail(stderr.trim())}` : ''}`);
    this.name = 'CommandFailed';
  }
}

export class CommandNotFound extends Error {
  constructor(readonly file: string) {
    super(`${file}: command not found (install it, or run kpc doctor to see what is missing)`);
    this.name = 'CommandNotFound';
  }
}

export class CommandCanceled extends Error {
  constructor(readonly command: string) {
    super(`${command}: canceled`);
    this.name = 'CommandCanceled';
  }
}

/** Applies the `reject` option the same way for the real runner and fakes. */
export function settle(
  file: string,
  args: readonly string[],
  result: CommandResult,
  reject = true,
): CommandResult {
  if (reject && result.exitCode !== 0)
    throw new CommandFailed(formatCommand(file, args), result.exitCode, result.stderr);
  return result;
}

/** The real runner. `env` is the base environment (the CLI passes io.env); default process.env. */
export function execaRunner(env: NodeJS.ProcessEnv = process.env): CommandRunner {
  return {
    async run(file, args, options = {}) {
      const child = execa(file, args, {
        env: { ...env, ...options.env },
        extendEnv: false,
        cwd: options.cwd,
        input: options.input,
        cancelSignal: options.signal,
        timeout: options.timeoutMs,
        reject: false,
        stripFinalNewline: false,
      });
      if (options.onOutput) {
        for (const stream of [child.stdout, child.stderr]) followLines(stream, options.onOutput);
      }
      const result = await child;
      if (result.isCanceled) throw new CommandCanceled(formatCommand(file, args));
      if ((result as { code?: string }).code === 'ENOENT') {
        // spawn says ENOENT for a missing working directory too.
        if (options.cwd && !existsSync(options.cwd))
          throw new Error(`${file}: working directory ${options.cwd} does not exist`);
        throw new CommandNotFound(file);
      }
      if (result.timedOut) {
        throw new CommandFailed(formatCommand(file, args), -1, `timed out after ${options.timeoutMs} ms`);
      }
      const completed = {
        exitCode: result.exitCode ?? -1,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
      };
      return settle(file, args, completed, options.reject);
    },
  };
}

function followLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream?.on('end', () => {
    if (partial) onLine(partial);
  });
}

/**
 * The binary to run for a pinned tool: the copy `scripts/install-tools` put in `.kpc/bin` if there is
 * one (tools.ts: "doctor and the providers look here before PATH"), else the bare name from PATH.
 */
export function toolBinary(name: 'kind' | 'ko' | 'kubectl', cwd: string): string {
  const pinned = resolve(cwd, join(toolsBinDir, name));
  return existsSync(pinned) ? pinned : name;
}
