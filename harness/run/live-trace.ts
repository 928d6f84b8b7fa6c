import { type Timeline, TimelineBuilder } from '../expect/timeline.ts';
import type { TraceLine } from '../observe/trace.ts';
import type { LineSink } from '../observe/trace-writer.ts';

/**
 * A trace sink that also keeps the timeline of what was written so far and wakes waiters on every
 * line: wait steps judge expectations on the live recording with the same code as the final verdict.
 */
export class LiveTrace implements LineSink {
  private readonly builder = new TimelineBuilder();
  private waiters: (() => void)[] = [];

  constructor(private readonly inner: LineSink) {}

  writeLine(line: string): void {
    this.inner.writeLine(line);
    this.builder.add(JSON.parse(line) as TraceLine);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  close(): void {
    this.inner.close();
  }

  /** The timeline so far (a live view: it keeps growing). */
  timeline(): Timeline {
    return this.builder.finish();
  }

  /** Resolves on the next written line; rejects when the signal aborts first. */
  grew(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(signal.reason);
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
