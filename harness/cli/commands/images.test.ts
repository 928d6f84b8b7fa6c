import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadImageSet } from '../../images/image-set.ts';
import { runKpc } from '../in-process.ts';

const hex = (c: string) => c.repeat(64);

/** Stand-ins for ko, git, docker and kind on PATH: each logs its argv (and ko its env) and answers. */
function fakeTools(dir: string): { env: NodeJS.ProcessEnv; log: () => string[] } {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls.log');
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$KPC_FAKE_LOG"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool(
    'ko',
    `echo "ko-env KO_DOCKER_REPO=$KO_DOCKER_REPO KIND_CLUSTER_NAME=$KIND_CLUSTER_NAME" >> "$KPC_FAKE_LOG"
for a in "$@"; do case "$a" in --image-refs=*) refs="\${a#--image-refs=}";; esac; done
printf 'kind.local/queue:${hex('e')}\\nkind.local/controller:${hex('f')}\\n' > "$refs"
echo "building..." >&2`,
  );
  tool('git', `case "$*" in *rev-parse*) echo ${'a'.repeat(40)};; esac`);
  tool('docker', `case "$*" in "version "*) echo linux/amd64;; "image inspect"*) exit 1;; esac`);
  tool('kind', '');
  return {
    env: { PATH: `${bin}:${process.env.PATH}`, KPC_FAKE_LOG: log },
    log: () => readFileSync(log, 'utf8').trim().split('\n'),
  };
}

describe('kpc images', () => {
  let dir: string;
  let tools: ReturnType<typeof fakeTools>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kpc-images-cli-'));
    tools = fakeTools(dir);
  });

  it('build: runs ko for the variant’s kind cluster and writes an image set run --candidate accepts', async () => {
    mkdirSync(join(dir, 'serving'));
    writeFileSync(join(dir, 'serving/go.mod'), 'module knative.dev/serving\n');
    const result = await runKpc(
      [
        'images',
        'build',
        '--serving',
        'serving',
        '--components',
        'controller',
        'queue',
        '--out',
        'out/set.json',
      ],
      { env: tools.env, cwd: dir },
    );
    expect(result.stderr).to.include('ko: building...');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`controller   kind.local/controller:${hex('f')}`);
    expect(result.stdout).to.include(`wrote out/set.json (serving ${'a'.repeat(12)})`);
    const set = await loadImageSet(join(dir, 'out/set.json'));
    expect(set.components).to.deep.equal({
      controller: `kind.local/controller:${hex('f')}`,
      'queue-proxy': `kind.local/queue:${hex('e')}`,
    });
    expect(set.source).to.deep.equal({ serving: join(dir, 'serving'), commit: 'a'.repeat(40) });
    expect(set.target).to.deep.equal({ kind: 'kind', cluster: 'kpc-candidate' });
    expect(tools.log()).to.deep.equal([
      'docker version --format {{.Server.Os}}/{{.Server.Arch}}',
      `git -C ${join(dir, 'serving')} rev-parse HEAD`,
      `git -C ${join(dir, 'serving')} status --porcelain`,
      `ko build -B --platform=linux/amd64 --image-refs=${join(dir, 'out/set.json.refs')} --sbom=none knative.dev/serving/cmd/controller knative.dev/serving/cmd/queue`,
      'ko-env KO_DOCKER_REPO=kind.local KIND_CLUSTER_NAME=kpc-candidate',
    ]);
  });

  it('build: an unknown component, a non-checkout or a missing tool is unusable input (exit 2)', async () => {
    const notServing = await runKpc(['images', 'build', '--serving', 'nowhere'], {
      env: tools.env,
      cwd: dir,
    });
    expect(notServing.code).to.equal(2);
    expect(notServing.stderr).to.equal(
      `kpc images build: --serving ${join(dir, 'nowhere')} is not a knative/serving checkout: it has no go.mod\n`,
    );
    mkdirSync(join(dir, 's'));
    writeFileSync(join(dir, 's/go.mod'), 'module knative.dev/serving\n');
    const bad = await runKpc(['images', 'build', '--serving', 's', '--components', 'router'], {
      env: tools.env,
      cwd: dir,
    });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal(
      'kpc images build: unknown component router: expected controller, webhook, activator, autoscaler, queue-proxy\n',
    );
    const noKo = await runKpc(['images', 'build', '--serving', 's', '--platform', 'linux/amd64'], {
      env: { PATH: '/nonexistent' },
      cwd: dir,
    });
    expect(noKo.code).to.equal(2);
    expect(noKo.stderr).to.match(/^git: command not found/);
  });

  it('load: builds each image folder by content tag, loads it into kpc-<variant> and writes the map', async () => {
    mkdirSync(join(dir, 'imgs/web'), { recursive: true });
    writeFileSync(join(dir, 'imgs/web/Dockerfile'), 'FROM scratch\n');
    const result = await runKpc(
      ['images', 'load', '--variant', 'candidate', '--images-dir', 'imgs', '--out', 'map.json'],
      {
        env: tools.env,
        cwd: dir,
      },
    );
    expect(result.code, result.stderr).to.equal(0);
    const map = JSON.parse(readFileSync(join(dir, 'map.json'), 'utf8'));
    const ref = map.images.web as string;
    expect(ref).to.match(/^dev\.local\/kpc\/web:[0-9a-f]{12}$/);
    expect(result.stdout).to.include(`built   ${ref}`);
    const calls = tools.log();
    expect(calls[0]).to.equal(`docker image inspect --format {{.Id}} ${ref}`);
    expect(calls[1]).to.match(new RegExp(`^docker build --tag ${ref.replace(/\./g, '\\.')} /`));
    expect(calls[2]).to.equal(`kind load docker-image ${ref} --name kpc-candidate`);
  });

  it('load: names the image folders it has when asked for another', async () => {
    mkdirSync(join(dir, 'imgs/web'), { recursive: true });
    writeFileSync(join(dir, 'imgs/web/Dockerfile'), 'FROM scratch\n');
    const result = await runKpc(['images', 'load', '--images-dir', 'imgs', '--only', 'db'], {
      env: tools.env,
      cwd: dir,
    });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('kpc images load: no image folder db in imgs (has: web)\n');
  });
});
