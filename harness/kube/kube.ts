import type { KubeConfig } from '@kubernetes/client-node';
import { type KubeSource, kubeconfigSecrets, loadKubeConfig } from './config.ts';
import { ResourceCatalog } from './discovery.ts';
import { KubeApiError, KubeTimeoutError, toKubeError, UnknownKindError } from './errors.ts';
import {
  eventSelectors,
  type KubeEvent,
  mergeEvents,
  normaliseCoreEvent,
  normaliseEventsV1Event,
} from './events.ts';
import { execInContainer } from './exec.ts';
import { RUN_LABEL, validateLabels } from './labels.ts';
import { type ListQuery, listAll } from './list.ts';
import { redact } from './redact.ts';
import { abortableSleep, backoffDelayMs, type RetryPolicy } from './retry.ts';
import { KubeTransport } from './transport.ts';
import {
  describeRef,
  type ExecResult,
  type ExecTarget,
  type KubernetesObject,
  type ObjectRef,
  type PropagationPolicy,
  type WatchEvent,
  type WatchTarget,
} from './types.ts';
import { type ResumableWatchOptions, resumableWatch } from './watch.ts';
import { clientNodeWatchBackend } from './watch-backend.ts';

export interface KubeOptions {
  /** Retries of single requests (not watches, which retry until aborted). */
  retryPolicy?: RetryPolicy;
  /** Per request attempt. */
  requestTimeoutMs?: number;
}

export const defaultFieldManager = 'kpc';
export const defaultDeletionTimeoutMs = 120_000;
const deletionPoll = { initialMs: 100, maxMs: 1_000, factor: 2 };

/** Everything kpc does to a cluster. Objects in and out are the server's JSON, unchanged. */
export class Kube {
  /** API server URL of the selected context. */
  readonly server: string;
  /** The selected context's name. */
  readonly context: string;
  readonly #kc: KubeConfig;
  readonly #transport: KubeTransport;
  readonly #catalog: ResourceCatalog;
  readonly #secrets: string[];
  readonly #defaultNamespace: string;

  constructor(kc: KubeConfig, options: KubeOptions = {}) {
    this.#kc = kc;
    this.#transport = new KubeTransport(kc, options);
    this.#catalog = new ResourceCatalog(this.#transport);
    this.#secrets = kubeconfigSecrets(kc);
    this.server = this.#transport.server;
    this.context = kc.getCurrentContext();
    this.#defaultNamespace = kc.getContextObject(this.context)?.namespace ?? 'default';
  }

  /** Server-side apply (field manager `kpc`, force). Returns the object as stored (or as it would be, for dryRun). */
  async apply(
    obj: KubernetesObject,
    options: { fieldManager?: string; dryRun?: boolean } = {},
  ): Promise<KubernetesObject> {
    const ref = this.#refOf(obj, 'apply');
    return this.#guard(`apply ${describeRef(ref)}`, async (operation) => {
      const path = await this.#catalog.objectPath(await this.#withDefaultNamespace(ref));
      return this.#transport.json<KubernetesObject>({
        method: 'PATCH',
        path,
        query: {
          fieldManager: options.fieldManager ?? defaultFieldManager,
          force: true,
          dryRun: options.dryRun ? 'All' : undefined,
        },
        body: obj,
        contentType: 'application/apply-patch+yaml',
        operation,
      });
    });
  }

  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<KubernetesObject | undefined> {
    return this.#guard(`get ${describeRef(ref)}`, async (operation) => {
      try {
        const found = await this.#transport.json<KubernetesObject>({
          method: 'GET',
          path: await this.#catalog.objectPath(ref),
          operation,
        });
        return { apiVersion: ref.apiVersion, kind: ref.kind, ...found };
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return undefined;
        throw err;
      }
    });
  }

  list(
    apiVersion: string,
    kind: string,
    options: { namespace?: string } & ListQuery = {},
  ): Promise<KubernetesObject[]> {
    const scope = options.namespace ? ` in ${options.namespace}` : '';
    return this.#guard(`list ${apiVersion} ${kind}${scope}`, async () => {
      const path = await this.#catalog.collectionPath(apiVersion, kind, options.namespace);
      const query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
      return (await listAll(this.#transport, { path, apiVersion, kind, query })).items;
    });
  }

  /** Deletes the object; an object already gone is not an error. */
  delete(ref: ObjectRef, options: { propagationPolicy?: PropagationPolicy } = {}): Promise<void> {
    return this.#guard(`delete ${describeRef(ref)}`, async (operation) => {
      try {
        await this.#transport.text({
          method: 'DELETE',
          path: await this.#catalog.objectPath(ref),
          query: { propagationPolicy: options.propagationPolicy },
          operation,
        });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 404)) throw err;
      }
    });
  }

  /**
   * Resolves once the object (the instance present now, by uid) is gone. Polls with backoff up to
   * 1 s apart; on timeout the error names the object, its deletionTimestamp and its finalizers.
   */
  waitForDeletion(ref: ObjectRef, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? defaultDeletionTimeoutMs;
    return this.#guard(`wait for deletion of ${describeRef(ref)}`, async (operation) => {
      const deadline = Date.now() + timeoutMs;
      let uid: string | undefined;
      for (let attempt = 1; ; attempt++) {
        const current = await this.get(ref);
        if (current === undefined || (uid !== undefined && current.metadata?.uid !== uid)) return;
        uid ??= current.metadata?.uid;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new KubeTimeoutError(
            `${operation}: still present after ${timeoutMs} ms (${lingering(current)})`,
          );
        await abortableSleep(Math.min(left, backoffDelayMs(attempt, deletionPoll)), options.signal);
      }
    });
  }

  /** Creates (or re-labels) a namespace by server-side apply. */
  async createNamespace(name: string, labels: Record<string, string>): Promise<void> {
    validateLabels(labels, `namespace ${name}`);
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }

  async deleteNamespace(name: string, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Namespace', name };
    await this.delete(ref, { propagationPolicy: 'Background' });
    if (options.wait) await this.waitForDeletion(ref, { timeoutMs: options.timeoutMs });
  }

  /** Namespaces carrying the kpc run label (of one run, or of any), for garbage collection. */
  leftoverNamespaces(options: { run?: string } = {}): Promise<KubernetesObject[]> {
    if (options.run !== undefined) validateLabels({ [RUN_LABEL]: options.run }, 'leftoverNamespaces');
    const labelSelector = options.run === undefined ? RUN_LABEL : `${RUN_LABEL}=${options.run}`;
    return this.list('v1', 'Namespace', { labelSelector });
  }

  /**
   * Resumable list+watch: see `resumableWatch` for the guarantees. The target's kind is resolved
   * (and an unknown kind reported) on the first iteration.
   */
  watch(
    target: WatchTarget,
    options: Pick<
      ResumableWatchOptions,
      'signal' | 'stallTimeoutMs' | 'backoff' | 'onReconnect' | 'onListed'
    > = {},
  ): AsyncIterable<WatchEvent> {
    const kube = this;
    return {
      async *[Symbol.asyncIterator]() {
        const scope = target.namespace ? ` in ${target.namespace}` : '';
        const operation = `watch ${target.apiVersion} ${target.kind}${scope}`;
        try {
          const path = await kube.#catalog.collectionPath(target.apiVersion, target.kind, target.namespace);
          const backend = clientNodeWatchBackend(kube.#kc, kube.#transport, path, target);
          yield* resumableWatch(backend, options);
        } catch (err) {
          throw kube.#scrub(toKubeError(err, operation));
        }
      },
    };
  }

  exec(target: ExecTarget, command: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.#guard(`exec in ${target.namespace}/${target.pod}`, () =>
      execInContainer(this.#kc, target, command, options),
    );
  }

  /** The container's log (or, with `previous`, its last terminated instance's). */
  logs(target: ExecTarget, options: { previous?: boolean } = {}): Promise<string> {
    const which = options.previous ? 'previous logs' : 'logs';
    return this.#guard(
      `${which} of ${target.namespace}/${target.pod} container ${target.container}`,
      (operation) =>
        this.#transport.text({
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`,
          query: { container: target.container, previous: options.previous ? true : undefined },
          operation,
        }),
    );
  }

  /** Events about the object from core/v1 and events.k8s.io/v1 (when served), merged and normalised. */
  events(ref: ObjectRef): Promise<KubeEvent[]> {
    return this.#guard(`events of ${describeRef(ref)}`, async () => {
      const selectors = eventSelectors(ref);
      const core = await this.list('v1', 'Event', {
        namespace: ref.namespace,
        fieldSelector: selectors.core,
      });
      let eventsV1: KubernetesObject[] = [];
      try {
        eventsV1 = await this.list('events.k8s.io/v1', 'Event', {
          namespace: ref.namespace,
          fieldSelector: selectors.events,
        });
      } catch (err) {
        if (!(err instanceof UnknownKindError)) throw err;
      }
      return mergeEvents(core.map(normaliseCoreEvent), eventsV1.map(normaliseEventsV1Event));
    });
  }

  /** `GET /version`: the server's build info (`gitVersion`, ...). */
  serverVersion(): Promise<{ gitVersion: string; [key: string]: unknown }> {
    return this.#guard('get server version', (operation) =>
      this.#transport.json({ method: 'GET', path: '/version', operation }),
    );
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /** Runs an operation so that whatever it throws is typed, names the operation, and holds no secret. */
  async #guard<T>(operation: string, run: (operation: string) => Promise<T>): Promise<T> {
    try {
      return await run(operation);
    } catch (err) {
      throw this.#scrub(toKubeError(err, operation));
    }
  }

  #scrub(err: Error): Error {
    err.message = redact(err.message, this.#secrets);
    if (err.stack) err.stack = redact(err.stack, this.#secrets);
    return err;
  }

  #refOf(obj: KubernetesObject, verb: string): ObjectRef {
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    if (!apiVersion || !kind || !name) {
      const missing = [!apiVersion && 'apiVersion', !kind && 'kind', !name && 'metadata.name']
        .filter(Boolean)
        .join(', ');
      throw new Error(`${verb}: object ${kind ?? ''} ${name ?? ''} lacks ${missing}`.replace(/\s+/g, ' '));
    }
    return { apiVersion, kind, name, namespace: obj.metadata?.namespace };
  }

  /** kubectl's rule: a namespaced object without a namespace goes to the context's namespace. */
  async #withDefaultNamespace(ref: ObjectRef): Promise<ObjectRef> {
    if (ref.namespace) return ref;
    const { namespaced } = await this.#catalog.resolve(ref.apiVersion, ref.kind);
    return namespaced ? { ...ref, namespace: this.#defaultNamespace } : ref;
  }
}

/** Loads the kubeconfig (path, YAML text, or the default chain) and selects the context. No request is made. */
export async function connectKube(source: KubeSource, options: KubeOptions = {}): Promise<Kube> {
  return new Kube(loadKubeConfig(source), options);
}

function lingering(obj: KubernetesObject): string {
  const finalizers = [
    ...(obj.metadata?.finalizers ?? []),
    ...((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []),
  ];
  const since = obj.metadata?.deletionTimestamp
    ? `deletionTimestamp ${obj.metadata.deletionTimestamp}`
    : 'no deletionTimestamp';
  return `${since}; finalizers: ${finalizers.length ? finalizers.join(', ') : 'none'}`;
}
