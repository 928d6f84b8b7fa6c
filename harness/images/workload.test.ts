import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeRunner } from '../cluster/fake-runner.ts';
import { buildWorkloadImage, contextHash, listWorkloadImages } from './workload.ts';

function imageDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpc-workload-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('workload images', () => {
  it('hashes a build context by path, mode and bytes', async () => {
    const a = imageDir({ Dockerfile: 'FROM scratch\n', 'www/index.html': 'hi' });
    const b = imageDir({ 'www/index.html': 'hi', Dockerfile: 'FROM scratch\n' });
    expect(await contextHash(a)).to.equal(await contextHash(b));
    writeFileSync(join(b, 'www/index.html'), 'hi!');
    expect(await contextHash(b)).not.to.equal(await contextHash(a));
    const c = imageDir({ Dockerfile: 'FROM scratch\n', 'www/index.html': 'hi' });
    chmodSync(join(c, 'Dockerfile'), 0o755);
    expect(await contextHash(c)).not.to.equal(await contextHash(a));
  });

  it('lists image folders that have a Dockerfile, in name order', async () => {
    const root = imageDir({ 'zeta/Dockerfile': '', 'alpha/Dockerfile': '', 'notes/README.md': '' });
    expect((await listWorkloadImages(root)).map((i) => i.name)).to.deep.equal(['alpha', 'zeta']);
  });

  it('stages the folder, runs prepare.sh there, tags by content hash and builds with docker', async () => {
    const root = imageDir({ 'workload/Dockerfile': 'FROM scratch\n', 'workload/prepare.sh': 'exit 0\n' });
    const runner = new FakeRunner().on('docker image inspect', { exitCode: 1, stderr: 'No such image' });
    const built = await buildWorkloadImage({ name: 'workload', dir: join(root, 'workload') }, { runner });
    expect(built.ref).to.match(/^dev\.local\/kpc\/workload:[0-9a-f]{12}$/);
    expect(built.built).to.equal(true);
    const [prepare, inspect, build] = runner.calls;
    expect(prepare!.file).to.equal('sh');
    const context = prepare!.args[1]!;
    expect(prepare!.args).to.deep.equal([join(context, 'prepare.sh'), context]);
    expect(context.startsWith(tmpdir())).to.equal(true);
    expect(inspect!.line).to.equal(`docker image inspect --format '{{.Id}}' ${built.ref}`);
    expect(build!.line).to.equal(`docker build --tag ${built.ref} ${context}`);
    expect(() => readFileSync(join(context, 'Dockerfile'))).to.throw(/ENOENT/);
  });

  it('skips the build when Docker already has the content tag', async () => {
    const root = imageDir({ 'w/Dockerfile': 'FROM scratch\n' });
    const runner = new FakeRunner().on('docker image inspect', { stdout: 'sha256:abc\n' });
    const built = await buildWorkloadImage({ name: 'w', dir: join(root, 'w') }, { runner });
    expect(built.built).to.equal(false);
    expect(runner.find('docker build')).to.have.length(0);
    expect(runner.find('sh')).to.have.length(0);
  });
});
