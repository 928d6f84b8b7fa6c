import { expect } from 'chai';
import type { KubernetesObject, WatchEvent } from './types.ts';
import { type Listing, resumableWatch, type StreamHandlers, type WatchBackend } from './watch.ts';

const cm = (name: string, rv: number, uid = `uid-${name}`): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', uid, resourceVersion: String(rv) },
});
const bookmark = (rv: number): KubernetesObject => ({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { resourceVersion: String(rv) },
});
const gone = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'Expired',
  code: 410,
  message: 'too old resource version: 1 (5)',
};

type Script = (h: StreamHandlers) => void;

/** Plays one script per opened stream; a stream without script stays open and silent. */
class ScriptedBackend implements WatchBackend {
  readonly opened: string[] = [];
  readonly stallTimeouts: number[] = [];
  listCalls = 0;
  aborts = 0;

  constructor(
    private readonly listings: (Listing | Error)[],
    private readonly scripts: Script[],
  ) {}

  async list(): Promise<Listing> {
    this.listCalls++;
    const next = this.listings.shift();
    if (next === undefined) throw new Error('test script has no more listings');
    if (next instanceof Error) throw next;
    return next;
  }

  async open(resourceVersion: string, handlers: StreamHandlers, stallTimeoutMs: number) {
    this.opened.push(resourceVersion);
    this.stallTimeouts.push(stallTimeoutMs);
    const script = this.scripts.shift();
    if (script) queueMicrotask(() => script(handlers));
    return { abort: () => void this.aborts++ };
  }
}

const fastBackoff = { initialMs: 1, maxMs: 4, factor: 2 };

async function take(iterable: AsyncIterable<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  if (count === 0) return events;
  for await (const event of iterable) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

const brief = (events: WatchEvent[]) =>
  events.map((e) => `${e.origin}:${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`);

describe('resumableWatch (scripted backend)', () => {
  it('lists, then streams from the list resourceVersion with the stall timeout', async () => {
    const backend = new ScriptedBackend(
      [{ items: [cm('a', 3)], resourceVersion: '4' }],
      [
        (h) => {
          h.onEvent('MODIFIED', cm('a', 5));
          h.onEvent('ADDED', cm('b', 6));
        },
      ],
    );
    const events = await take(resumableWatch(backend, { stallTimeoutMs: 1234 }), 3);
    expect(brief(events)).to.deep.equal(['list:ADDED a@3', 'watch:MODIFIED a@5', 'watch:ADDED b@6']);
    expect(backend.opened).to.deep.equal(['4']);
    expect(backend.stallTimeouts).to.deep.equal([1234]);
    expect(backend.aborts, 'stream closed when the consumer stops').to.equal(1);
  });

  it('resumes from the last event or bookmark after a drop, and suppresses replayed states', async () => {
    const backend = new ScriptedBackend(
      [{ items: [], resourceVersion: '1' }],
      [
        (h) => {
          h.onEvent('ADDED', cm('a', 2));
          h.onEvent('MODIFIED', cm('a', 3));
          h.onDone(null);
        },
        (h) => {
          h.onEvent('MODIFIED', cm('a', 3)); // replay of what was emitted
          h.onEvent('BOOKMARK', bookmark(7));
          h.onDone(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
        },
        (h) => h.onEvent('MODIFIED', cm('a', 8)),
      ],
    );
    const events = await take(resumableWatch(backend, { backoff: fastBackoff }), 3);
    expect(brief(events)).to.deep.equal(['watch:ADDED a@2', 'watch:MODIFIED a@3', 'watch:MODIFIED a@8']);
    expect(backend.opened).to.deep.equal(['1', '3', '7']);
  });

  it('relists on an ERROR event with code 410 and emits only the real differences', async () => {
    const backend = new ScriptedBackend(
      [
        { items: [cm('a', 2), cm('b', 3), cm('c', 4)], resourceVersion: '4' },
        { items: [cm('a', 2), cm('b', 9), cm('d', 10)], resourceVersion: '10' },
      ],
      [(h) => h.onEvent('ERROR', gone), (h) => h.onEvent('MODIFIED', cm('d', 11))],
    );
    const events = await take(resumableWatch(backend, { backoff: fastBackoff }), 7);
    expect(brief(events)).to.deep.equal([
      'list:ADDED a@2',
      'list:ADDED b@3',
      'list:ADDED c@4',
      'relist:DELETED c@4',
      'relist:MODIFIED b@9',
      'relist:ADDED d@10',
      'watch:MODIFIED d@11',
    ]);
    expect(backend.opened).to.deep.equal(['4', '10']);
    expect(backend.listCalls).to.equal(2);
  });

  it('relists when the watch request itself is answered 410', async () => {
    const backend = new ScriptedBackend(
      [
        { items: [cm('a', 2)], resourceVersion: '2' },
        { items: [cm('a', 5)], resourceVersion: '5' },
      ],
      [(h) => h.onDone(Object.assign(new Error('Gone'), { statusCode: 410 }))],
    );
    const events = await take(resumableWatch(backend, { backoff: fastBackoff }), 2);
    expect(brief(events)).to.deep.equal(['list:ADDED a@2', 'relist:MODIFIED a@5']);
  });

  it('reconnects after a stall and backs off only while attempts deliver nothing', async () => {
    const stall = () =>
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const reconnects: { reason: string; delayMs: number }[] = [];
    const backend = new ScriptedBackend(
      [{ items: [], resourceVersion: '1' }],
      [
        (h) => h.onDone(stall()),
        (h) => h.onDone(stall()),
        (h) => {
          h.onEvent('ADDED', cm('a', 2));
          h.onDone(null);
        },
        (h) => h.onEvent('MODIFIED', cm('a', 3)),
      ],
    );
    const events = await take(
      resumableWatch(backend, {
        backoff: { initialMs: 8, maxMs: 100, factor: 2 },
        onReconnect: (r) => reconnects.push(r),
      }),
      2,
    );
    expect(brief(events)).to.deep.equal(['watch:ADDED a@2', 'watch:MODIFIED a@3']);
    expect(reconnects.map((r) => r.reason)).to.deep.equal([
      'stalled: no event or bookmark in time',
      'stalled: no event or bookmark in time',
      'stream ended',
    ]);
    const [first, second, third] = reconnects.map((r) => r.delayMs);
    expect(first).to.be.within(4, 8);
    expect(second).to.be.within(8, 16);
    expect(third, 'a productive stream is followed by an immediate reconnect').to.equal(0);
  });

  it('ends with the error on a non-retryable answer (403)', async () => {
    const forbidden = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: 'configmaps is forbidden: User "x" cannot watch resource "configmaps"',
    };
    const backend = new ScriptedBackend(
      [{ items: [], resourceVersion: '1' }],
      [(h) => h.onEvent('ERROR', forbidden)],
    );
    const err = await take(resumableWatch(backend, { backoff: fastBackoff }), 1).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain('cannot watch resource "configmaps"');
    expect((err as { code?: number }).code).to.equal(403);
  });

  it('retries any failure that is not a definite API answer', async () => {
    const backend = new ScriptedBackend(
      [{ items: [], resourceVersion: '1' }],
      [
        (h) => h.onDone(new TypeError('terminated')),
        (h) =>
          h.onEvent('ERROR', { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd hiccup' }),
        (h) => h.onEvent('ADDED', cm('a', 2)),
      ],
    );
    const events = await take(resumableWatch(backend, { backoff: fastBackoff }), 1);
    expect(brief(events)).to.deep.equal(['watch:ADDED a@2']);
    expect(backend.opened).to.deep.equal(['1', '1', '1']);
  });

  it('keeps retrying a list that fails transiently', async () => {
    const unavailable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {
      code: 'ECONNREFUSED',
    });
    const backend = new ScriptedBackend(
      [unavailable, unavailable, { items: [cm('a', 1)], resourceVersion: '1' }],
      [],
    );
    const events = await take(resumableWatch(backend, { backoff: fastBackoff }), 1);
    expect(brief(events)).to.deep.equal(['list:ADDED a@1']);
    expect(backend.listCalls).to.equal(3);
  });

  it('ends cleanly when the signal is aborted while waiting for events', async () => {
    const controller = new AbortController();
    const backend = new ScriptedBackend([{ items: [cm('a', 1)], resourceVersion: '1' }], []);
    const events: WatchEvent[] = [];
    const done = (async () => {
      for await (const event of resumableWatch(backend, { signal: controller.signal })) events.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await done;
    expect(brief(events)).to.deep.equal(['list:ADDED a@1']);
    expect(backend.aborts).to.equal(1);
  });
});
