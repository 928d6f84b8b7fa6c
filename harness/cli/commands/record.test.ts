import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildTimeline } from '../../expect/timeline.ts';
import { readTrace } from '../../observe/trace.ts';
import { type FakeApiServer, startFakeApiServer } from '../../testing/index.ts';
import { runKpc } from '../in-process.ts';

describe('kpc record', () => {
  let server: FakeApiServer;
  let dir: string;

  beforeEach(async () => {
    server = await startFakeApiServer({ namespaces: ['demo', 'knative-serving'] });
    dir = mkdtempSync(join(tmpdir(), 'kpc-record-'));
  });

  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a namespace for the given duration into a trace kpc can read back', async () => {
    const kubeconfig = await server.writeKubeconfig(join(dir, 'kubeconfig'));
    const out = join(dir, 'trace.jsonl');
    const recording = runKpc([
      'record',
      '--namespace',
      'demo',
      '--kubeconfig',
      kubeconfig,
      '--duration',
      '700ms',
      '--out',
      out,
    ]);
    setTimeout(() => {
      server.store.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo' } });
    }, 150);
    const { code, stderr } = await recording;
    expect(code, stderr).to.equal(0);
    expect(stderr).to.contain('recording namespace demo');
    expect(stderr).to.match(/Pod: 1 events/);
    const timeline = await buildTimeline(readTrace(out));
    expect(timeline.header).to.deep.include({ namespace: 'demo', recordedBy: 'kpc record' });
    expect(timeline.header?.versions).to.include({ kubernetes: 'v1.37.0' });
    expect([...timeline.objects.keys()]).to.deep.equal(['/Pod/demo/p']);
    expect(timeline.notes.at(-1)?.text).to.equal('recording stopped');
  });

  it('exits 2 on a duration it cannot read', async () => {
    const { code, stderr } = await runKpc([
      'record',
      '--namespace',
      'demo',
      '--duration',
      'soon',
      '--out',
      join(dir, 't'),
    ]);
    expect(code).to.equal(2);
    expect(stderr).to.contain('--duration: not a duration: "soon"');
  });
});
