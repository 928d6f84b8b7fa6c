/** Unbounded FIFO between a callback producer and one async consumer; `next` yields undefined once aborted. */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #signal: AbortSignal;
  readonly #onAbort = () => this.#wake?.();
  #head = 0;
  #wake: (() => void) | undefined;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  async next(): Promise<T | undefined> {
    while (this.#head === this.#items.length && !this.#signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    if (this.#signal.aborted) return undefined;
    const item = this.#items[this.#head] as T;
    // Drop the reference now: consumed items kept alive until compaction get promoted by the GC.
    (this.#items as (T | undefined)[])[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  dispose(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}
