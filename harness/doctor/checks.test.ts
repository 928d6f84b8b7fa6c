import { expect } from 'chai';
import {
  checkCgroup,
  checkDisk,
  checkDocker,
  checkNode,
  checkTool,
  mainJobCanRun,
  runChecks,
} from './checks.ts';
import { CGROUP2_SUPER_MAGIC, type CommandOutput, type Host } from './host.ts';

const GiB = 1024 ** 3;

/** A scripted machine: commands answer from a table, files exist when listed. */
function host(
  over: Partial<Host> & { commands?: Record<string, CommandOutput>; files?: string[] } = {},
): Host {
  const { commands = {}, files = [], ...rest } = over;
  return {
    nodeVersion: 'v20.20.2',
    env: { PATH: '/usr/bin' },
    cwd: '/work',
    run: async (file, args) => commands[[file, ...args].join(' ')],
    exists: async (path) => files.includes(path),
    freeBytes: async () => 50 * GiB,
    cgroupFsType: async () => CGROUP2_SUPER_MAGIC,
    ...rest,
  };
}

const ok = (stdout: string, stderr = ''): CommandOutput => ({ exitCode: 0, stdout, stderr });

describe('doctor checks', () => {
  it('accepts Node 20.19+ and current releases, rejects older ones with the fix', () => {
    expect(checkNode(host({ nodeVersion: 'v20.19.0' })).status).to.equal('ok');
    expect(checkNode(host({ nodeVersion: 'v26.12.1' })).status).to.equal('ok');
    const old = checkNode(host({ nodeVersion: 'v20.18.3' }));
    expect(old.status).to.equal('fail');
    expect(old.fix).to.match(/Node 20\.19/);
  });

  it('tells a missing docker CLI from an engine that does not answer', async () => {
    expect((await checkDocker(host())).detail).to.equal('docker CLI not found');
    const down = await checkDocker(
      host({
        commands: {
          'docker version --format {{.Server.Version}}': {
            exitCode: 1,
            stdout: '',
            stderr: 'Cannot connect',
          },
        },
      }),
    );
    expect(down).to.include({ status: 'fail', detail: 'no engine socket at /var/run/docker.sock' });
    const up = await checkDocker(
      host({ commands: { 'docker version --format {{.Server.Version}}': ok('28.2.2\n') } }),
    );
    expect(up).to.include({ status: 'ok', detail: 'engine 28.2.2 at unix:///var/run/docker.sock' });
  });

  it('prefers .kpc/bin over PATH and checks the pinned version', async () => {
    const pinned = await checkTool(
      host({
        files: ['/work/.kpc/bin/kind', '/usr/bin/kind'],
        commands: { '/work/.kpc/bin/kind version': ok('kind v0.33.0 go1.25 linux/amd64') },
      }),
      'kind',
    );
    expect(pinned).to.include({ status: 'ok', detail: 'v0.33.0 at /work/.kpc/bin/kind' });
    const other = await checkTool(
      host({
        files: ['/usr/bin/kind'],
        commands: { '/usr/bin/kind version': ok('kind v0.29.0 go1.24 linux/amd64') },
      }),
      'kind',
    );
    expect(other.status).to.equal('warn');
    expect(other.detail).to.include('v0.29.0').and.include('v0.33.0');
  });

  it('fails on a missing kind (main job) but only warns on a missing ko (images build)', async () => {
    const kind = await checkTool(host(), 'kind');
    expect(kind.status).to.equal('fail');
    expect(kind.fix).to.include('scripts/install-tools').and.include('kind.sigs.k8s.io');
    expect((await checkTool(host(), 'ko')).status).to.equal('warn');
  });

  it('reads ko’s bare version string', async () => {
    const ko = await checkTool(
      host({ files: ['/usr/bin/ko'], commands: { '/usr/bin/ko version': ok('0.19.1\n') } }),
      'ko',
    );
    expect(ko.status).to.equal('ok');
  });

  it('fails below the disk floor and on cgroup v1', async () => {
    expect((await checkDisk(host({ freeBytes: async () => 2 * GiB }))).status).to.equal('fail');
    expect((await checkDisk(host({ freeBytes: async () => 10 * GiB }))).status).to.equal('warn');
    expect((await checkCgroup(host({ cgroupFsType: async () => 0x01021994 }))).status).to.equal('fail');
    expect((await checkCgroup(host())).status).to.equal('ok');
  });

  it('lets the main job run only when no row failed', async () => {
    const ready = host({
      files: ['/usr/bin/kind', '/usr/bin/kubectl', '/usr/bin/ko'],
      commands: {
        'docker version --format {{.Server.Version}}': ok('28.2.2'),
        '/usr/bin/kind version': ok('kind v0.33.0 go1.25 linux/amd64'),
        '/usr/bin/kubectl version --client': ok('Client Version: v1.37.0'),
        '/usr/bin/ko version': ok('0.19.1'),
        'java -version': ok('', 'openjdk version "17.0.15" 2025-04-15'),
      },
    });
    const results = await runChecks(ready);
    expect(results.map((r) => r.status)).to.deep.equal(Array(8).fill('ok'));
    expect(mainJobCanRun(results)).to.equal(true);
    expect(mainJobCanRun(await runChecks(host()))).to.equal(false);
  });
});
