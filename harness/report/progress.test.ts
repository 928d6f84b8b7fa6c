import { expect } from 'chai';
import { clock, Progress, type ProgressEvent } from './progress.ts';

/** A terminal or a pipe that keeps what was written. */
class FakeStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

const ESC = String.fromCharCode(27);
const eraseSequence = new RegExp(`(${ESC}\\[\\d+F${ESC}\\[J)`);

/** What a terminal shows after cursor-up/erase sequences: lines erased by `ESC[nF ESC[J` are gone. */
function screen(text: string): string[] {
  const lines: string[] = [];
  for (const part of text.split(eraseSequence)) {
    if (eraseSequence.test(part)) lines.splice(lines.length - Number(/\d+/.exec(part)![0]));
    else lines.push(...part.split('\n').slice(0, -1));
  }
  return lines;
}

const scripted = (): { now: () => number; advance: (ms: number) => void } => {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
};

const run: [number, ProgressEvent][] = [
  [0, { type: 'plan', cases: 3 }],
  [0, { type: 'cluster', name: 'kpc-candidate', phase: 'creating' }],
  [40_000, { type: 'cluster', name: 'kpc-candidate', phase: 'ready' }],
  [0, { type: 'install', variant: 'candidate', phase: 'installing', detail: 'Knative v1.18.0' }],
  [65_000, { type: 'install', variant: 'candidate', phase: 'ready' }],
  [0, { type: 'case-started', variant: 'candidate', id: 'a', attempt: 1 }],
  [0, { type: 'case-started', variant: 'candidate', id: 'b', attempt: 1 }],
  [30_000, { type: 'case-finished', variant: 'candidate', id: 'a', status: 'passed', durationMs: 30_000 }],
  [
    5_000,
    {
      type: 'case-finished',
      variant: 'candidate',
      id: 'b',
      status: 'failed',
      message: 'Revision never Ready',
      durationMs: 35_000,
    },
  ],
  [0, { type: 'case-started', variant: 'candidate', id: 'c', attempt: 2 }],
];

function play(progress: Progress, advance: (ms: number) => void, events = run) {
  for (const [ms, event] of events) {
    advance(ms);
    progress.update(event);
  }
}

describe('live progress', () => {
  it('writes plain lines without cursor control when not on a terminal', () => {
    const out = new FakeStream(false);
    const time = scripted();
    const progress = new Progress(out, { now: time.now, heartbeatMs: 0 });
    play(progress, time.advance);
    time.advance(10_000);
    progress.update({
      type: 'case-finished',
      variant: 'candidate',
      id: 'c',
      status: 'flaky',
      durationMs: 10_000,
    });
    progress.finish();
    expect(out.text).to.not.include(ESC);
    expect(out.text.split('\n')).to.deep.equal([
      'kpc: 3 cases planned',
      'cluster kpc-candidate: creating',
      'cluster kpc-candidate: ready after 40s',
      'knative candidate: installing — Knative v1.18.0',
      'knative candidate: ready after 1m05s',
      '[1/3] passed  candidate/a 30s',
      '[2/3] FAILED  candidate/b 35s: Revision never Ready',
      'retrying candidate/c (attempt 2)',
      '[3/3] flaky   candidate/c 10s',
      'kpc: 3 of 3 cases finished — 1 passed, 1 flaky, 1 failed in 2m30s',
      '',
    ]);
  });

  it('never lets an interrupted run read as complete', () => {
    const out = new FakeStream(false);
    const time = scripted();
    const progress = new Progress(out, { now: time.now, heartbeatMs: 0 });
    play(progress, time.advance);
    progress.update({ type: 'interrupted', reason: 'SIGINT' });
    const final = progress.finish();
    expect(final).to.equal(
      'kpc: 2 of 3 cases finished — 1 passed, 1 failed in 2m20s\n' +
        'INCOMPLETE: 1 planned case did not finish (SIGINT); reports cover only the finished cases; ' +
        'still running when it stopped: candidate/c',
    );
    expect(out.text).to.include('run interrupted: SIGINT\n');
  });

  it('redraws one status block in place on a terminal, keeping failures above it', () => {
    const out = new FakeStream(true, 80);
    const time = scripted();
    const progress = new Progress(out, { now: time.now, tickMs: 0 });
    play(progress, time.advance);
    time.advance(12_000);
    progress.update({ type: 'note', text: 'switching config-features: multi-container-probing=enabled' });
    expect(screen(out.text)).to.deep.equal([
      'kpc: 3 cases planned',
      'cluster kpc-candidate: creating',
      'cluster kpc-candidate: ready after 40s',
      'knative candidate: installing — Knative v1.18.0',
      'knative candidate: ready after 1m05s',
      '[2/3] FAILED  candidate/b 35s: Revision never Ready',
      'retrying candidate/c (attempt 2)',
      'switching config-features: multi-container-probing=enabled',
      'clusters  kpc-candidate ready',
      'knative   candidate ready',
      'cases     2/3 · 1 passed, 1 failed · 1 running · 2m32s',
      '          candidate/c (attempt 2) 12s',
    ]);
    progress.finish();
    const final = screen(out.text);
    expect(final.slice(-3)).to.deep.equal([
      'switching config-features: multi-container-probing=enabled',
      'kpc: 2 of 3 cases finished — 1 passed, 1 failed in 2m32s',
      'INCOMPLETE: 1 planned case did not finish; reports cover only the finished cases; still running when it stopped: candidate/c',
    ]);
  });

  it('cuts status lines to the terminal width so redraws erase exactly what they drew', () => {
    const out = new FakeStream(true, 40);
    const progress = new Progress(out, { now: () => 0, tickMs: 0 });
    progress.update({
      type: 'case-started',
      variant: 'candidate',
      id: 'a-very-long-case-name[param=value]',
      attempt: 1,
    });
    const lines = screen(out.text);
    for (const line of lines) expect(line.length).to.be.at.most(39);
    expect(lines.at(-1)).to.match(/^ {10}candidate\/a-very-long.*…$/);
  });

  it('prints a heartbeat while cases run in plain mode', async () => {
    const out = new FakeStream(false);
    const progress = new Progress(out, { heartbeatMs: 5 });
    progress.update({ type: 'case-started', variant: 'candidate', id: 'slow', attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    progress.finish();
    expect(out.text).to.match(/still running: 0 done, 1 running \(candidate\/slow; longest \d+s\)/);
  });

  it('formats durations for people', () => {
    expect([clock(400), clock(42_000), clock(125_000), clock(3_720_000)]).to.deep.equal([
      '0s',
      '42s',
      '2m05s',
      '1h02m',
    ]);
  });
});
