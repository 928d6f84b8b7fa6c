import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { RunInterrupted, RunScope, type SignalHost, withRunScope } from './run-scope.ts';

/** A process stand-in: emit('SIGINT') delivers a signal; exit codes are recorded, never taken. */
class FakeHost extends EventEmitter implements SignalHost {
  readonly exits: number[] = [];
  readonly exited: Promise<number>;
  private resolveExit: (code: number) => void = () => {};
  constructor() {
    super();
    this.exited = new Promise<number>((resolve) => {
      this.resolveExit = resolve;
    });
  }
  exit(code: number): void {
    this.exits.push(code);
    this.resolveExit(code);
  }
}

describe('RunScope', () => {
  it('undoes steps in reverse order, once, carrying on past a failure', async () => {
    const order: string[] = [];
    const scope = new RunScope({ runId: 'r1' });
    scope.defer('network', async () => {
      order.push('network');
    });
    scope.defer('broken', async () => {
      throw new Error('daemon gone');
    });
    scope.defer('container', async () => {
      order.push('container');
    });
    const report = await scope.close();
    expect(order).to.deep.equal(['container', 'network']);
    expect(report).to.deep.equal({
      done: ['container', 'network'],
      kept: [],
      failed: [{ name: 'broken', error: 'daemon gone' }],
    });
    expect(await scope.close()).to.equal(report);
    expect(order).to.have.length(2);
    expect(() => scope.defer('late', async () => {})).to.throw(/already cleaning up/);
  });

  it('keeps keepable steps (clusters) with keep, and still removes the rest', async () => {
    const ran: string[] = [];
    const scope = new RunScope({ keep: true });
    scope.defer(
      'kind cluster kpc-a',
      async () => {
        ran.push('cluster');
      },
      { keepable: true },
    );
    scope.defer('probe container', async () => {
      ran.push('container');
    });
    expect(await scope.close()).to.deep.equal({
      done: ['probe container'],
      kept: ['kind cluster kpc-a'],
      failed: [],
    });
    expect(ran).to.deep.equal(['container']);
  });

  it('labels with its run id and generates a sortable one by default', () => {
    expect(new RunScope({ runId: 'abc' }).labels('registry')).to.deep.equal({
      'kpc.knative.dev/run': 'abc',
      'kpc.knative.dev/component': 'registry',
    });
    expect(new RunScope().runId).to.match(/^\d{14}-[0-9a-f]{6}$/);
  });

  it('on SIGINT aborts new work, cleans up, then exits 130; a second signal exits at once', async () => {
    const host = new FakeHost();
    const log: string[] = [];
    const scope = new RunScope({ runId: 'r2', log: (l) => log.push(l) });
    let release!: () => void;
    const slowCleanup = new Promise<void>((resolve) => {
      release = resolve;
    });
    scope.defer('cluster', () => slowCleanup);
    const unhandle = scope.handleSignals(host);

    host.emit('SIGINT');
    expect(scope.stopping).to.equal(true);
    expect(scope.signal.reason).to.equal('SIGINT');
    expect(() => scope.throwIfStopping()).to.throw(RunInterrupted, 'run interrupted (SIGINT)');
    expect(host.exits).to.deep.equal([]);

    host.emit('SIGTERM');
    expect(host.exits).to.deep.equal([143]);
    release();
    await scope.close();
    await new Promise((r) => setImmediate(r));
    expect(host.exits).to.deep.equal([143, 130]);
    expect(log[0]).to.equal('kpc: SIGINT: stopping run r2 and cleaning up (SIGINT again to exit now)');
    expect(log[1]).to.match(
      /SIGTERM again: exiting without finishing cleanup; remove leftovers with cleanupByLabel\("r2"\)/,
    );

    unhandle();
    expect(host.listenerCount('SIGINT')).to.equal(0);
    expect(host.listenerCount('SIGTERM')).to.equal(0);
  });

  it('exits 143 after cleanup on SIGTERM and reports failed cleanup', async () => {
    const host = new FakeHost();
    const log: string[] = [];
    const scope = new RunScope({ log: (l) => log.push(l) });
    scope.defer('registry', async () => {
      throw new Error('boom');
    });
    scope.handleSignals(host);
    host.emit('SIGTERM');
    expect(await host.exited).to.equal(143);
    expect(log).to.include('kpc: cleanup of registry failed: boom');
  });

  it('withRunScope cleans up after success and after failure, and removes its handlers', async () => {
    const host = new FakeHost();
    const undone: string[] = [];
    const ok = await withRunScope({ signals: host }, async (scope) => {
      scope.defer('a', async () => {
        undone.push('a');
      });
      expect(host.listenerCount('SIGINT')).to.equal(1);
      return 42;
    });
    expect(ok).to.deep.equal({ result: 42, cleanup: { done: ['a'], kept: [], failed: [] } });
    const error = await withRunScope({ signals: host }, async (scope) => {
      scope.defer('b', async () => {
        undone.push('b');
      });
      scope.defer('c', async () => {
        throw new Error('stuck');
      });
      throw new Error('scenario failed');
    }).catch((e: Error) => e);
    expect((error as Error).message).to.equal('scenario failed\n(cleanup also failed: c: stuck)');
    expect(undone).to.deep.equal(['a', 'b']);
    expect(host.listenerCount('SIGINT')).to.equal(0);
  });
});
