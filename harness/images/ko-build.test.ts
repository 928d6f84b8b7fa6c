import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeRunner } from '../cluster/fake-runner.ts';
import { imageSetSchema } from './image-set.ts';
import {
  buildComponents,
  componentOfRef,
  koBuildInvocation,
  nodePlatform,
  parseComponents,
  refsByComponent,
} from './ko-build.ts';

const hex = (c: string) => c.repeat(64);
const all = [
  'knative.dev/serving/cmd/controller',
  'knative.dev/serving/cmd/webhook',
  'knative.dev/serving/cmd/activator',
  'knative.dev/serving/cmd/autoscaler',
  'knative.dev/serving/cmd/queue',
];

describe('ko builds of Knative components', () => {
  it('side-loads into the variant’s kind cluster with -B, one platform and an image-refs file', () => {
    const { args, env } = koBuildInvocation({
      target: { kind: 'kind', cluster: 'kpc-candidate' },
      platform: 'linux/arm64',
      refsFile: '/out/refs',
    });
    expect(args).to.deep.equal([
      'build',
      '-B',
      '--platform=linux/arm64',
      '--image-refs=/out/refs',
      '--sbom=none',
      ...all,
    ]);
    expect(env).to.deep.equal({ KO_DOCKER_REPO: 'kind.local', KIND_CLUSTER_NAME: 'kpc-candidate' });
  });

  it('pushes to a registry repository instead when asked, building only the chosen components', () => {
    const { args, env } = koBuildInvocation({
      components: ['queue-proxy', 'controller'],
      target: { kind: 'registry', repository: 'localhost:5001/knative' },
      platform: 'linux/amd64',
      refsFile: 'r',
    });
    expect(args.slice(5)).to.deep.equal([
      'knative.dev/serving/cmd/queue',
      'knative.dev/serving/cmd/controller',
    ]);
    expect(env).to.deep.equal({ KO_DOCKER_REPO: 'localhost:5001/knative' });
  });

  it('maps import paths to components (queue → queue-proxy) and refuses unknown names', () => {
    expect(parseComponents(['queue,controller', 'webhook'])).to.deep.equal([
      'controller',
      'webhook',
      'queue-proxy',
    ]);
    expect(parseComponents([])).to.deep.equal([]);
    expect(() => parseComponents(['controler'])).to.throw(
      'unknown component controler: expected controller, webhook, activator, autoscaler, queue-proxy',
    );
    expect(componentOfRef(`kind.local/queue:${hex('a')}`)).to.equal('queue-proxy');
    expect(componentOfRef(`localhost:5001/knative/autoscaler@sha256:${hex('b')}`)).to.equal('autoscaler');
    expect(componentOfRef(`localhost:5001/knative/autoscaler-hpa@sha256:${hex('b')}`)).to.equal(undefined);
  });

  it('matches refs by name whatever order ko finished in, and names what is missing', () => {
    const text = [
      `kind.local/webhook:${hex('2')}`,
      `kind.local/controller:${hex('1')}`,
      `kind.local/controller:${hex('9')}`,
      '',
    ].join('\n');
    expect(refsByComponent(text, ['controller', 'webhook'])).to.deep.equal({
      controller: `kind.local/controller:${hex('1')}`,
      webhook: `kind.local/webhook:${hex('2')}`,
    });
    expect(() => refsByComponent(text, ['controller', 'activator'])).to.throw(
      'ko reported no image for activator',
    );
  });

  it('builds from the checkout and returns a valid image set with its commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpc-ko-'));
    const serving = join(dir, 'serving');
    mkdirSync(serving);
    writeFileSync(join(serving, 'go.mod'), 'module knative.dev/serving\n\ngo 1.24\n');
    const runner = new FakeRunner()
      .on(`git -C ${serving} rev-parse HEAD`, { stdout: `${'d'.repeat(40)}\n` })
      .on(`git -C ${serving} status --porcelain`, {
        stdout: ' M pkg/reconciler/revision/resources/deploy.go\n',
      })
      .on('ko build', (call) => {
        const refsFile = call.args.find((a) => a.startsWith('--image-refs='))!.slice('--image-refs='.length);
        writeFileSync(refsFile, `kind.local/queue:${hex('e')}\nkind.local/controller:${hex('f')}\n`);
        return {};
      });
    const set = await buildComponents({
      servingDir: serving,
      components: ['controller', 'queue-proxy'],
      target: { kind: 'kind', cluster: 'kpc-candidate' },
      platform: 'linux/amd64',
      refsFile: join(dir, 'refs'),
      runner,
      now: () => new Date('2026-11-27T10:00:00Z'),
    });
    expect(set).to.deep.equal({
      version: 1,
      components: {
        controller: `kind.local/controller:${hex('f')}`,
        'queue-proxy': `kind.local/queue:${hex('e')}`,
      },
      source: { serving, commit: 'd'.repeat(40), dirty: true },
      target: { kind: 'kind', cluster: 'kpc-candidate' },
      platform: 'linux/amd64',
      builtAt: '2026-11-27T10:00:00.000Z',
    });
    expect(imageSetSchema.safeParse(set).success).to.equal(true);
    const ko = runner.find('ko build')[0]!;
    expect(ko.cwd).to.equal(serving);
    expect(ko.env).to.deep.equal({ KO_DOCKER_REPO: 'kind.local', KIND_CLUSTER_NAME: 'kpc-candidate' });
  });

  it('refuses a folder that is not a knative/serving checkout before running anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpc-ko-'));
    const options = {
      target: { kind: 'kind', cluster: 'c' } as const,
      platform: 'linux/amd64',
      refsFile: join(dir, 'r'),
    };
    const runner = new FakeRunner();
    const none = await buildComponents({ ...options, servingDir: dir, runner }).catch(
      (e: Error) => e.message,
    );
    expect(none).to.equal(`${dir} is not a knative/serving checkout: it has no go.mod`);
    writeFileSync(join(dir, 'go.mod'), 'module knative.dev/eventing\n');
    const other = await buildComponents({ ...options, servingDir: dir, runner }).catch(
      (e: Error) => e.message,
    );
    expect(other).to.match(/its go.mod does not declare module knative.dev\/serving$/);
    expect(runner.calls).to.have.length(0);
  });

  it('reads the node platform from the Docker engine', async () => {
    const runner = new FakeRunner().on('docker version', { stdout: 'linux/arm64\n' });
    expect(await nodePlatform(runner)).to.equal('linux/arm64');
    expect(runner.lines()).to.deep.equal(["docker version --format '{{.Server.Os}}/{{.Server.Arch}}'"]);
    const windows = new FakeRunner().on('docker version', { stdout: 'windows/amd64\n' });
    expect(await nodePlatform(windows).catch((e: Error) => e.message)).to.match(/kind nodes need linux/);
  });
});
