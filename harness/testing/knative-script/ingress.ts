/** An HTTP ingress for fake clusters: answers for a ready Route, as the catalogue workload would. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clusterDomain } from '../../knative/variant.ts';
import { getCondition } from '../conditions.ts';
import type { FakeStore } from '../store.ts';
import { type Obj, ref, SERVING } from './shapes.ts';

export interface FakeIngress {
  /** `http://127.0.0.1:<port>`, for `kpc run --ingress-url`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * An HTTP ingress for one or more fake clusters: a request whose Host is `<route>.<namespace>.<domain>`
 * is answered 200 with `answer(revision)` when that Route is Ready (the revision is its traffic target),
 * else 503. The default answer is the catalogue workload's: the serving container serves `$K_REVISION`.
 */
export async function startFakeIngress(
  stores: readonly FakeStore[],
  options: { domain?: string; answer?: (revision: string) => string } = {},
): Promise<FakeIngress> {
  const domain = `.${options.domain ?? clusterDomain}`;
  const answer = options.answer ?? ((revision: string) => `${revision}\n`);
  const server = createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const [name, namespace] = host.endsWith(domain) ? host.slice(0, -domain.length).split('.') : [];
    const route =
      name && namespace
        ? stores.map((s) => s.get(ref(SERVING, 'Route', namespace, name))).find((r) => r !== undefined)
        : undefined;
    const revision = (route as Obj | undefined)?.status?.traffic as { revisionName?: string }[] | undefined;
    if (!route || getCondition(route, 'Ready')?.status !== 'True' || !revision?.[0]?.revisionName) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`fake ingress: no ready route for ${host}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(answer(revision[0].revisionName));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
