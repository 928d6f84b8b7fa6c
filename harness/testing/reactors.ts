import type { KubernetesObject } from '@kubernetes/client-node';
import { type Condition, type SetConditionOptions, setCondition } from './conditions.ts';
import { mergePatch, PatchType } from './patch.ts';
import { apiVersionOf } from './resources.ts';
import type { FakeStore, ObjectRef, StoreChange } from './store.ts';
import type { TimerSet } from './timers.ts';

export type ReactorEvent = 'create' | 'update' | 'delete';

/** What a step sees: the change that fired the reactor, and the store to act on. */
export interface ReactorContext {
  /** The object as of the triggering change. */
  readonly trigger: KubernetesObject;
  readonly triggerRef: ObjectRef;
  readonly change: StoreChange;
  readonly store: FakeStore;
  /** Epoch ms of the trigger; steps run at `firedAt + atMs`. */
  readonly firedAt: number;
}

type Value<T> = T | ((ctx: ReactorContext) => T);

/** One scripted action. Exactly one action key per step. */
export type ReactorAction =
  | { readonly create: Value<KubernetesObject>; readonly withStatus?: boolean }
  | { readonly update: Value<KubernetesObject> }
  | { readonly updateStatus: Value<KubernetesObject> }
  | { readonly patch: Value<ObjectRef>; readonly body: Value<unknown>; readonly patchType?: PatchType }
  | { readonly delete: Value<ObjectRef> }
  /** Set conditions (knative style by default) on `target` (default: the trigger object) as one status update. */
  | {
      readonly setConditions: Value<readonly Condition[]>;
      readonly target?: Value<ObjectRef>;
      readonly style?: SetConditionOptions['style'];
    }
  /** Merge fields into `status` (e.g. `observedGeneration`, `url`) of `target` (default: the trigger object). */
  | { readonly mergeStatus: Value<Record<string, unknown>>; readonly target?: Value<ObjectRef> }
  | { readonly run: (ctx: ReactorContext) => void | Promise<void> };

export type ReactorStep = { readonly atMs: number } & ReactorAction;

export interface Reactor {
  readonly on: {
    readonly kind: string;
    /** Any version when omitted. */
    readonly apiVersion?: string;
    readonly name?: string;
    readonly namespace?: string;
    /** Default `create`. */
    readonly event?: ReactorEvent | readonly ReactorEvent[];
    readonly where?: (change: StoreChange) => boolean;
  };
  /** Fire on every matching change, not just the first. */
  readonly repeat?: boolean;
  readonly steps: readonly ReactorStep[];
}

export interface ReactorHandle {
  /** How many times the reactor fired. */
  readonly fired: number;
  /** Errors thrown by steps (e.g. a 409 from the store); a step error does not stop later steps. */
  readonly errors: readonly Error[];
  /** Resolves when every firing so far has run all its steps. */
  settled(): Promise<void>;
}

const eventOf = (change: StoreChange): ReactorEvent =>
  change.type === 'ADDED' ? 'create' : change.type === 'DELETED' ? 'delete' : 'update';

export const refOf = (obj: KubernetesObject): ObjectRef => ({
  apiVersion: obj.apiVersion!,
  kind: obj.kind!,
  ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
  name: obj.metadata!.name!,
});

function triggers(reactor: Reactor, change: StoreChange): boolean {
  const { on } = reactor;
  const meta = change.object.metadata;
  const events = on.event === undefined ? ['create'] : typeof on.event === 'string' ? [on.event] : on.event;
  return (
    change.resource.kind === on.kind &&
    (on.apiVersion === undefined || apiVersionOf(change.resource) === on.apiVersion) &&
    (on.name === undefined || meta?.name === on.name) &&
    (on.namespace === undefined || meta?.namespace === on.namespace) &&
    events.includes(eventOf(change)) &&
    (on.where === undefined || on.where(change))
  );
}

const resolve = <T>(value: Value<T>, ctx: ReactorContext): T =>
  typeof value === 'function' ? (value as (c: ReactorContext) => T)(ctx) : value;

async function runStep(step: ReactorStep, ctx: ReactorContext): Promise<void> {
  const { store } = ctx;
  if ('create' in step)
    store.create(resolve(step.create, ctx), { withStatus: step.withStatus, fieldManager: 'fake-reactor' });
  else if ('update' in step) store.update(resolve(step.update, ctx), { fieldManager: 'fake-reactor' });
  else if ('updateStatus' in step)
    store.updateStatus(resolve(step.updateStatus, ctx), { fieldManager: 'fake-reactor' });
  else if ('patch' in step) {
    store.patch(resolve(step.patch, ctx), resolve(step.body, ctx), step.patchType ?? PatchType.merge, {
      fieldManager: 'fake-reactor',
    });
  } else if ('delete' in step) store.delete(resolve(step.delete, ctx));
  else if ('setConditions' in step) {
    const conditions = resolve(step.setConditions, ctx);
    store.mutateStatus(step.target ? resolve(step.target, ctx) : ctx.triggerRef, (obj) =>
      conditions.reduce((o, c) => setCondition(o, c, { style: step.style }), obj),
    );
  } else if ('mergeStatus' in step) {
    const fields = resolve(step.mergeStatus, ctx);
    store.mutateStatus(step.target ? resolve(step.target, ctx) : ctx.triggerRef, (obj) => {
      const status = (obj as { status?: unknown }).status ?? {};
      return { ...obj, status: mergePatch(status, fields) } as KubernetesObject;
    });
  } else await step.run(ctx);
}

/** Runs scripted reactions to store changes. Scripts, not simulators: every step is written by the test. */
export class Reactors {
  readonly #store: FakeStore;
  readonly #timers: TimerSet;

  constructor(store: FakeStore, timers: TimerSet) {
    this.#store = store;
    this.#timers = timers;
  }

  add(reactor: Reactor): ReactorHandle {
    const steps = [...reactor.steps].sort((a, b) => a.atMs - b.atMs);
    const errors: Error[] = [];
    const runs: Promise<void>[] = [];
    let fired = 0;
    const unsubscribe = this.#store.onChange((change) => {
      if (!triggers(reactor, change)) return;
      fired += 1;
      if (!reactor.repeat) unsubscribe();
      const ctx: ReactorContext = {
        trigger: structuredClone(change.object),
        triggerRef: refOf(change.object),
        change,
        store: this.#store,
        firedAt: Date.now(),
      };
      runs.push(this.#play(steps, ctx, errors));
    });
    return {
      get fired() {
        return fired;
      },
      errors,
      settled: async () => {
        let count = -1;
        // Steps may fire further firings of this reactor; wait until no new ones appear.
        while (count !== runs.length) {
          count = runs.length;
          await Promise.all(runs);
        }
      },
    };
  }

  /** Steps run one after another (same-time steps keep their order), each at `firedAt + atMs`. */
  async #play(steps: readonly ReactorStep[], ctx: ReactorContext, errors: Error[]): Promise<void> {
    for (const step of steps) {
      // Never run inside the store's synchronous change notification.
      await this.#timers.delay(Math.max(0, ctx.firedAt + step.atMs - Date.now()));
      try {
        await runStep(step, ctx);
      } catch (err) {
        errors.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
