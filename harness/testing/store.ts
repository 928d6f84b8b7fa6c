import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type AdmissionHook, type AdmissionOperation, runAdmission } from './admission.ts';
import { eventMirrors, type Mirror } from './event-mirror.ts';
import {
  applyJsonPatch,
  isJsonObject,
  type JsonObject,
  mergePatch,
  PatchType,
  strategicMergePatch,
} from './patch.ts';
import { apiVersionOf, type ResourceRegistry, type ResourceType, resourceKey } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import {
  ApiStatusError,
  alreadyExists,
  badRequest,
  conflict,
  failure,
  invalid,
  namespaceTerminating,
  notFound,
} from './status.ts';
import type { TimerSet } from './timers.ts';

export type { KubernetesObject } from '@kubernetes/client-node';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One committed change; watch streams, history replay and reactors all consume these. Its objects are
 * the store's own, shared by every listener and frozen: copy one (e.g. `structuredClone`) to change it.
 */
export interface StoreChange {
  readonly type: WatchEventType;
  readonly resource: ResourceType;
  readonly object: KubernetesObject;
  /** The object before the change (MODIFIED and DELETED). */
  readonly oldObject?: KubernetesObject;
  readonly resourceVersion: number;
  readonly subresource?: 'status';
}

export interface WriteOptions {
  /** `dryRun=All`: validate and answer, store nothing, emit nothing. */
  readonly dryRun?: boolean;
  /** Recorded in `metadata.managedFields`. */
  readonly fieldManager?: string;
  /** Admission hooks to run (the HTTP layer passes them; direct store writes skip admission). */
  readonly admission?: readonly AdmissionHook[];
}

export interface CreateOptions extends WriteOptions {
  /**
   * Keep `status` from the given object. The real server drops status on create for resources with a
   * status subresource, so this performs a create and then a status update: two watch events, as a
   * controller that creates and then reports status would cause.
   */
  readonly withStatus?: boolean;
}

export interface PatchOptions extends WriteOptions {
  readonly subresource?: 'status';
  /** For apply patches; the fake never reports apply conflicts, so force is accepted and ignored. */
  readonly force?: boolean;
}

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteOptions extends WriteOptions {
  readonly propagationPolicy?: PropagationPolicy;
}

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface StoreOptions {
  /** How long a deleted namespace stays `Terminating` before its contents and itself are removed. */
  readonly namespaceTerminationMs?: number;
  /** Delay before the garbage collector deletes dependents of a deleted owner. */
  readonly garbageCollectionDelayMs?: number;
  /** Watch history kept per resource before the oldest events are compacted away. */
  readonly historyLimit?: number;
}

interface History {
  readonly events: StoreChange[];
  /** The oldest resourceVersion a watch can resume from: every later change is still in `events`. */
  oldestResumable: number;
}

type Listener = (change: StoreChange) => void;

const DEFAULT_MANAGER = 'kpc-fake-store';

/** RFC 3339 with second precision, as metav1.Time serialises. */
export const kubeTime = (at = new Date()): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** client-node types metadata timestamps as Date, but on the wire (and in this store) they are strings. */
const wireTime = (): Date => kubeTime() as unknown as Date;

/** Objects are JSON; a JSON round trip also drops `undefined` keys, so equal objects compare equal. */
const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** The JSON of every committed object, written once at commit: copies parse it, watchers send it as is. */
const committedJson = new WeakMap<object, string>();

function deepFreeze<T>(value: T): T {
  // A frozen value is part of a committed object (reused by cloneReusing), so it is frozen all the way down.
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/**
 * Makes `obj` a committed object: serialised once and deep-frozen, so the buckets, the watch history and
 * every listener share it without copies, and a stray write throws instead of corrupting all of them.
 */
function seal(obj: KubernetesObject): KubernetesObject {
  committedJson.set(obj, JSON.stringify(obj));
  return deepFreeze(obj);
}

/** A private copy of a committed object, for a caller that may change it. */
const copyOf = (obj: KubernetesObject): KubernetesObject =>
  JSON.parse(committedJson.get(obj)!) as KubernetesObject;

/** The JSON of `value`: the text remembered for a committed object, a fresh serialisation otherwise. */
export const jsonOf = (value: object): string => committedJson.get(value) ?? JSON.stringify(value);

/**
 * `clone(obj)`, except that top-level values taken as they are from the committed `old` (e.g. the spec
 * in a status write) are reused: they are clean JSON that never changes, and comparing them is instant.
 */
function cloneReusing(obj: KubernetesObject, old: KubernetesObject): KubernetesObject {
  const fields = obj as Record<string, unknown>;
  const committed = old as Record<string, unknown>;
  const reused = (key: string) => Object.hasOwn(committed, key) && fields[key] === committed[key];
  const copied = clone(Object.fromEntries(Object.entries(fields).filter(([key]) => !reused(key))));
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (reused(key)) result[key] = committed[key];
    else if (Object.hasOwn(copied, key)) result[key] = copied[key];
  }
  return result as KubernetesObject;
}

const isNamespaceType = (type: ResourceType): boolean => type.group === '' && type.kind === 'Namespace';

/** Finalizers that still block removal; a namespace is also held by its `spec.finalizers`. */
function pendingFinalizers(type: ResourceType, obj: KubernetesObject): string[] {
  const spec = isNamespaceType(type)
    ? ((obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [])
    : [];
  return [...(obj.metadata?.finalizers ?? []), ...spec];
}

/** Everything but metadata and status: what `metadata.generation` tracks. */
function specPart(obj: KubernetesObject, type: ResourceType): unknown {
  const {
    metadata: _m,
    status,
    apiVersion: _a,
    kind: _k,
    ...rest
  } = obj as KubernetesObject & { status?: unknown };
  return type.status ? rest : { ...rest, status };
}

/** The comparable part of an object: a write that changes none of it is a no-op (no new resourceVersion). */
function contentOf(obj: KubernetesObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata ?? {};
  return { ...obj, metadata: meta };
}

/** The field set of a value in managedFields' FieldsV1 notation (lists are treated as atomic). */
function fieldsV1(value: unknown): JsonObject {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsV1(v)]));
}

/** Paths present in `before` but absent from `after`: fields an applier stopped specifying. */
function droppedPaths(before: unknown, after: unknown, prefix: string[] = []): string[][] {
  if (!isJsonObject(before)) return [];
  const next = isJsonObject(after) ? after : {};
  return Object.entries(before).flatMap(([k, v]) =>
    k in next ? droppedPaths(v, next[k], [...prefix, k]) : [[...prefix, k]],
  );
}

function deletePath(target: unknown, path: string[]): void {
  let cur: unknown = target;
  for (const k of path.slice(0, -1)) cur = isJsonObject(cur) ? cur[k] : undefined;
  if (isJsonObject(cur)) delete cur[path.at(-1)!];
}

/**
 * The fake API server's object store. Every write gets a new global resourceVersion, is kept in a
 * per-resource watch history and is emitted to watchers and reactors. Methods are synchronous and throw
 * `ApiStatusError` with the real server's Status for API errors.
 */
export class FakeStore {
  readonly registry: ResourceRegistry;
  readonly #objects = new Map<string, Map<string, KubernetesObject>>();
  readonly #history = new Map<string, History>();
  readonly #listeners = new Set<Listener>();
  /** Last applied configuration per object uid and field manager, so apply can remove dropped fields. */
  readonly #applied = new Map<string, Map<string, JsonObject>>();
  readonly #timers: TimerSet;
  readonly #options: Required<StoreOptions>;
  readonly #mirrors: readonly Mirror[];
  #rv = 0;

  constructor(registry: ResourceRegistry, timers: TimerSet, options: StoreOptions = {}) {
    this.registry = registry;
    this.#mirrors = eventMirrors(registry);
    this.#timers = timers;
    this.#options = {
      namespaceTerminationMs: options.namespaceTerminationMs ?? 50,
      garbageCollectionDelayMs: options.garbageCollectionDelayMs ?? 5,
      historyLimit: options.historyLimit ?? 5000,
    };
  }

  /** The newest resourceVersion handed out (what a list reports). */
  get resourceVersion(): number {
    return this.#rv;
  }

  // ---- direct API (apiVersion/kind based), for tests and reactors ----

  create(obj: KubernetesObject, options: CreateOptions = {}): KubernetesObject {
    const type = this.#typeOf(obj);
    const created = this.createIn(type, obj.metadata?.namespace, obj, options);
    const status = (obj as { status?: unknown }).status;
    if (!options.withStatus || !type.status || status === undefined || options.dryRun) return created;
    return this.replaceStatus(
      type,
      created.metadata?.namespace,
      created.metadata!.name!,
      { ...created, status } as KubernetesObject,
      options,
    );
  }

  get(ref: ObjectRef): KubernetesObject | undefined {
    return this.findIn(this.registry.requireKind(ref.apiVersion, ref.kind), ref.namespace, ref.name);
  }

  list(apiVersion: string, kind: string, options: ListOptions = {}): KubernetesObject[] {
    return this.listIn(this.registry.requireKind(apiVersion, kind), options);
  }

  update(obj: KubernetesObject, options: WriteOptions = {}): KubernetesObject {
    const type = this.#typeOf(obj);
    return this.replace(type, obj.metadata?.namespace, this.#nameOf(obj), obj, options);
  }

  updateStatus(obj: KubernetesObject, options: WriteOptions = {}): KubernetesObject {
    const type = this.#typeOf(obj);
    return this.replaceStatus(type, obj.metadata?.namespace, this.#nameOf(obj), obj, options);
  }

  patch(ref: ObjectRef, body: unknown, patchType: PatchType, options: PatchOptions = {}): KubernetesObject {
    const type = this.registry.requireKind(ref.apiVersion, ref.kind);
    return this.patchIn(type, ref.namespace, ref.name, body, patchType, options);
  }

  delete(ref: ObjectRef, options: DeleteOptions = {}): KubernetesObject {
    const type = this.registry.requireKind(ref.apiVersion, ref.kind);
    return this.deleteIn(type, ref.namespace, ref.name, options);
  }

  /** Reads, changes and writes back the status of an object (a status update, like a controller's). */
  mutateStatus(ref: ObjectRef, change: (obj: KubernetesObject) => KubernetesObject): KubernetesObject {
    const current = this.get(ref);
    if (!current) throw notFound(this.registry.requireKind(ref.apiVersion, ref.kind), ref.name);
    return this.updateStatus(change(current));
  }

  /** Calls `listener` for every committed change, synchronously; returns an unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes to `type` after `resourceVersion`, or `undefined` if that part of history was compacted. */
  changesSince(type: ResourceType, resourceVersion: number): StoreChange[] | undefined {
    const history = this.#historyOf(type);
    if (resourceVersion < history.oldestResumable) return undefined;
    return history.events.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** The oldest resourceVersion a watch on `type` can still resume from. */
  oldestResumable(type: ResourceType): number {
    return this.#historyOf(type).oldestResumable;
  }

  /** Forgets watch history (of one resource, or all): resuming from any resourceVersion seen so far gets 410 Gone. */
  compact(type?: ResourceType): void {
    const types = type ? [type] : this.registry.all();
    for (const t of types) {
      const history = this.#historyOf(t);
      history.events.length = 0;
      // Inclusive, so even a watcher that has seen everything must relist: the point of compacting in a test.
      history.oldestResumable = this.#rv + 1;
    }
  }

  // ---- resource-type based API, used by the HTTP layer ----

  listIn(type: ResourceType, options: ListOptions = {}): KubernetesObject[] {
    const matchesLabels = parseLabelSelector(options.labelSelector);
    const matchesFields = parseFieldSelector(options.fieldSelector, type);
    return [...this.#bucket(type).values()]
      .filter((o) => options.namespace === undefined || o.metadata?.namespace === options.namespace)
      .filter((o) => matchesLabels(o) && matchesFields(o))
      .sort((a, b) => this.#sortKey(a).localeCompare(this.#sortKey(b)))
      .map(copyOf);
  }

  findIn(type: ResourceType, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const found = this.#bucket(type).get(this.#key(type, namespace, name));
    return found && copyOf(found);
  }

  getIn(type: ResourceType, namespace: string | undefined, name: string): KubernetesObject {
    const found = this.findIn(type, namespace, name);
    if (!found) throw notFound(type, name);
    return found;
  }

  createIn(
    type: ResourceType,
    namespace: string | undefined,
    body: KubernetesObject,
    options: WriteOptions = {},
    operation: 'Update' | 'Apply' = 'Update',
  ): KubernetesObject {
    this.#checkKind(type, body);
    const ns = this.#namespaceFor(type, namespace, body);
    const meta = body.metadata ?? {};
    const name = meta.name || (meta.generateName ? `${meta.generateName}${randomSuffix()}` : '');
    if (!name) throw invalid(type, '', 'metadata.name', 'Required value: name or generateName is required');
    if (this.#bucket(type).has(this.#key(type, ns, name))) throw alreadyExists(type, name);
    if (ns !== undefined) this.#checkNamespaceOpen(type, ns, name);

    const { status: _dropped, ...withoutStatus } = body as KubernetesObject & { status?: unknown };
    let obj: KubernetesObject = {
      ...(type.status ? withoutStatus : body),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...meta,
        name,
        ...(ns !== undefined ? { namespace: ns } : {}),
        uid: randomUUID(),
        creationTimestamp: wireTime(),
        generation: 1,
        managedFields: undefined,
        resourceVersion: undefined,
        deletionTimestamp: undefined,
      },
    };
    obj = builtinDefaults(type, obj);
    // A deep copy, so the store owns what it commits (nothing shared with the body or a hook's answer).
    obj = clone(this.#admit(options, 'CREATE', type, undefined, obj) ?? obj);
    obj.metadata!.managedFields = managedFieldsAfter(undefined, options.fieldManager, operation, type, body);
    return this.#commit(type, 'ADDED', obj, undefined, options);
  }

  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubernetesObject,
    options: WriteOptions = {},
  ): KubernetesObject {
    this.#checkKind(type, body);
    const old = this.#stored(type, namespace, name);
    this.#checkIdentity(type, namespace, name, body);
    this.#checkPrecondition(type, old, body);
    const status = (old as { status?: unknown }).status;
    const next: KubernetesObject = {
      ...clone(body),
      apiVersion: old.apiVersion,
      kind: old.kind,
      ...(type.status ? { status: clone(status) } : {}),
      metadata: {
        ...clone(body.metadata ?? {}),
        name: old.metadata!.name,
        namespace: old.metadata!.namespace,
        uid: old.metadata!.uid,
        creationTimestamp: old.metadata!.creationTimestamp,
        deletionTimestamp: old.metadata!.deletionTimestamp,
        generation: old.metadata!.generation,
        resourceVersion: old.metadata!.resourceVersion,
        managedFields: old.metadata!.managedFields,
      },
    };
    return this.#update(type, old, next, options, 'Update', body);
  }

  replaceStatus(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubernetesObject,
    options: WriteOptions = {},
  ): KubernetesObject {
    if (!type.status)
      throw new ApiStatusError(
        failure(404, 'NotFound', 'the server could not find the requested resource', {}),
      );
    const old = this.#stored(type, namespace, name);
    this.#checkIdentity(type, namespace, name, body);
    this.#checkPrecondition(type, old, body);
    // Shallow: #update deep-copies the result; assigning in place keeps the key order of the stored object.
    const next = { ...old } as KubernetesObject & { status?: unknown };
    const status = (body as { status?: unknown }).status;
    if (status === undefined) delete next.status;
    else next.status = status;
    return this.#update(type, old, next, options, 'Update', { status }, 'status');
  }

  patchIn(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    patchType: PatchType,
    options: PatchOptions = {},
  ): KubernetesObject {
    if (patchType === PatchType.apply) return this.#apply(type, namespace, name, body, options);
    const old = this.#stored(type, namespace, name);
    const patched = applyPatch(old, body, patchType) as KubernetesObject;
    if (!isJsonObject(patched)) throw badRequest('the patch result is not an object');
    return options.subresource === 'status'
      ? this.replaceStatus(type, namespace, name, patched, options)
      : this.replace(type, namespace, name, patched, options);
  }

  deleteIn(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubernetesObject {
    const old = this.#stored(type, namespace, name);
    this.#admit(options, 'DELETE', type, old, undefined);
    if (old.metadata?.deletionTimestamp) return copyOf(old);

    const policy = options.propagationPolicy ?? 'Background';
    const isNamespace = isNamespaceType(type);
    const finalizers = [...(old.metadata?.finalizers ?? [])];
    if (policy === 'Foreground' && !isNamespace) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !options.dryRun) this.#orphanDependents(old);

    if (finalizers.length === 0 && !isNamespace) {
      if (options.dryRun) return copyOf(old);
      return this.#remove(type, copyOf(old), old);
    }
    const terminating = copyOf(old);
    terminating.metadata = {
      ...terminating.metadata,
      finalizers,
      deletionTimestamp: wireTime(),
      deletionGracePeriodSeconds: 0,
    };
    if (isNamespace) (terminating as { status?: unknown }).status = { phase: 'Terminating' };
    const marked = this.#commit(type, 'MODIFIED', terminating, old, options);
    if (options.dryRun) return marked;
    if (isNamespace)
      this.#timers.after(this.#options.namespaceTerminationMs, () => this.#drainNamespace(name));
    if (policy === 'Foreground')
      this.#timers.after(this.#options.garbageCollectionDelayMs, () => this.#collectGarbage());
    return marked;
  }

  // ---- internals ----

  #apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: PatchOptions,
  ): KubernetesObject {
    if (!options.fieldManager) {
      throw new ApiStatusError(
        failure(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          {
            group: 'meta.k8s.io',
            kind: 'PatchOptions',
            causes: [
              {
                reason: 'FieldValueRequired',
                message: 'Required value: is required for apply patch',
                field: 'fieldManager',
              },
            ],
          },
        ),
      );
    }
    if (!isJsonObject(body))
      throw badRequest('error decoding YAML: the apply configuration must be an object');
    const applied = body as unknown as KubernetesObject;
    this.#checkKind(type, applied, true);
    this.#checkIdentity(type, namespace, name, applied);
    const old = this.#bucket(type).get(this.#key(type, namespace, name));
    if (!old) {
      if (options.subresource === 'status') throw notFound(type, name);
      const created = this.createIn(
        type,
        namespace,
        { ...applied, metadata: { ...applied.metadata, name } },
        options,
        'Apply',
      );
      if (!options.dryRun) this.#rememberApplied(created, options.fieldManager, body);
      return created;
    }
    const previous = this.#applied.get(old.metadata!.uid!)?.get(options.fieldManager);
    const scoped =
      options.subresource === 'status' ? (body.status === undefined ? {} : { status: body.status }) : body;
    const merged = mergePatch(old, scoped) as KubernetesObject;
    for (const path of droppedPaths(previous, body)) deletePath(merged, path);
    this.#checkPrecondition(type, old, applied);
    const next =
      options.subresource === 'status'
        ? merged
        : { ...merged, ...(type.status ? { status: (old as { status?: unknown }).status } : {}) };
    const result = this.#update(
      type,
      old,
      next as KubernetesObject,
      options,
      'Apply',
      body,
      options.subresource,
    );
    if (!options.dryRun) this.#rememberApplied(result, options.fieldManager, body);
    return result;
  }

  #rememberApplied(obj: KubernetesObject, manager: string, body: JsonObject): void {
    const uid = obj.metadata!.uid!;
    const byManager = this.#applied.get(uid) ?? new Map<string, JsonObject>();
    byManager.set(manager, clone(body));
    this.#applied.set(uid, byManager);
  }

  /** Shared tail of every update: admission, generation, no-op detection, finalizer completion, commit. */
  #update(
    type: ResourceType,
    old: KubernetesObject,
    proposed: KubernetesObject,
    options: WriteOptions,
    operation: 'Update' | 'Apply',
    requestBody: unknown,
    subresource?: 'status',
  ): KubernetesObject {
    const next = cloneReusing(
      this.#admit(options, 'UPDATE', type, old, proposed, subresource) ?? proposed,
      old,
    );
    next.metadata = { ...next.metadata, resourceVersion: old.metadata!.resourceVersion };
    if (!isDeepStrictEqual(specPart(old, type), specPart(next, type))) {
      next.metadata.generation = (old.metadata!.generation ?? 0) + 1;
    }
    if (isDeepStrictEqual(contentOf(old), contentOf(next))) return copyOf(old);
    next.metadata.managedFields = managedFieldsAfter(
      old,
      options.fieldManager,
      operation,
      type,
      requestBody,
      subresource,
    );

    if (next.metadata.deletionTimestamp && pendingFinalizers(type, next).length === 0) {
      return options.dryRun ? next : this.#remove(type, next, old);
    }
    return this.#commit(type, 'MODIFIED', next, old, options, subresource);
  }

  #admit(
    options: WriteOptions,
    operation: AdmissionOperation,
    type: ResourceType,
    oldObject: KubernetesObject | undefined,
    object: KubernetesObject | undefined,
    subresource?: string,
  ): KubernetesObject | undefined {
    if (!options.admission?.length) return object;
    const meta = (object ?? oldObject)?.metadata;
    return runAdmission(options.admission, {
      operation,
      resource: type,
      subresource,
      namespace: meta?.namespace,
      name: meta?.name ?? '',
      object: object && clone(object),
      oldObject: oldObject && clone(oldObject),
      dryRun: Boolean(options.dryRun),
    });
  }

  #commit(
    type: ResourceType,
    eventType: 'ADDED' | 'MODIFIED',
    obj: KubernetesObject,
    old: KubernetesObject | undefined,
    options: WriteOptions,
    subresource?: 'status',
  ): KubernetesObject {
    if (options.dryRun) return clone(obj);
    return this.#write(type, eventType, obj, old, subresource);
  }

  #remove(type: ResourceType, obj: KubernetesObject, old: KubernetesObject): KubernetesObject {
    const gone = this.#write(type, 'DELETED', obj, old);
    this.#applied.delete(gone.metadata!.uid!);
    this.#timers.after(this.#options.garbageCollectionDelayMs, () => this.#collectGarbage());
    return gone;
  }

  /**
   * Stores (or removes) one object under a new resourceVersion, mirrored to its other API version. The
   * store takes `obj` over: callers pass a JSON-clean object (no `undefined` keys) that nobody will change.
   */
  #write(
    type: ResourceType,
    eventType: WatchEventType,
    obj: KubernetesObject,
    old: KubernetesObject | undefined,
    subresource?: 'status',
  ): KubernetesObject {
    const rv = ++this.#rv;
    obj.metadata!.resourceVersion = String(rv);
    const mirror = this.#mirrors.find((m) => resourceKey(m.from) === resourceKey(type));
    const sides = [{ type, object: seal(obj), old }];
    if (mirror)
      sides.push({ type: mirror.to, object: seal(mirror.convert(obj)), old: old && mirror.convert(old) });
    for (const side of sides) {
      const key = this.#key(side.type, obj.metadata!.namespace, obj.metadata!.name!);
      if (eventType === 'DELETED') this.#bucket(side.type).delete(key);
      else this.#bucket(side.type).set(key, side.object);
    }
    for (const side of sides) {
      this.#emit({
        type: eventType,
        resource: side.type,
        object: side.object,
        oldObject: side.old,
        resourceVersion: rv,
        subresource,
      });
    }
    return copyOf(obj);
  }

  #emit(change: StoreChange): void {
    const history = this.#historyOf(change.resource);
    history.events.push(change);
    if (history.events.length > this.#options.historyLimit) {
      history.oldestResumable = history.events.shift()!.resourceVersion;
    }
    for (const listener of [...this.#listeners]) listener(change);
  }

  /** Background garbage collection: delete objects whose owners are all gone; finish foreground deletions. */
  #collectGarbage(): void {
    const live = new Set<string>();
    for (const bucket of this.#objects.values()) for (const o of bucket.values()) live.add(o.metadata!.uid!);
    const dependentsOf = (uid: string) =>
      this.#everything().filter(({ obj }) => obj.metadata?.ownerReferences?.some((r) => r.uid === uid));

    for (const snapshot of this.#everything()) {
      const type = snapshot.type;
      const obj = this.#bucket(type).get(
        this.#key(type, snapshot.obj.metadata!.namespace, snapshot.obj.metadata!.name!),
      );
      if (!obj || obj.metadata?.uid !== snapshot.obj.metadata!.uid) continue;
      const owners = obj.metadata?.ownerReferences ?? [];
      const uid = obj.metadata!.uid!;
      if (owners.length > 0 && owners.every((r) => !live.has(r.uid)) && !obj.metadata?.deletionTimestamp) {
        this.deleteIn(type, obj.metadata!.namespace, obj.metadata!.name!);
      } else if (obj.metadata?.finalizers?.includes('foregroundDeletion')) {
        const dependents = dependentsOf(uid);
        for (const d of dependents) {
          if (!d.obj.metadata?.deletionTimestamp)
            this.deleteIn(d.type, d.obj.metadata!.namespace, d.obj.metadata!.name!, {
              propagationPolicy: 'Foreground',
            });
        }
        if (dependents.length === 0) {
          const done = copyOf(obj);
          done.metadata!.finalizers = obj.metadata!.finalizers!.filter((f) => f !== 'foregroundDeletion');
          this.#update(type, obj, done, { fieldManager: 'generic-garbage-collector' }, 'Update', {});
        } else {
          this.#timers.after(this.#options.garbageCollectionDelayMs, () => this.#collectGarbage());
        }
      }
    }
  }

  #orphanDependents(owner: KubernetesObject): void {
    for (const { type, obj } of this.#everything()) {
      const refs = obj.metadata?.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === owner.metadata!.uid)) continue;
      const next = copyOf(obj);
      next.metadata!.ownerReferences = refs.filter((r) => r.uid !== owner.metadata!.uid);
      this.#update(type, obj, next, { fieldManager: 'generic-garbage-collector' }, 'Update', {});
    }
  }

  /** The namespace controller: delete everything in the namespace, wait for finalizers, then the namespace. */
  #drainNamespace(name: string): void {
    const nsType = this.registry.byKind('v1', 'Namespace')!;
    const ns = this.#bucket(nsType).get(this.#key(nsType, undefined, name));
    if (!ns) return;
    const contents = this.#everything().filter(
      ({ type, obj }) => type.namespaced && obj.metadata?.namespace === name,
    );
    for (const { type, obj } of contents) {
      if (!obj.metadata?.deletionTimestamp) this.deleteIn(type, name, obj.metadata!.name!);
    }
    const remaining = this.#everything().some(
      ({ type, obj }) => type.namespaced && obj.metadata?.namespace === name,
    );
    if (remaining) {
      this.#timers.after(this.#options.namespaceTerminationMs, () => this.#drainNamespace(name));
      return;
    }
    const finished = copyOf(ns);
    finished.metadata!.finalizers = (ns.metadata!.finalizers ?? []).filter((f) => f !== 'kubernetes');
    (finished as { spec?: { finalizers?: string[] } }).spec = { finalizers: [] };
    this.#update(nsType, ns, finished, { fieldManager: 'namespace-controller' }, 'Update', {});
  }

  /** Every stored object once (the secondary API version of a mirrored resource is left out). */
  #everything(): { type: ResourceType; obj: KubernetesObject }[] {
    const secondary = new Set(this.#mirrors.filter((m) => m.toIsSecondary).map((m) => resourceKey(m.to)));
    return this.registry
      .all()
      .filter((type) => !secondary.has(resourceKey(type)))
      .flatMap((type) => [...this.#bucket(type).values()].map((obj) => ({ type, obj })));
  }

  #checkKind(type: ResourceType, body: KubernetesObject, required = false): void {
    const expected = apiVersionOf(type);
    if ((required || body.apiVersion) && body.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${body.apiVersion ?? ''}) does not match the expected API version (${expected})`,
      );
    }
    if ((required || body.kind) && body.kind !== type.kind) {
      throw badRequest(
        `the kind in the data (${body.kind ?? ''}) does not match the expected kind (${type.kind})`,
      );
    }
  }

  #checkIdentity(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubernetesObject,
  ): void {
    const meta = body.metadata ?? {};
    if (meta.name && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && meta.namespace && namespace !== undefined && meta.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  #checkPrecondition(type: ResourceType, old: KubernetesObject, body: KubernetesObject): void {
    const wanted = body.metadata?.resourceVersion;
    if (wanted && wanted !== old.metadata?.resourceVersion) throw conflict(type, old.metadata!.name!);
  }

  #checkNamespaceOpen(type: ResourceType, namespace: string, name: string): void {
    const nsType = this.registry.byKind('v1', 'Namespace');
    if (!nsType) return;
    const ns = this.#bucket(nsType).get(this.#key(nsType, undefined, namespace));
    if (!ns) throw notFound(nsType, namespace);
    if (ns.metadata?.deletionTimestamp) throw namespaceTerminating(type, name, namespace);
  }

  #namespaceFor(
    type: ResourceType,
    fromPath: string | undefined,
    body: KubernetesObject,
  ): string | undefined {
    if (!type.namespaced) return undefined;
    const fromBody = body.metadata?.namespace;
    if (fromPath !== undefined && fromBody && fromBody !== fromPath) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const ns = fromPath ?? fromBody;
    if (!ns)
      throw new Error(
        `fake API server: ${type.kind} "${body.metadata?.name ?? ''}" needs metadata.namespace`,
      );
    return ns;
  }

  #typeOf(obj: KubernetesObject): ResourceType {
    if (!obj.apiVersion || !obj.kind) throw new Error('fake API server: object needs apiVersion and kind');
    return this.registry.requireKind(obj.apiVersion, obj.kind);
  }

  #nameOf(obj: KubernetesObject): string {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`fake API server: ${obj.kind} needs metadata.name`);
    return name;
  }

  /** The stored object itself, not a copy: only for reading. */
  #stored(type: ResourceType, namespace: string | undefined, name: string): KubernetesObject {
    const found = this.#bucket(type).get(this.#key(type, namespace, name));
    if (!found) throw notFound(type, name);
    return found;
  }

  #bucket(type: ResourceType): Map<string, KubernetesObject> {
    const key = resourceKey(type);
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #historyOf(type: ResourceType): History {
    const key = resourceKey(type);
    let history = this.#history.get(key);
    if (!history) {
      history = { events: [], oldestResumable: 0 };
      this.#history.set(key, history);
    }
    return history;
  }

  #key(type: ResourceType, namespace: string | undefined, name: string): string {
    return type.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  #sortKey(obj: KubernetesObject): string {
    return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  }
}

function applyPatch(old: KubernetesObject, body: unknown, patchType: PatchType): unknown {
  switch (patchType) {
    case PatchType.json:
      return applyJsonPatch(old, body);
    case PatchType.merge:
      return mergePatch(old, body);
    case PatchType.strategicMerge:
      return strategicMergePatch(old, body);
    default:
      throw badRequest(`unsupported patch type ${patchType}`);
  }
}

const randomSuffix = (): string =>
  [...randomBytes(5)].map((b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('');

/** Server-side defaults the fake fills in because clients observe them. */
function builtinDefaults(type: ResourceType, obj: KubernetesObject): KubernetesObject {
  if (isNamespaceType(type)) {
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        labels: { ...obj.metadata?.labels, 'kubernetes.io/metadata.name': obj.metadata!.name! },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    } as KubernetesObject;
  }
  return obj;
}

type ManagedFieldsEntry = NonNullable<NonNullable<KubernetesObject['metadata']>['managedFields']>[number];

/** One managedFields entry per (manager, operation, subresource), as the server keeps them. */
function managedFieldsAfter(
  old: KubernetesObject | undefined,
  manager: string | undefined,
  operation: 'Update' | 'Apply',
  type: ResourceType,
  requestBody: unknown,
  subresource?: 'status',
): ManagedFieldsEntry[] {
  const name = manager ?? DEFAULT_MANAGER;
  const entries = (old?.metadata?.managedFields ?? []).filter(
    (e) => !(e.manager === name && e.operation === operation && (e.subresource ?? undefined) === subresource),
  );
  const { apiVersion: _a, kind: _k, ...fields } = isJsonObject(requestBody) ? requestBody : {};
  entries.push({
    manager: name,
    operation,
    apiVersion: apiVersionOf(type),
    time: wireTime(),
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(fields),
    ...(subresource ? { subresource } : {}),
  });
  // The server's order (sortEncodedManagedFields): operation (Apply before Update), time, manager, subresource.
  const key = (e: ManagedFieldsEntry) =>
    [e.operation ?? '', String(e.time ?? ''), e.manager ?? '', e.subresource ?? ''] as const;
  return entries.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    const i = ka.findIndex((v, n) => v !== kb[n]);
    return i < 0 ? 0 : ka[i]! < kb[i]! ? -1 : 1;
  });
}
