/** The lifetime of a script: its timers and store listeners, stopped together; errors its steps threw. */

import { ApiStatusError } from '../status.ts';
import type { FakeStore, StoreChange } from '../store.ts';

/** What every script returns: stop it, and see what its steps threw (a 403/404 from a vanishing namespace is not an error). */
export interface ScriptHandle {
  stop(): void;
  readonly errors: readonly Error[];
}

export class Lifetime implements ScriptHandle {
  readonly errors: Error[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #cleanups: (() => void)[] = [];
  #stopped = false;

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs `fn` later, never inside the store's synchronous change notification; timers do not keep the process alive. */
  after(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (!this.#stopped) this.guard(fn);
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.#timers.add(timer);
  }

  guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // The object or its namespace went away mid-script: a controller would drop the key too.
      if (error instanceof ApiStatusError && (error.code === 403 || error.code === 404)) return;
      this.errors.push(error instanceof Error ? error : new Error(String(error)));
    }
  }

  listen(store: FakeStore, listener: (change: StoreChange) => void): void {
    this.#cleanups.push(store.onChange((change) => !this.#stopped && listener(change)));
  }

  onStop(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const cleanup of this.#cleanups) cleanup();
  }
}

export const combine = (parts: ScriptHandle[]): ScriptHandle => ({
  stop: () => {
    for (const p of parts) p.stop();
  },
  get errors() {
    return parts.flatMap((p) => p.errors);
  },
});

export const is = (change: StoreChange, group: string, kind: string) =>
  change.resource.group === group && change.resource.kind === kind;
