import type { Writable } from 'node:stream';

/** Where a command writes and how it ends; injected so tests can run commands in-process. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

/** Every action returns its exit code (or nothing for 0); main() turns it into the process's. */
export type ActionResult = Promise<number | undefined> | number | undefined;

/** Exit codes shared by every command: 0 ok, 1 a check or expectation failed, 2 unusable input or unavailable. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by a command to stop with a message and an exit code; main() prints it once. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes returned by actions, keyed by the command that ran (one invocation runs one action). */
export const exitCodes = new WeakMap<object, number>();

/**
 * Wraps an action so its returned exit code reaches main(). Commander passes the command itself
 * as the last argument, which is where the code is recorded.
 */
export function action<A extends unknown[]>(fn: (...args: A) => ActionResult): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await fn(...args);
    const self = args.at(-1);
    if (typeof self === 'object' && self !== null) exitCodes.set(self, code ?? ExitCode.ok);
  };
}
