import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { redacted } from './redact.ts';
import {
  actionErrorOf,
  fileLineSink,
  memoryLineSink,
  parseTraceChunks,
  readTrace,
  type TraceClock,
  TraceFormatError,
  type TraceLine,
  TraceWriter,
} from './trace.ts';

const start = Date.parse('2025-06-01T10:00:00.000Z');

function scriptedClock() {
  const clock = { wall: start, mono: 5_000 };
  const api: TraceClock = { now: () => clock.wall, monotonic: () => clock.mono };
  return { clock, api };
}

async function collect(lines: AsyncIterable<TraceLine>): Promise<TraceLine[]> {
  const out: TraceLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  status: { phase: 'Running' },
};

describe('trace writer', () => {
  it('numbers lines, never lets `at` go back, and stamps monotonic time', () => {
    const sink = memoryLineSink();
    const { clock, api } = scriptedClock();
    const writer = new TraceWriter(sink, api);
    writer.header({ scenario: 's', variant: 'baseline', versions: { knative: 'v1.17.2' } });
    clock.mono += 12.5;
    writer.watch('ADDED', pod, start + 1_000);
    writer.watch('MODIFIED', pod, start + 900, 'watch'); // a stream that delivered a little later than another
    writer.note('hello', { seq: 99, v: 7 });
    const lines = sink.lines.map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).to.deep.equal([1, 2, 3, 4]);
    expect(lines.map((l) => l.at)).to.deep.equal([
      '2025-06-01T10:00:00.000Z',
      '2025-06-01T10:00:01.000Z',
      '2025-06-01T10:00:01.000Z',
      '2025-06-01T10:00:01.000Z',
    ]);
    expect(lines[1].mono).to.equal(12.5);
    expect(lines[2].origin).to.equal('watch');
    expect(lines[3]).to.include({ v: 1, seq: 4, type: 'note', text: 'hello' });
    expect(Object.keys(lines[0]).slice(0, 4)).to.deep.equal(['v', 'seq', 'at', 'mono']);
  });

  it('leaves every finished line on disk before the next write: a crash keeps a readable trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpc-trace-'));
    try {
      const file = join(dir, 'trace.jsonl');
      const writer = new TraceWriter(fileLineSink(file));
      writer.watch('ADDED', pod);
      writer.action({
        action: 'exec',
        target: { kind: 'Pod', name: 'p', container: 'sidecar' },
        outcome: 'ok',
        detail: { exitCode: 0 },
      });
      // Not closed: as if the process died here.
      const lines = await collect(readTrace(file));
      expect(lines.map((l) => l.type)).to.deep.equal(['watch', 'action']);
      writer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strips Secret values from watched objects and action details, leaving other objects untouched', () => {
    const sink = memoryLineSink();
    const writer = new TraceWriter(sink);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"token":"c2VjcmV0"}}' },
      },
      data: { token: 'c2VjcmV0' },
      stringData: { password: 'hunter2' },
    };
    writer.watch('ADDED', secret);
    writer.action({
      action: 'apply',
      target: { kind: 'List' },
      outcome: 'ok',
      detail: { object: { apiVersion: 'v1', kind: 'List', items: [pod, secret] } },
    });
    const text = sink.lines.join('\n');
    expect(text).not.to.contain('c2VjcmV0');
    expect(text).not.to.contain('hunter2');
    const [watched, applied] = sink.lines.map((l) => JSON.parse(l));
    expect(watched.object.data).to.deep.equal({ token: redacted });
    expect(watched.object.stringData).to.deep.equal({ password: redacted });
    expect(applied.detail.object.items[0]).to.deep.equal(pod);
    expect(secret.data.token, 'the caller’s object is not modified').to.equal('c2VjcmV0');
  });

  it('turns a kube-layer admission denial into an action error', () => {
    const denial = Object.assign(new Error('admission webhook "w" denied the request: nope'), {
      code: 400,
      status: { reason: 'BadRequest', message: 'admission webhook "w" denied the request: nope' },
      webhook: 'w',
      denial: 'nope',
    });
    expect(actionErrorOf(denial)).to.deep.equal({
      code: 400,
      reason: 'BadRequest',
      message: 'admission webhook "w" denied the request: nope',
      webhook: 'w',
      denial: 'nope',
    });
    expect(actionErrorOf('boom')).to.deep.equal({ message: 'boom' });
  });
});

describe('trace reader', () => {
  const line = (seq: number, extra: Record<string, unknown> = { type: 'note', text: 'x' }) =>
    JSON.stringify({ v: 1, seq, at: '2025-06-01T10:00:00.000Z', ...extra });

  const read = (text: string, chunkSize = 7) => {
    const warnings: string[] = [];
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
    return {
      lines: collect(parseTraceChunks(chunks, 't.jsonl', { onWarning: (w) => warnings.push(w) })),
      warnings,
    };
  };

  it('reads lines split across chunks, CRLF endings and blank lines', async () => {
    const text = `${line(1)}\r\n\n${line(2, { type: 'watch', event: 'ADDED', object: pod })}\n${line(3, { type: 'action', action: 'exec', target: {}, outcome: 'ok' })}`;
    const { lines } = read(text);
    expect((await lines).map((l) => l.seq)).to.deep.equal([1, 2, 3]);
  });

  for (const [name, text, where] of [
    ['a line that is not JSON', `${line(1)}\n${line(2)}\n{"v":1,`, 't.jsonl:3: not JSON'],
    [
      'a seq that does not increase',
      `${line(2)}\n${line(2)}\n`,
      't.jsonl:2: "seq" 2 does not increase (previous 2)',
    ],
    [
      'another format version',
      `${JSON.stringify({ v: 2, seq: 1, at: 'x', type: 'note' })}\n`,
      't.jsonl:1: trace format v2 is not supported',
    ],
    [
      'a time that is not RFC 3339',
      `${line(1, { at: 'yesterday', type: 'note', text: '' })}\n`,
      't.jsonl:1: "at" must be an RFC 3339 time',
    ],
    [
      'a watch line without an object',
      `${line(1, { type: 'watch', event: 'ADDED' })}\n`,
      't.jsonl:1: watch line without an "object"',
    ],
    [
      'an action with a bad outcome',
      `${line(1, { type: 'action', action: 'apply', target: {}, outcome: 'maybe' })}\n`,
      't.jsonl:1: action "outcome" must be ok or error',
    ],
  ] as const) {
    it(`reports ${name} with file and line`, async () => {
      try {
        await read(`${text}${name === 'a line that is not JSON' ? '\n' : ''}`).lines;
        expect.fail('should have thrown');
      } catch (error) {
        expect(error).to.be.instanceOf(TraceFormatError);
        expect((error as Error).message).to.contain(where);
      }
    });
  }

  it('skips unknown line types and a truncated last line with warnings, not errors', async () => {
    const { lines, warnings } = read(
      `${line(1)}\n${line(2, { type: 'metric', value: 3 })}\n${line(3)}\n{"v":1,"seq":4,"at`,
    );
    expect((await lines).map((l) => l.seq)).to.deep.equal([1, 3]);
    expect(warnings).to.deep.equal([
      't.jsonl:2: ignoring lines of unknown type "metric"',
      't.jsonl:4: ignoring a truncated last line (the recorder stopped mid-write)',
    ]);
  });

  it('reads multi-byte text split between file chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpc-trace-'));
    try {
      const file = join(dir, 't.jsonl');
      const text = 'é'.repeat(600_000);
      writeFileSync(file, `${line(1, { type: 'note', text })}\n`);
      const [only] = await collect(readTrace(file));
      expect(only).to.deep.include({ text });
      expect(readFileSync(file).length).to.be.greaterThan(1 << 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
