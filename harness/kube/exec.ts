import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { ExecFailed, KubeApiError, KubeTimeoutError, parseStatus, toKubeError } from './errors.ts';
import { redact } from './redact.ts';
import type { ExecResult, ExecTarget } from './types.ts';

export const defaultExecTimeoutMs = 30_000;

/** Offered in order of preference; both carry the exit status as JSON on channel 3. */
export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const closeChannel = 255;

type ExecConnector = NonNullable<ConstructorParameters<typeof Exec>[1]>;

/**
 * Runs a command in a container over client-node's Exec (WebSocket, v5/v4 channel protocol) and
 * collects its output. The exit code comes from the status channel: `Success` is 0,
 * `NonZeroExitCode` carries it in its `ExitCode` cause. After `timeoutMs` (upgrade included) the
 * socket is terminated and a `KubeTimeoutError` is thrown.
 */
export async function execInContainer(
  kc: KubeConfig,
  target: ExecTarget,
  command: string[],
  options: { timeoutMs?: number } = {},
): Promise<ExecResult> {
  if (command.length === 0) throw new Error('exec: command is empty');
  const timeoutMs = options.timeoutMs ?? defaultExecTimeoutMs;
  const what = `exec ${JSON.stringify(command)} in ${target.namespace}/${target.pod} container ${target.container}`;
  const stdout = new Collector();
  const stderr = new Collector();
  let status: V1Status | undefined;
  let socket: WebSocket | undefined;

  // Exec builds the request and decodes channels 1-3; the connection is ours, to bound the upgrade,
  // offer exactly v5/v4, and keep v5 close frames (255) from Exec's decoder, which throws on them.
  const connector: ExecConnector = {
    connect: async (path, _text, binary) => {
      const options: WebSocket.ClientOptions = {};
      await kc.applyToHTTPSOptions(options);
      const ws = new WebSocket(webSocketUrl(kc, path), execProtocols, {
        ...options,
        handshakeTimeout: timeoutMs,
      });
      socket = ws;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary || data.length === 0 || data[0] === closeChannel) return;
        if (binary && !binary(data[0]!, data.subarray(1))) ws.close();
      });
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.on('error', reject); // after open an error is followed by 'close', which ends the wait
      });
    },
  };

  // Output frames precede the status frame, so the status (or a close without one) ends the run.
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const run = async () => {
    const ws = await new Exec(kc, connector).exec(
      target.namespace,
      target.pod,
      target.container,
      command,
      stdout,
      stderr,
      null,
      false,
      (s: V1Status) => {
        status = s;
        finish();
      },
    );
    if (ws.readyState === WebSocket.CLOSED) finish();
    ws.once('close', finish);
    await finished;
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket?.terminate();
      reject(
        new KubeTimeoutError(`${what}: no exit status within ${timeoutMs} ms; the connection was closed`),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([run().catch((err: unknown) => Promise.reject(connectError(what, err))), timeout]);
  } finally {
    clearTimeout(timer);
    if (socket?.readyState === WebSocket.OPEN) socket.close();
  }
  return { exitCode: exitCodeOf(what, status), stdout: stdout.text(), stderr: stderr.text() };
}

function webSocketUrl(kc: KubeConfig, path: string): string {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  return server.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
}

/** Exit code from the status channel's V1Status. */
export function exitCodeOf(what: string, status: V1Status | undefined): number {
  if (!status) throw new ExecFailed(`${what}: the connection closed without an exit status`, undefined);
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const code = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
    if (Number.isInteger(code)) return code;
  }
  throw new ExecFailed(
    redact(`${what}: ${status.message ?? status.reason ?? 'failed without a message'}`),
    status,
  );
}

/**
 * A refused upgrade reaches us as ws's `Unexpected server response: 403` (the Status body is not
 * readable there); keep the code so callers can tell 403/404 from network trouble.
 */
function connectError(what: string, err: unknown): Error {
  const inner = (err as { error?: unknown } | undefined)?.error ?? err;
  const message = String((inner as { message?: unknown } | undefined)?.message ?? inner);
  const code = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (code) return new KubeApiError(what, parseStatus(Number(code), `WebSocket upgrade refused: ${message}`));
  return toKubeError(inner, what);
}

/** Buffers all output and decodes once, so multi-byte characters split across frames survive. */
class Collector extends Writable {
  readonly #chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(chunk);
    callback();
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
