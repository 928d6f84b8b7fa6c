import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CommandOutput, Host } from '../doctor/host.ts';
import { fixtureProvenance } from './fixtures.ts';
import {
  collectProvenance,
  gitCommit,
  hashFiles,
  type Provenance,
  readProvenance,
  variantVersions,
  writeProvenance,
} from './provenance.ts';

const ok = (stdout: string, stderr = ''): CommandOutput => ({ exitCode: 0, stdout, stderr });

/** A scripted machine: commands answer from a table, files exist when listed. */
const host = (cwd: string, commands: Record<string, CommandOutput>, files: string[] = []): Host => ({
  nodeVersion: 'v20.20.2',
  env: { PATH: '/usr/bin' },
  cwd,
  run: async (file, args) => commands[[file, ...args].join(' ')],
  exists: async (path) => files.includes(path),
  freeBytes: async () => 0,
  cgroupFsType: async () => undefined,
});

describe('run provenance (run.json)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-provenance-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('records the commit, tools as found, scenario hashes and what the run passes in', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: a\n');
    const commit = 'f'.repeat(40);
    const machine = host(
      dir,
      {
        [`git -C ${join(dir, 'kpc')} rev-parse HEAD`]: ok(`${commit}\n`),
        [`git -C ${join(dir, 'kpc')} status --porcelain --untracked-files=no`]: ok(' M harness/x.ts\n'),
        [`${join(dir, '.kpc/bin/kind')} version`]: ok('kind v0.33.0 go1.25.1 linux/amd64\n'),
        'java -version': ok('', 'openjdk version "17.0.15" 2025-04-15\n'),
      },
      [join(dir, '.kpc/bin/kind')],
    );
    const fixture = fixtureProvenance();
    const p = await collectProvenance(
      {
        kpcVersion: '0.1.0',
        startedAt: new Date('2026-11-27T04:00:00Z'),
        endedAt: new Date('2026-11-27T04:30:00Z'),
        clusters: fixture.clusters,
        variants: fixture.variants,
        scenarioFiles: ['a.yaml', join(dir, 'a.yaml')],
        cases: { planned: 3, reported: 3 },
      },
      machine,
      join(dir, 'kpc'),
    );
    expect(p.kpc).to.deep.equal({ version: '0.1.0', commit, dirty: true });
    expect(p.tools).to.deep.equal({
      kind: { version: 'v0.33.0', path: join(dir, '.kpc/bin/kind') },
      kubectl: { problem: 'not found' },
      ko: { problem: 'not found' },
      java: { version: '17.0.15' },
    });
    expect(p.scenarios).to.deep.equal([
      { path: 'a.yaml', sha256: createHash('sha256').update('name: a\n').digest('hex') },
    ]);
    expect(p).to.include({ startedAt: '2026-11-27T04:00:00.000Z', endedAt: '2026-11-27T04:30:00.000Z' });
  });

  it('says why there is no commit outside a git checkout', async () => {
    const machine = host(dir, {
      [`git -C ${dir} rev-parse HEAD`]: {
        exitCode: 128,
        stdout: '',
        stderr: 'fatal: not a git repository (or any of the parent directories): .git\n',
      },
    });
    expect(await gitCommit(machine, dir)).to.deep.equal({
      commitUnavailable:
        'not a git checkout: fatal: not a git repository (or any of the parent directories): .git',
    });
    expect(await gitCommit(host(dir, {}), dir)).to.deep.equal({ commitUnavailable: 'git is not installed' });
  });

  it('writes and reads back run.json, and names the file and field of bad input', async () => {
    const p = fixtureProvenance();
    const { path, redacted } = await writeProvenance(dir, p);
    expect(redacted).to.deep.equal([]);
    expect(await readProvenance(dir)).to.deep.equal(p);
    expect(await readProvenance(path)).to.deep.equal(p);
    await writeFile(path, JSON.stringify({ ...p, kubeconfig: 'apiVersion: v1' }));
    try {
      await readProvenance(dir);
      expect.fail('accepted a kubeconfig field');
    } catch (error) {
      expect((error as Error).message).to.equal(`${path}: (root): Unrecognized key: "kubeconfig"`);
    }
    const bad = { ...p, scenarios: [{ path: 'x.yaml', sha256: 'nope' }] } as Provenance;
    try {
      await writeProvenance(dir, bad);
      expect.fail('wrote a bad sha256');
    } catch (error) {
      expect((error as Error).message).to.equal(
        `${path} (not written): scenarios.0.sha256: a sha256 as 64 hex digits`,
      );
    }
  });

  it('redacts anything shaped like a credential before it reaches the file, and says where', async () => {
    const p = fixtureProvenance();
    p.interrupted = 'apply failed: Authorization: Bearer abcdefghijklmnop';
    const { path, redacted } = await writeProvenance(dir, p);
    expect(redacted).to.deep.equal(['interrupted']);
    const text = await readFile(path, 'utf8');
    expect(text).to.not.include('abcdefghijklmnop');
    expect(text).to.include('[REDACTED]');
  });

  it('hashes scenario files relative to the working directory, once each', async () => {
    await writeFile(join(dir, 'b.yaml'), 'b');
    const hashes = await hashFiles(['b.yaml', './b.yaml'], dir);
    expect(hashes).to.deep.equal([
      { path: 'b.yaml', sha256: createHash('sha256').update('b').digest('hex') },
    ]);
  });

  it('finds the Kubernetes and Knative versions a variant ran on', () => {
    const p = fixtureProvenance();
    expect(variantVersions(p, 'baseline')).to.deep.equal({ kubernetes: 'v1.37.0', knative: 'v1.17.2' });
    expect(variantVersions(p, 'nope')).to.deep.equal({});
  });
});
