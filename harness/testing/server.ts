import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AdmissionHook } from './admission.ts';
import { serveCustomResourceDefinitions } from './crds.ts';
import { apiGroup, coreVersions, groupList, resourceList, versionInfo } from './discovery.ts';
import { EXEC_PROTOCOLS, ExecEndpoint, type ExecHandler } from './exec.ts';
import { type FaultInjector, Faults } from './faults.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { type LogHandler, serveLogs } from './logs.ts';
import { fakePki } from './pki.ts';
import { type Reactor, type ReactorHandle, Reactors } from './reactors.ts';
import { type RecordedRequest, recordRequest } from './requests.ts';
import { defaultResources, ResourceRegistry, type ResourceSpec } from './resources.ts';
import { handleRest } from './rest.ts';
import { type Route, route } from './routing.ts';
import {
  ApiStatusError,
  badRequest,
  failure,
  faultStatus,
  noSuchResource,
  type StatusBody,
} from './status.ts';
import { FakeStore, type StoreOptions } from './store.ts';
import { TimerSet } from './timers.ts';
import { serveWatch } from './watch.ts';

export interface FakeApiServerOptions extends StoreOptions {
  /** Resources served in addition to the defaults (core, apps, events, Knative Serving, …). */
  readonly resources?: readonly ResourceSpec[];
  /** Namespaces that exist at start, besides default, kube-system, kube-public and kube-node-lease. */
  readonly namespaces?: readonly string[];
  /** Exec subprotocols the server accepts, most preferred first (default v5 then v4). */
  readonly execProtocols?: readonly string[];
  /** Interval of BOOKMARK events on watches that allow them (default 60 s, roughly the real server's). */
  readonly bookmarkIntervalMs?: number;
  /** Reported by `/version` (default v1.37.0, kind v0.33's default node image). */
  readonly kubernetesVersion?: string;
  /** Kubeconfig context, cluster and user name prefix (default `fake`). */
  readonly context?: string;
}

export interface FakeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** A kubeconfig (like kind's admin one) with the embedded throw-away CA and client cert; context `fake`. */
  readonly kubeconfig: string;
  /** Writes the kubeconfig with mode 0600 (to a fresh temp dir unless `path` is given); returns the path. */
  writeKubeconfig(path?: string): Promise<string>;
  readonly store: FakeStore;
  readonly faults: FaultInjector;
  readonly registry: ResourceRegistry;
  onExec(handler: ExecHandler): void;
  onLogs(handler: LogHandler): void;
  admission(hook: AdmissionHook): void;
  react(reactor: Reactor): ReactorHandle;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Field manager the server derives from a User-Agent when none is given (`prefixFromUserAgent`). */
const managerFromUserAgent = (ua: string | undefined): string => (ua ?? '').split('/')[0]!.slice(0, 128);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const toStatusError = (err: unknown): ApiStatusError =>
  err instanceof ApiStatusError
    ? err
    : new ApiStatusError(
        failure(
          500,
          'InternalError',
          `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );

function faultError(code: number, retryAfterSeconds?: number, message?: string): ApiStatusError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new ApiStatusError(faultStatus(code, retryAfterSeconds, message), headers);
}

/** Sends a TCP RST where the handle allows it (not through TLS wrappers); otherwise drops the socket. */
function resetSocket(socket: Socket | Duplex): void {
  try {
    (socket as Socket).resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** Starts a fake kube-apiserver on 127.0.0.1 (random port) with TLS and client-certificate auth. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const pki = fakePki();
  const registry = new ResourceRegistry([...defaultResources, ...(options.resources ?? [])]);
  const timers = new TimerSet();
  const store = new FakeStore(registry, timers, options);
  const faults = new Faults(store);
  const exec = new ExecEndpoint(store, timers, options.execProtocols ?? EXEC_PROTOCOLS);
  const reactors = new Reactors(store, timers);
  const admissionHooks: AdmissionHook[] = [];
  const logHandlers: LogHandler[] = [];
  const requests: RecordedRequest[] = [];
  const gitVersion = options.kubernetesVersion ?? 'v1.37.0';
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;

  serveCustomResourceDefinitions(store, timers);
  for (const name of [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])]) {
    store.create(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      { fieldManager: 'kube-apiserver' },
    );
  }

  const dispatch = async (req: IncomingMessage, res: ServerResponse, url: URL, recorded: RecordedRequest) => {
    const target: Route = route(url.pathname, registry);
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET';
    switch (target.kind) {
      case 'coreVersions':
        return sendJson(res, 200, coreVersions());
      case 'groupList':
        return sendJson(res, 200, groupList(registry));
      case 'group': {
        const doc = apiGroup(registry, target.group);
        if (!doc || !readOnly) throw noSuchResource();
        return sendJson(res, 200, doc);
      }
      case 'resourceList': {
        const doc = resourceList(registry, target.group, target.version);
        if (!doc || !readOnly) throw noSuchResource();
        return sendJson(res, 200, doc);
      }
      case 'version':
        return sendJson(res, 200, versionInfo(gitVersion));
      case 'health':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('ok');
      case 'notFound':
        throw noSuchResource();
    }
    const { type, namespace, name, subresource } = target;
    const isPod = type.group === '' && type.kind === 'Pod';
    if (isPod && subresource === 'exec' && namespace !== undefined)
      throw badRequest('Upgrade request required');
    if (isPod && subresource === 'log' && namespace !== undefined && name !== undefined && readOnly) {
      const text = serveLogs(store, logHandlers, namespace, name, url.searchParams);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(text);
    }
    if (recorded.watch && readOnly && name === undefined && subresource === undefined) {
      return serveWatch(
        { store, faults, bookmarkIntervalMs },
        { type, namespace, query: url.searchParams, recorded },
        res,
      );
    }
    const body = await readBody(req);
    const answer = handleRest(store, admissionHooks, {
      method,
      type,
      namespace,
      name,
      subresource,
      query: url.searchParams,
      contentType: (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim(),
      body,
      userAgentManager: managerFromUserAgent(req.headers['user-agent']),
    });
    return sendJson(res, answer.status, answer.body);
  };

  /** Shared by plain requests and upgrades: record, then apply reset/latency/respond faults in that order. */
  const admit = async (req: IncomingMessage, socket: Socket | Duplex, upgrade: boolean) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const recorded = recordRequest(req.method ?? 'GET', url, req.headers['content-type'], upgrade);
    requests.push(recorded);
    if (faults.takeReset(recorded)) {
      resetSocket(socket);
      return undefined;
    }
    const delay = faults.takeLatency(recorded);
    if (delay > 0) await timers.delay(delay);
    const fault = faults.takeRespond(recorded);
    return { url, recorded, fault: fault && faultError(fault.code, fault.retryAfterSeconds, fault.message) };
  };

  const server: Server = createServer(
    {
      key: pki.serverKeyPem,
      cert: pki.serverCertPem,
      ca: pki.caCertPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      void (async () => {
        const admitted = await admit(req, req.socket, false);
        if (!admitted) return;
        const { url, recorded, fault } = admitted;
        try {
          if (fault) throw fault;
          await dispatch(req, res, url, recorded);
        } catch (err) {
          const error = toStatusError(err);
          if (res.headersSent) res.destroy();
          else sendJson(res, error.code, error.status, error.headers);
        }
        // Watches return once their headers are out, so this also records a streaming 200.
        recorded.status = res.statusCode;
      })();
    },
  );

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const admitted = await admit(req, socket, true);
      if (!admitted) return;
      const { url, recorded, fault } = admitted;
      try {
        if (fault) throw fault;
        const target = route(url.pathname, registry);
        const isExec =
          target.kind === 'resource' &&
          target.type.group === '' &&
          target.type.kind === 'Pod' &&
          target.subresource === 'exec' &&
          target.namespace !== undefined &&
          target.name !== undefined;
        if (!isExec) throw noSuchResource();
        exec.upgrade(req, socket, head, url, target.namespace!, target.name!);
        recorded.status = 101;
      } catch (err) {
        const error = toStatusError(err);
        recorded.status = error.code;
        writeRawError(socket, error.status, error.headers);
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = renderKubeconfig(url, pki, options.context ?? 'fake');
  const tempDirs: string[] = [];
  let closing: Promise<void> | undefined;

  return {
    url,
    kubeconfig,
    store,
    faults,
    registry,
    requests,
    async writeKubeconfig(path?: string) {
      let target = path;
      if (!target) {
        const dir = await mkdtemp(join(tmpdir(), 'kpc-fake-kube-'));
        tempDirs.push(dir);
        target = join(dir, 'kubeconfig');
      }
      await writeFile(target, kubeconfig, { mode: 0o600 });
      return target;
    },
    onExec: (handler) => exec.onExec(handler),
    onLogs: (handler) => {
      logHandlers.push(handler);
    },
    admission: (hook) => {
      admissionHooks.push(hook);
    },
    react: (reactor) => reactors.add(reactor),
    close() {
      closing ??= (async () => {
        timers.close();
        exec.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
      })();
      return closing;
    },
  };
}

/** An HTTP error written straight onto an upgrade socket (the WebSocket handshake never happened). */
function writeRawError(socket: Duplex, status: StatusBody, headers: Record<string, string>): void {
  const text = JSON.stringify(status);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra}connection: close\r\n\r\n${text}`,
  );
}
