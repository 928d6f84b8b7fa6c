import { PassThrough } from 'node:stream';
import type { ContainerRuntimeClient } from 'testcontainers';
import type { ExecObservation } from './classify.ts';

/** Runs one command in the container, exec'd directly (no shell), giving up after `timeoutMs`. */
export type Executor = (command: string[], timeoutMs: number) => Promise<ExecObservation>;

/**
 * An Executor over the Docker exec API. The kubelet runs exec probes with working directory `/`
 * (kubelet-probe-facts.md §1.1) and as the container's user, which is Docker's default for exec too.
 * On timeout the output stream is dropped; the process itself runs on until the container is removed
 * (containerd would kill it; Docker's API has no way to).
 */
export function dockerExecutor(client: ContainerRuntimeClient, containerId: string): Executor {
  const container = client.container.getById(containerId);
  const { modem } = client.container.dockerode;
  return async (command, timeoutMs) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let exec: Awaited<ReturnType<typeof container.exec>>;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, WorkingDir: '/' });
      stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream;
    } catch (error) {
      return { kind: 'not-running', message: (error as Error).message, durationMs: elapsed() };
    }
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = { stdout: '', stderr: '' };
    stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
    });
    stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
    });
    modem.demuxStream(stream, stdout, stderr);

    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      new Promise<'ended'>((resolve, reject) => {
        stream.on('end', () => resolve('ended'));
        stream.on('error', reject);
      }),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const durationMs = elapsed();
    if (finished === 'timeout') {
      (stream as unknown as { destroy(): void }).destroy();
      return { kind: 'timed-out', ...out, durationMs };
    }
    const { ExitCode } = await exec.inspect();
    return { kind: 'exited', exitCode: ExitCode ?? -1, ...out, durationMs };
  };
}
