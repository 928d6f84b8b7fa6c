import { request } from 'node:https';
import { ApiException, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { fakePki } from './pki.ts';

/** A KubeConfig for a fake server, loaded the way users load kind's kubeconfig. */
export function kubeConfigFor(server: { kubeconfig: string }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return kc;
}

/** Runs `fn`, expecting client-node's ApiException; returns its code and parsed Status body. */
export async function apiError(
  fn: () => Promise<unknown>,
): Promise<{ code: number; status: V1Status; headers: Record<string, string> }> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as V1Status) : (err.body as V1Status);
    return { code: err.code, status: body, headers: err.headers as Record<string, string> };
  }
  throw new Error('expected the call to fail with an ApiException');
}

/** Polls `check` until it returns true, for conditions reached by timers inside the fake server. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A raw HTTPS request with the kubeconfig's client identity, for calls client-node has no generic
 * method for (e.g. a patch of a custom resource's /status). `json` is the parsed body, if it was JSON.
 */
export function rawRequest(
  server: { url: string },
  method: string,
  path: string,
  options: { contentType?: string; body?: unknown } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}> {
  const pki = fakePki();
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        ca: pki.caCertPem,
        cert: pki.clientCertPem,
        key: pki.clientKeyPem,
        headers: options.contentType ? { 'content-type': options.contentType } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}
