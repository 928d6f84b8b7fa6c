import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  CommandCanceled,
  CommandFailed,
  CommandNotFound,
  execaRunner,
  formatCommand,
  toolBinary,
} from './command.ts';
import { FakeRunner } from './fake-runner.ts';

describe('command runner', () => {
  const runner = execaRunner({ PATH: process.env.PATH, BASE: 'base' });

  it('returns output and merges extra env over the base env', async () => {
    const result = await runner.run('sh', ['-c', 'echo "$BASE $EXTRA"; echo err >&2'], {
      env: { EXTRA: 'extra' },
    });
    expect(result).to.deep.equal({ exitCode: 0, stdout: 'base extra\n', stderr: 'err\n' });
  });

  it('does not leak the parent environment beyond the base env', async () => {
    process.env.KPC_TEST_LEAK = 'leak';
    try {
      expect((await runner.run('sh', ['-c', 'echo "[$KPC_TEST_LEAK]"'])).stdout).to.equal('[]\n');
    } finally {
      delete process.env.KPC_TEST_LEAK;
    }
  });

  it('rejects a non-zero exit with the command line and stderr, or returns it when asked', async () => {
    const script = 'echo "$SECRET"; echo bad thing >&2; exit 7';
    const error = await runner
      .run('sh', ['-c', script], { env: { SECRET: 'secret-out' } })
      .catch((e: Error) => e);
    expect(error).to.be.instanceOf(CommandFailed);
    expect((error as CommandFailed).exitCode).to.equal(7);
    expect((error as Error).message).to.equal(`sh -c '${script}' exited with 7: bad thing`);
    expect((error as Error).message).not.to.include('secret-out');
    expect((await runner.run('sh', ['-c', 'exit 3'], { reject: false })).exitCode).to.equal(3);
  });

  it('says when a program is missing and when it was canceled', async () => {
    expect(await runner.run('kpc-no-such-tool', []).catch((e: Error) => e)).to.be.instanceOf(CommandNotFound);
    const abort = new AbortController();
    const pending = runner.run('sleep', ['5'], { signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const started = Date.now();
    expect(await pending.catch((e: Error) => e)).to.be.instanceOf(CommandCanceled);
    expect(Date.now() - started).to.be.below(2000);
  });

  it('streams whole lines to onOutput and feeds input', async () => {
    const lines: string[] = [];
    await runner.run('sh', ['-c', 'cat; printf "b\\nc"'], { input: 'a\n', onOutput: (l) => lines.push(l) });
    expect(lines).to.deep.equal(['a', 'b', 'c']);
  });

  it('quotes only arguments that need it', () => {
    expect(formatCommand('docker', ['inspect', '--format', '{{.Id}}', "it's"])).to.equal(
      `docker inspect --format '{{.Id}}' 'it'\\''s'`,
    );
  });

  it('prefers the pinned tool in .kpc/bin over PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpc-tools-'));
    expect(toolBinary('kind', dir)).to.equal('kind');
    mkdirSync(join(dir, '.kpc/bin'), { recursive: true });
    writeFileSync(join(dir, '.kpc/bin/kind'), '');
    expect(toolBinary('kind', dir)).to.equal(join(dir, '.kpc/bin/kind'));
  });

  it('fake runner: last matching script wins, unmatched commands succeed, rejects like the real one', async () => {
    const fake = new FakeRunner().on('kind get', { stdout: 'a' }).on('kind get clusters', { stdout: 'b' });
    expect((await fake.run('kind', ['get', 'clusters'])).stdout).to.equal('b');
    expect((await fake.run('kind', ['get', 'nodes'])).stdout).to.equal('a');
    expect((await fake.run('kind', ['getx'])).stdout).to.equal('');
    fake.on('docker', { exitCode: 2, stderr: 'nope' });
    expect(await fake.run('docker', ['ps']).catch((e: Error) => e.message)).to.equal(
      'docker ps exited with 2: nope',
    );
  });
});
