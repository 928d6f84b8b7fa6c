/** Timers owned by one fake server, so `close()` can cancel every pending scripted step at once. */
export class TimerSet {
  readonly #pending = new Set<NodeJS.Timeout>();
  #closed = false;

  after(ms: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(
      () => {
        this.#pending.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.#pending.add(timer);
  }

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed) resolve();
      else this.after(ms, resolve);
    });
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }
}
