import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeResults } from '../../report/results-file.ts';
import type { AttemptStatus, CaseResult, Level } from '../../report/verdict.ts';
import { runKpc } from '../in-process.ts';

const result = (
  id: string,
  variant: string,
  statuses: AttemptStatus[],
  level: Level = 'MUST',
): CaseResult => ({
  id,
  scenario: id,
  title: id,
  variant,
  level,
  tags: [],
  parameters: {},
  attempts: statuses.map((status) => ({
    status,
    startedAt: '2026-11-27T04:00:00.000Z',
    durationMs: 10,
    ...(status === 'passed' ? {} : { message: `${id} ${status}` }),
  })),
});

describe('kpc gate and kpc diff', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-results-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gate exits 0 when every MUST case passed on the candidate, and lists SHOULD warnings', async () => {
    await writeResults(dir, [
      result('sidecar-exec', 'candidate', ['passed']),
      result('named-port', 'candidate', ['failed'], 'SHOULD'),
      result('sidecar-exec', 'baseline', ['failed']),
    ]);
    const { code, stdout } = await runKpc(['gate', dir]);
    expect(code).to.equal(0);
    expect(stdout).to.include('gate OPEN: all 1 MUST cases passed (variant candidate)');
    expect(stdout).to.match(/warns\s+SHOULD\s+failed\s+candidate\/named-port: named-port failed/);
  });

  it('gate exits 1 on a MUST case that passed only on retry', async () => {
    await writeResults(dir, [result('sidecar-exec', 'candidate', ['failed', 'passed'])]);
    const { code, stdout } = await runKpc(['gate', dir, '--json']);
    expect(code).to.equal(1);
    expect(JSON.parse(stdout).findings[0]).to.include({ status: 'flaky', effect: 'blocks' });
  });

  it('gate says which file and field is wrong in a damaged results file', async () => {
    await writeFile(join(dir, 'results.json'), JSON.stringify({ version: 1, results: [{ id: 'x' }] }));
    const { code, stderr } = await runKpc(['gate', dir]);
    expect(code).to.equal(2);
    expect(stderr).to.include(join(dir, 'results.json')).and.include('results.0.');
  });

  it('diff classifies cases between two runs and fails on a regression', async () => {
    const base = join(dir, 'base');
    const cand = join(dir, 'cand');
    await Promise.all([base, cand].map((d) => mkdir(d)));
    await writeResults(base, [
      result('fix-me', 'baseline', ['failed']),
      result('keep', 'baseline', ['passed']),
    ]);
    await writeResults(cand, [
      result('fix-me', 'candidate', ['passed']),
      result('keep', 'candidate', ['failed']),
    ]);
    const { code, stdout } = await runKpc(['diff', base, cand, '--json']);
    expect(code).to.equal(1);
    expect(
      JSON.parse(stdout).rows.map((r: { id: string; class: string }) => `${r.id}:${r.class}`),
    ).to.deep.equal(['fix-me:fixed', 'keep:regressed']);
  });

  it('diff names the variants a results file does have when the asked one is missing', async () => {
    await writeResults(dir, [result('a', 'nightly', ['passed'])]);
    const { code, stderr } = await runKpc(['diff', dir, dir]);
    expect(code).to.equal(2);
    expect(stderr).to.include('has no cases of variant baseline (it has: nightly)');
  });
});
