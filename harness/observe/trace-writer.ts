import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { redactSecrets } from './redact.ts';
import type {
  ActionError,
  ActionLine,
  ActionTarget,
  NoteLine,
  TraceHeader,
  TraceLine,
  TraceObject,
  WatchEventType,
  WatchLine,
} from './trace.ts';

/** An RFC 3339 UTC timestamp with milliseconds, as every `at` is written. */
export const formatTraceTime = (epochMs: number): string => new Date(epochMs).toISOString();

/** Where finished lines go, one call per line (without the newline). */
export interface LineSink {
  writeLine(line: string): void;
  close(): void;
}

/**
 * Appends each line to the file with one synchronous write, so a crash leaves every line written
 * before it readable. Recorders produce tens to hundreds of lines a second; a write each is cheap.
 */
export function fileLineSink(path: string, options: { append?: boolean } = {}): LineSink {
  const fd = openSync(path, options.append ? 'a' : 'w', 0o600);
  let open = true;
  return {
    writeLine(line) {
      if (!open) throw new Error(`trace ${path} is closed`);
      writeSync(fd, `${line}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Keeps lines in memory; for tests and in-process judging. */
export function memoryLineSink(): LineSink & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, writeLine: (line) => lines.push(line), close: () => {} };
}

export interface TraceClock {
  /** Wall clock, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin. */
  monotonic(): number;
}

export const systemClock: TraceClock = { now: () => Date.now(), monotonic: () => performance.now() };

export interface ActionRecord {
  action: string;
  target: ActionTarget;
  outcome: 'ok' | 'error';
  error?: ActionError;
  detail?: Record<string, unknown>;
  step?: string;
  /** Epoch ms when the action began. */
  startedAt?: number;
}

/**
 * Writes a trace: assigns strictly increasing `seq`, stamps `at` (never earlier than the line
 * before, so a trace reads in time order even when watch streams deliver out of step) and `mono`,
 * and strips Secret values from every object it writes.
 */
export class TraceWriter {
  private seq = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly monoOrigin: number;
  private closed = false;

  constructor(
    private readonly sink: LineSink,
    private readonly clock: TraceClock = systemClock,
  ) {
    this.monoOrigin = clock.monotonic();
  }

  /** The first line of a kpc trace: what is being recorded. */
  header(header: TraceHeader, text = 'trace started'): NoteLine {
    return this.emit<NoteLine>({ type: 'note', text, header });
  }

  note(text: string, extra: Record<string, unknown> = {}): NoteLine {
    return this.emit<NoteLine>({ ...extra, type: 'note', text });
  }

  /** A watch event; `receivedAt` (epoch ms) when it reached the client, default now. */
  watch(
    event: WatchEventType,
    object: TraceObject,
    receivedAt?: number,
    origin?: WatchLine['origin'],
  ): WatchLine {
    const line: Omit<WatchLine, 'v' | 'seq' | 'at'> = { type: 'watch', event, object: redactSecrets(object) };
    if (origin) line.origin = origin;
    return this.emit<WatchLine>(line, receivedAt);
  }

  action(record: ActionRecord, at?: number): ActionLine {
    const { startedAt, detail, ...rest } = record;
    const line: Omit<ActionLine, 'v' | 'seq' | 'at'> = { type: 'action', ...rest };
    if (detail !== undefined) line.detail = redactSecrets(detail);
    if (startedAt !== undefined) line.startedAt = formatTraceTime(startedAt);
    return this.emit<ActionLine>(line, at);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  private emit<L extends TraceLine>(body: Omit<L, 'v' | 'seq' | 'at'>, at?: number): L {
    if (this.closed) throw new Error('trace writer is closed');
    const stamp = Math.max(at ?? this.clock.now(), this.lastAt);
    this.lastAt = stamp;
    this.seq += 1;
    const mono = Math.round((this.clock.monotonic() - this.monoOrigin) * 1000) / 1000;
    const line = { v: 1, seq: this.seq, at: formatTraceTime(stamp), mono, ...body } as L;
    // The envelope wins over anything a caller's extra fields tried to put there.
    Object.assign(line, { v: 1, seq: this.seq, at: formatTraceTime(stamp), mono });
    this.sink.writeLine(JSON.stringify(line));
    return line;
  }
}

/**
 * The `error` of an action line from whatever the kube layer threw: its HTTP code, Status reason
 * and message, and for an admission denial the webhook and its own message. Duck-typed so the
 * trace does not depend on the kube layer.
 */
export function actionErrorOf(error: unknown): ActionError {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const e = error as {
    code?: unknown;
    message?: unknown;
    status?: { reason?: unknown; message?: unknown };
    webhook?: unknown;
    denial?: unknown;
  };
  const out: ActionError = {
    message: String(typeof e.status?.message === 'string' ? e.status.message : (e.message ?? error)),
  };
  if (typeof e.code === 'number') out.code = e.code;
  if (typeof e.status?.reason === 'string') out.reason = e.status.reason;
  if (typeof e.webhook === 'string') out.webhook = e.webhook;
  if (typeof e.denial === 'string') out.denial = e.denial;
  return out;
}
