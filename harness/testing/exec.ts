import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { resolvePodContainer } from './pods.ts';
import { badRequest } from './status.ts';
import type { FakeStore } from './store.ts';
import type { TimerSet } from './timers.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly tty: boolean;
  /** The negotiated subprotocol. */
  readonly protocol: string;
}

/** A scripted exec result. */
export interface ExecAnswer {
  readonly stdout?: string;
  readonly stderr?: string;
  /** Default 0. A non-zero code is reported as the kubelet does: Failure, reason NonZeroExitCode. */
  readonly exitCode?: number;
  /** Wait this long before answering (to exercise client timeouts). */
  readonly delayMs?: number;
  /** Report an internal error (e.g. the container is gone) instead of an exit code. */
  readonly error?: string;
}

/** Handlers are asked in registration order; the first that returns an answer wins. */
export type ExecHandler = (request: ExecRequest) => ExecAnswer | undefined | Promise<ExecAnswer | undefined>;

const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

const frame = (channel: number, data: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')]);

/**
 * The status frame the kubelet writes on channel 3 (json of metav1.Status with empty TypeMeta). The
 * non-zero message embeds containerd's exit error text, `error executing command [<argv>], exit code <n>`.
 */
export function execStatus(command: readonly string[], answer: ExecAnswer): object {
  if (answer.error !== undefined) {
    const message = `error executing command in container: ${answer.error}`;
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    };
  }
  const exitCode = answer.exitCode ?? 0;
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export class ExecEndpoint {
  readonly #store: FakeStore;
  readonly #timers: TimerSet;
  readonly #handlers: ExecHandler[] = [];
  readonly #wss: WebSocketServer;

  constructor(store: FakeStore, timers: TimerSet, protocols: readonly string[]) {
    this.#store = store;
    this.#timers = timers;
    this.#wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
    });
  }

  onExec(handler: ExecHandler): void {
    this.#handlers.push(handler);
  }

  /** Validates the request (throwing the API server's errors), then upgrades and runs the script. */
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    namespace: string,
    podName: string,
  ): void {
    const command = url.searchParams.getAll('command');
    const { container } = resolvePodContainer(
      this.#store,
      namespace,
      podName,
      url.searchParams.get('container'),
    );
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      void this.#run(ws, {
        namespace,
        pod: podName,
        container,
        command,
        stdin: url.searchParams.get('stdin') === 'true',
        tty: url.searchParams.get('tty') === 'true',
        protocol: ws.protocol,
      });
    });
  }

  async #run(ws: WebSocket, request: ExecRequest): Promise<void> {
    // Client frames (stdin on channel 0, resize on 4, v5's close signal 255) are accepted and ignored.
    ws.on('message', () => {});
    let answer: ExecAnswer | undefined;
    try {
      for (const handler of this.#handlers) {
        answer = await handler(request);
        if (answer) break;
      }
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    answer ??= {
      error: `fake API server: no scripted exec answer for [${request.command.join(' ')}] in ${request.pod}/${request.container}`,
    };
    if (answer.delayMs) await this.#timers.delay(answer.delayMs);
    if (ws.readyState !== ws.OPEN) return;
    if (answer.stdout) ws.send(frame(STDOUT, answer.stdout));
    if (answer.stderr) ws.send(frame(STDERR, answer.stderr));
    ws.send(frame(STATUS, JSON.stringify(execStatus(request.command, answer))));
    ws.close(1000);
  }

  close(): void {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}
