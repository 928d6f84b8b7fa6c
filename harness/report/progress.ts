/**
 * Live progress of a long run: clusters, Knative installs, cases done/failed/running. Events in,
 * text out. On a terminal a status block is redrawn in place (failures are printed above it and
 * stay); anywhere else — CI logs, pipes — plain lines, no cursor control, plus a heartbeat so a
 * long wait never looks like a hang. The last word says whether every planned case finished.
 */
import type { CaseStatus } from './verdict.ts';

export type ProgressEvent =
  | { type: 'plan'; cases: number }
  | {
      type: 'cluster';
      name: string;
      phase: 'creating' | 'reused' | 'ready' | 'failed' | 'deleting' | 'deleted';
      detail?: string;
    }
  | {
      type: 'install';
      variant: string;
      phase: 'installing' | 'waiting' | 'ready' | 'failed';
      detail?: string;
    }
  | { type: 'case-started'; variant: string; id: string; attempt: number }
  | {
      type: 'case-finished';
      variant: string;
      id: string;
      status: CaseStatus;
      message?: string;
      durationMs?: number;
    }
  | { type: 'note'; text: string }
  | { type: 'interrupted'; reason: string };

/** What progress writes to: a Writable such as process.stderr, or a fake in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Redraw in place; default: the stream is a TTY. */
  tty?: boolean;
  now?: () => number;
  /** TTY: redraw this often so running times advance; 0 = only on events. Default 1 s. */
  tickMs?: number;
  /** Plain mode: a "still running" line this often while cases run; 0 = never. Default 60 s. */
  heartbeatMs?: number;
}

/** `42s`, `2m05s`, `1h02m`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const shout: Partial<Record<CaseStatus, string>> = { failed: 'FAILED', broken: 'BROKEN', flaky: 'flaky' };
const eraseUp = (lines: number) => (lines ? `\x1b[${lines}F\x1b[J` : '');

interface Phase {
  phase: string;
  detail?: string;
  since: number;
}

export class Progress {
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private planned?: number;
  private readonly clusters = new Map<string, Phase>();
  private readonly installs = new Map<string, Phase>();
  private readonly running = new Map<string, { attempt: number; since: number }>();
  private readonly finished: CaseStatus[] = [];
  private interrupted?: string;
  private drawn = 0;
  private readonly timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions = {},
  ) {
    this.tty = options.tty ?? stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    const every = this.tty ? (options.tickMs ?? 1000) : (options.heartbeatMs ?? 60_000);
    if (every > 0) {
      this.timer = setInterval(() => (this.tty ? this.redraw([]) : this.heartbeat()), every);
      this.timer.unref();
    }
  }

  update(event: ProgressEvent): void {
    if (this.closed) return;
    const lines: string[] = [];
    const at = this.now();
    switch (event.type) {
      case 'plan':
        this.planned = event.cases;
        lines.push(`kpc: ${event.cases} cases planned`);
        break;
      case 'cluster':
        lines.push(this.phaseChange(this.clusters, `cluster ${event.name}`, event.name, event, at));
        break;
      case 'install':
        lines.push(this.phaseChange(this.installs, `knative ${event.variant}`, event.variant, event, at));
        break;
      case 'case-started':
        this.running.set(`${event.variant}/${event.id}`, { attempt: event.attempt, since: at });
        if (event.attempt > 1) lines.push(`retrying ${event.variant}/${event.id} (attempt ${event.attempt})`);
        break;
      case 'case-finished': {
        const key = `${event.variant}/${event.id}`;
        this.running.delete(key);
        this.finished.push(event.status);
        const word = shout[event.status] ?? event.status;
        const time = event.durationMs !== undefined ? ` ${clock(event.durationMs)}` : '';
        const why = event.message && event.status !== 'passed' ? `: ${event.message}` : '';
        // On a terminal only the cases worth a look stay on screen; the block counts the rest.
        if (!this.tty || shout[event.status])
          lines.push(`${this.counter()} ${word.padEnd(7)} ${key}${time}${why}`);
        break;
      }
      case 'note':
        lines.push(event.text);
        break;
      case 'interrupted':
        this.interrupted = event.reason;
        lines.push(`run interrupted: ${event.reason}`);
        break;
    }
    if (this.tty) this.redraw(lines);
    else for (const line of lines) this.stream.write(`${line}\n`);
  }

  /** Records a cluster's or install's new phase; the line says how long the previous phase took. */
  private phaseChange(
    phases: Map<string, Phase>,
    label: string,
    key: string,
    event: { phase: string; detail?: string },
    at: number,
  ): string {
    const before = phases.get(key);
    phases.set(key, { phase: event.phase, ...(event.detail ? { detail: event.detail } : {}), since: at });
    const took = before && event.phase !== before.phase ? ` after ${clock(at - before.since)}` : '';
    return `${label}: ${event.phase}${took}${event.detail ? ` — ${event.detail}` : ''}`;
  }

  /** Stops redrawing and prints the final count; says plainly when planned cases did not finish. */
  finish(): string {
    if (this.closed) return '';
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const text = this.finalText();
    if (this.tty) this.stream.write(eraseUp(this.drawn));
    this.drawn = 0;
    this.stream.write(`${text}\n`);
    return text;
  }

  private finalText(): string {
    const done = this.finished.length;
    const parts = this.tally();
    const head = `kpc: ${done}${this.planned !== undefined ? ` of ${this.planned}` : ''} cases finished${parts ? ` — ${parts}` : ''} in ${clock(this.now() - this.started)}`;
    const missing = this.planned !== undefined ? this.planned - done : 0;
    if (missing <= 0 && !this.interrupted) return head;
    const running = [...this.running.keys()];
    return [
      head,
      `INCOMPLETE: ${Math.max(missing, 0)} planned case${missing === 1 ? '' : 's'} did not finish` +
        `${this.interrupted ? ` (${this.interrupted})` : ''}; reports cover only the finished cases` +
        `${running.length ? `; still running when it stopped: ${running.join(', ')}` : ''}`,
    ].join('\n');
  }

  private tally(): string {
    const counts: Record<CaseStatus, number> = { passed: 0, flaky: 0, failed: 0, broken: 0, skipped: 0 };
    for (const status of this.finished) counts[status]++;
    return (Object.entries(counts) as [CaseStatus, number][])
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
  }

  private counter(): string {
    const total = this.planned !== undefined ? String(this.planned) : '?';
    return `[${String(this.finished.length).padStart(total.length)}/${total}]`;
  }

  private heartbeat(): void {
    if (!this.running.size) return;
    const at = this.now();
    const oldest = Math.min(...[...this.running.values()].map((r) => r.since));
    this.stream.write(
      `still running: ${this.finished.length}${this.planned !== undefined ? `/${this.planned}` : ''} done, ` +
        `${this.running.size} running (${[...this.running.keys()].slice(0, 3).join(', ')}${this.running.size > 3 ? ', …' : ''}; longest ${clock(at - oldest)})\n`,
    );
  }

  private block(): string[] {
    const at = this.now();
    const phases = (m: Map<string, Phase>) =>
      [...m].map(
        ([name, s]) =>
          `${name} ${s.phase}${s.detail && !['ready', 'reused'].includes(s.phase) ? ` (${s.detail})` : ''}${
            ['ready', 'reused', 'deleted'].includes(s.phase) ? '' : ` ${clock(at - s.since)}`
          }`,
      );
    const rows: string[] = [];
    if (this.clusters.size) rows.push(`clusters  ${phases(this.clusters).join(' · ')}`);
    if (this.installs.size) rows.push(`knative   ${phases(this.installs).join(' · ')}`);
    const tally = this.tally();
    rows.push(
      `cases     ${this.finished.length}/${this.planned ?? '?'}${tally ? ` · ${tally}` : ''}` +
        `${this.running.size ? ` · ${this.running.size} running` : ''} · ${clock(at - this.started)}`,
    );
    if (this.running.size) {
      rows.push(
        `          ${[...this.running]
          .map(([key, r]) => `${key}${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''} ${clock(at - r.since)}`)
          .join(' · ')}`,
      );
    }
    // A wrapped line would throw off how many lines the next redraw erases.
    const width = Math.max((this.stream.columns ?? 100) - 1, 20);
    return rows.map((r) => (r.length > width ? `${r.slice(0, width - 1)}…` : r));
  }

  private redraw(above: string[]): void {
    if (this.closed) return;
    const rows = this.block();
    this.stream.write(
      `${eraseUp(this.drawn)}${above.map((l) => `${l}\n`).join('')}${rows.map((r) => `${r}\n`).join('')}`,
    );
    this.drawn = rows.length;
  }
}
