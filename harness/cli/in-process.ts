import { PassThrough } from 'node:stream';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

export interface KpcResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one kpc invocation in this process and captures what it prints (for tests and library users). */
export async function runKpc(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<KpcResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const captured = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => {
    captured.out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    captured.err += d.toString();
  });
  const io: CliIo = { stdout, stderr, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() };
  const code = await main(['node', 'kpc', ...args], io);
  return { code, stdout: captured.out, stderr: captured.err };
}
