import { randomBytes } from 'node:crypto';
import { runLabels } from './labels.ts';

/** Something this run started and must undo; `keepable` steps (clusters, their registry) obey `keep`. */
interface CleanupStep {
  name: string;
  run: () => Promise<void>;
  keepable: boolean;
}

export interface CleanupReport {
  /** Names of steps that ran and succeeded, in the order they ran (reverse of registration). */
  done: string[];
  /** Keepable steps skipped because the scope keeps clusters (`--keep`). */
  kept: string[];
  failed: { name: string; error: string }[];
}

/** Thrown by `throwIfStopping` once an interrupt or close has begun: no new work may start. */
export class RunInterrupted extends Error {
  constructor(readonly reason: string) {
    super(`run interrupted (${reason}): not starting new work`);
    this.name = 'RunInterrupted';
  }
}

/** The process-like object signal handling needs; tests pass a fake. */
export interface SignalHost {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

export interface RunScopeOptions {
  /** Default: a fresh `<yyyymmddhhmmss>-<6 hex>` id. */
  runId?: string;
  /** Keep clusters (and what they depend on) at the end instead of deleting them. */
  keep?: boolean;
  /** Where progress of an interrupt is told; default nowhere. */
  log?: (line: string) => void;
}

const exitCodeOf: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Tracks what one kpc run started (containers, networks, clusters) and undoes it in reverse order,
 * once, whether the run ends normally, fails, or is interrupted by SIGINT/SIGTERM. An interrupt first
 * aborts `signal`, so commands in flight are killed and `throwIfStopping` refuses new work.
 */
export class RunScope {
  readonly runId: string;
  readonly keep: boolean;
  private readonly steps: CleanupStep[] = [];
  private readonly abort = new AbortController();
  private closing: Promise<CleanupReport> | undefined;
  private readonly log: (line: string) => void;

  constructor(options: RunScopeOptions = {}) {
    this.runId = options.runId ?? newRunId();
    this.keep = options.keep ?? false;
    this.log = options.log ?? (() => {});
  }

  /** Aborted when the run is told to stop; pass it to every long command. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Labels for containers and networks this run starts (`kpc.knative.dev/run=<id>`). */
  labels(component?: string): Record<string, string> {
    return runLabels(this.runId, component);
  }

  throwIfStopping(): void {
    if (this.stopping) throw new RunInterrupted(String(this.abort.signal.reason ?? 'stopped'));
  }

  /** Registers an undo step; steps run last-registered first. */
  defer(name: string, run: () => Promise<void>, options: { keepable?: boolean } = {}): void {
    if (this.closing) throw new Error(`cannot register "${name}": run ${this.runId} is already cleaning up`);
    this.steps.push({ name, run, keepable: options.keepable ?? false });
  }

  /** Stops new work: aborts `signal` with the reason. Cleanup still needs `close()`. */
  stop(reason: string): void {
    if (!this.stopping) this.abort.abort(reason);
  }

  /** Runs every step once, in reverse order, carrying on past failures. Later calls get the same report. */
  close(): Promise<CleanupReport> {
    this.closing ??= this.runSteps();
    return this.closing;
  }

  private async runSteps(): Promise<CleanupReport> {
    const report: CleanupReport = { done: [], kept: [], failed: [] };
    for (const step of [...this.steps].reverse()) {
      if (step.keepable && this.keep) {
        report.kept.push(step.name);
        continue;
      }
      try {
        await step.run();
        report.done.push(step.name);
      } catch (error) {
        report.failed.push({
          name: step.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return report;
  }

  /**
   * On SIGINT/SIGTERM: stop, clean up, then exit 130/143. A second signal while cleaning exits at once
   * and says how to remove what is left. Returns a function that removes the handlers.
   */
  handleSignals(host: SignalHost = process): () => void {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const listeners = signals.map((signal) => {
      const listener = () => {
        if (this.closing) {
          this.log(
            `kpc: ${signal} again: exiting without finishing cleanup; remove leftovers with cleanupByLabel("${this.runId}")`,
          );
          host.exit(exitCodeOf[signal] ?? 1);
          return;
        }
        this.log(`kpc: ${signal}: stopping run ${this.runId} and cleaning up (${signal} again to exit now)`);
        this.stop(signal);
        void this.close().then((report) => {
          for (const failed of report.failed)
            this.log(`kpc: cleanup of ${failed.name} failed: ${failed.error}`);
          for (const kept of report.kept) this.log(`kpc: kept ${kept}`);
          host.exit(exitCodeOf[signal] ?? 1);
        });
      };
      host.on(signal, listener);
      return { signal, listener };
    });
    return () => {
      for (const { signal, listener } of listeners) host.off(signal, listener);
    };
  }
}

/** Runs `work` inside a scope with signal handling, and always cleans up after it. */
export async function withRunScope<T>(
  options: RunScopeOptions & { signals?: SignalHost | false },
  work: (scope: RunScope) => Promise<T>,
): Promise<{ result: T; cleanup: CleanupReport }> {
  const scope = new RunScope(options);
  const unhandle = options.signals === false ? () => {} : scope.handleSignals(options.signals);
  try {
    const result = await work(scope);
    return { result, cleanup: await scope.close() };
  } catch (error) {
    const cleanup = await scope.close();
    if (cleanup.failed.length && error instanceof Error) {
      error.message += `\n(cleanup also failed: ${cleanup.failed.map((f) => `${f.name}: ${f.error}`).join('; ')})`;
    }
    throw error;
  } finally {
    unhandle();
  }
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
