import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { runKpc } from '../in-process.ts';

describe('kpc cluster', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(`${tmpdir()}/kpc-cluster-`);
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  it('up refuses an unknown Knative release before touching kind', async () => {
    const { code, stderr } = await runKpc(['cluster', 'up', '--knative', 'v0.1.0'], { cwd });
    expect(code).to.equal(2);
    expect(stderr).to.include('unknown Knative release v0.1.0');
  });

  it('list says when kpc has created no cluster', async () => {
    const { code, stdout } = await runKpc(['cluster', 'list'], { cwd });
    expect(code).to.equal(0);
    expect(stdout).to.equal('no kpc clusters\n');
  });
});
