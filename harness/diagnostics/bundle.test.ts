import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { KubernetesObject } from '../kube/types.ts';
import { collectDiagnostics, type DiagnosticsSource } from './bundle.ts';

const pod: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'hello-00001-deployment-abc',
    namespace: 'case-1',
    managedFields: [{ manager: 'kubelet' }],
  },
  spec: {
    containers: [
      {
        name: 'sidecar',
        env: [
          { name: 'API_TOKEN', value: 's3cr3t-value' },
          { name: 'PORT', value: '8882' },
        ],
      },
    ],
  },
  status: {
    containerStatuses: [
      { name: 'sidecar', restartCount: 1 },
      { name: 'user-container', restartCount: 0 },
    ],
  },
};

function source(
  over: Partial<Record<string, KubernetesObject[]>> = {},
  failing: string[] = [],
): DiagnosticsSource & { logCalls: string[] } {
  const logCalls: string[] = [];
  return {
    logCalls,
    async list(_apiVersion, kind, options) {
      if (failing.includes(kind))
        throw new Error(`${kind} list failed: Authorization: Bearer abcdefghijklmnop`);
      if (kind === 'Pod' && options?.namespace === 'knative-serving') {
        return [{ kind: 'Pod', metadata: { name: `${options.labelSelector?.slice(4)}-xyz` } }];
      }
      return over[kind] ?? [];
    },
    async logs(target, options) {
      logCalls.push(`${target.pod}/${target.container}${options?.previous ? ' previous' : ''}`);
      if (target.namespace === 'knative-serving') {
        return 'unrelated line\nreconciling case-1/hello-00001: failed to create deployment\nother namespace line\n';
      }
      return `log of ${target.container}\n`;
    },
  };
}

describe('diagnostic bundle', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-diag-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('collects objects, events, current and previous logs, and the Knative lines about the case', async () => {
    const src = source({
      Pod: [pod],
      Event: [{ kind: 'Event', metadata: { name: 'e1' }, reason: 'Unhealthy' }],
    });
    const manifest = await collectDiagnostics(src, { namespace: 'case-1', mentions: ['hello'], outDir: dir });
    expect(manifest.problems).to.deep.equal([]);
    expect(manifest.files).to.include.members([
      'objects.yaml',
      'events.yaml',
      'logs/hello-00001-deployment-abc/sidecar.log',
      'logs/hello-00001-deployment-abc/sidecar.previous.log',
      'logs/hello-00001-deployment-abc/user-container.log',
      'knative/controller.log',
      'README.txt',
    ]);
    expect(src.logCalls).to.not.include('hello-00001-deployment-abc/user-container previous');
    expect(await readFile(join(dir, 'knative/controller.log'), 'utf8')).to.equal(
      'reconciling case-1/hello-00001: failed to create deployment',
    );
  });

  it('leaves no secret in the bundle and no managedFields noise', async () => {
    await collectDiagnostics(source({ Pod: [pod] }, ['Event']), {
      namespace: 'case-1',
      mentions: [],
      outDir: dir,
    });
    const objects = await readFile(join(dir, 'objects.yaml'), 'utf8');
    expect(objects).to.not.include('s3cr3t-value').and.not.include('managedFields');
    expect(objects).to.include('8882');
    const readme = await readFile(join(dir, 'README.txt'), 'utf8');
    expect(readme).to.include('list Events').and.not.include('abcdefghijklmnop');
  });

  it('records what could not be collected instead of throwing', async () => {
    const manifest = await collectDiagnostics(source({}, ['Revision', 'Event']), {
      namespace: 'case-1',
      mentions: [],
      outDir: dir,
    });
    expect(manifest.problems.map((p) => p.split(':')[0])).to.deep.equal(['list Revision', 'list Events']);
    expect(manifest.files).to.include('objects.yaml');
  });
});
