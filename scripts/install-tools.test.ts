import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { type ToolName, type ToolPin, toolPins } from '../harness/config/tools.ts';
import { expectedSha256, InstallError, installTool, parseChecksumFile } from './install-tools.ts';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('install-tools', () => {
  describe('parseChecksumFile', () => {
    const h = 'a'.repeat(64);
    it('reads a bare hash (kubectl .sha256) and a `hash  file` line (kind .sha256sum)', () => {
      expect(parseChecksumFile(`${h}\n`)).to.equal(h);
      expect(parseChecksumFile(`${h}  kind-linux-amd64\n`)).to.equal(h);
    });
    it('picks the named entry from a multi-line checksums.txt', () => {
      const other = 'b'.repeat(64);
      expect(parseChecksumFile(`${other}  a.tar.gz\n${h} *ko.tar.gz\n`, 'ko.tar.gz')).to.equal(h);
    });
    it('rejects a file without a valid sha256 for the entry', () => {
      expect(() => parseChecksumFile('not a hash\n')).to.throw(InstallError, /no sha256/);
      expect(() => parseChecksumFile(`${h}  other\n`, 'ko.tar.gz')).to.throw(InstallError, /for ko.tar.gz/);
    });
  });

  describe('expectedSha256', () => {
    const asset = { url: 'u', checksumUrl: 'u.sha256', sha256: 'p'.repeat(64) };
    it('refuses when the publisher disagrees with the pin', () => {
      expect(() => expectedSha256(asset, 'x'.repeat(64), {})).to.throw(InstallError, /kpc pins/);
    });
    it('holds an unpinned asset to the value recorded in the lockfile', () => {
      const unpinned = { ...asset, sha256: null };
      expect(expectedSha256(unpinned, 'x'.repeat(64), {})).to.equal('x'.repeat(64));
      expect(() => expectedSha256(unpinned, 'x'.repeat(64), { u: 'y'.repeat(64) })).to.throw(/recorded/);
    });
  });

  describe('installTool against a loopback release server', () => {
    let server: Server;
    let base: string;
    let root: string;
    const files = new Map<string, Buffer>();

    before(async () => {
      server = createServer((req, res) => {
        const body = files.get(req.url ?? '');
        res.writeHead(body ? 200 : 404).end(body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'kpc-install-test-'));
      files.clear();
    });
    afterEach(() => rm(root, { recursive: true, force: true }));

    const pinsWith = (name: ToolName, asset: Partial<ToolPin['assets']['linux-amd64']>) =>
      ({
        ...toolPins,
        [name]: {
          ...toolPins[name],
          assets: {
            'linux-amd64': { url: `${base}/bin`, checksumUrl: `${base}/bin.sha256`, sha256: null, ...asset },
          },
        },
      }) as Record<ToolName, ToolPin>;

    it('installs a binary whose sum matches both the pin and the publisher', async () => {
      const binary = Buffer.from('#!/bin/sh\necho kind v0.33.0\n');
      files.set('/bin', binary).set('/bin.sha256', Buffer.from(`${sha(binary)}  bin\n`));
      const path = await installTool('kind', {
        root,
        platform: 'linux-amd64',
        pins: pinsWith('kind', { sha256: sha(binary) }),
      });
      expect(await readFile(path, 'utf8')).to.equal(binary.toString());
      expect((await stat(path)).mode & 0o777).to.equal(0o755);
    });

    it('refuses a download whose bytes do not match, and installs nothing', async () => {
      files.set('/bin', Buffer.from('tampered')).set('/bin.sha256', Buffer.from(sha('original')));
      const error = await installTool('kind', {
        root,
        platform: 'linux-amd64',
        pins: pinsWith('kind', {}),
      }).catch((e: unknown) => e);
      expect(error)
        .to.be.instanceOf(InstallError)
        .with.property('message')
        .match(/checksum mismatch/);
      await stat(join(root, '.kpc/bin/kind')).then(
        () => expect.fail('kind was installed'),
        () => undefined,
      );
    });

    it('records an unpinned sum in the lockfile and holds the next install to it', async () => {
      const v1 = Buffer.from('v1');
      files.set('/bin', v1).set('/bin.sha256', Buffer.from(sha(v1)));
      const logs: string[] = [];
      await installTool('kubectl', {
        root,
        platform: 'linux-amd64',
        pins: pinsWith('kubectl', {}),
        log: (l) => logs.push(l),
      });
      const lock = JSON.parse(await readFile(join(root, '.kpc/tools.lock.json'), 'utf8'));
      expect(lock[`${base}/bin`]).to.equal(sha(v1));
      expect(logs.join('\n')).to.match(/recorded sha256/);
      const v2 = Buffer.from('v2');
      files.set('/bin', v2).set('/bin.sha256', Buffer.from(sha(v2)));
      const error = await installTool('kubectl', {
        root,
        platform: 'linux-amd64',
        pins: pinsWith('kubectl', {}),
      }).catch((e: unknown) => e);
      expect(error)
        .to.be.instanceOf(InstallError)
        .with.property('message')
        .match(/recorded/);
    });

    it('extracts the binary from a tar.gz release archive (ko)', async () => {
      const dir = join(root, 'pack');
      await mkdir(dir);
      await writeFile(join(dir, 'ko'), 'ko-binary');
      await execa('tar', ['-czf', join(root, 'ko.tar.gz'), '-C', dir, 'ko']);
      const archive = await readFile(join(root, 'ko.tar.gz'));
      files
        .set('/bin', archive)
        .set('/sums', Buffer.from(`${sha('x')}  other\n${sha(archive)}  ko.tar.gz\n`));
      const path = await installTool('ko', {
        root,
        platform: 'linux-amd64',
        pins: pinsWith('ko', {
          checksumUrl: `${base}/sums`,
          checksumEntry: 'ko.tar.gz',
          archiveMember: 'ko',
        }),
      });
      expect(await readFile(path, 'utf8')).to.equal('ko-binary');
    });

    it('fails fast with the URL and the manual route when the site cannot be reached', async () => {
      const started = Date.now();
      const pins = pinsWith('kind', {});
      pins.kind.assets['linux-amd64']!.checksumUrl = 'http://127.0.0.1:1/kind.sha256sum';
      const error = await installTool('kind', { root, platform: 'linux-amd64', pins }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(InstallError);
      expect((error as Error).message)
        .to.include('http://127.0.0.1:1/kind.sha256sum')
        .and.include('by hand');
      expect(Date.now() - started).to.be.below(5000);
    });
  });
});
