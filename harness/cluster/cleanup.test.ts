import { expect } from 'chai';
import { cleanupByLabel, createLabelledNetwork } from './cleanup.ts';
import { FakeRunner } from './fake-runner.ts';

describe('cleanupByLabel', () => {
  it('removes containers, then networks, then the run’s clusters, found by label', async () => {
    const runner = new FakeRunner()
      .on('docker ps --all --quiet --filter label=kpc.knative.dev/run=r1', { stdout: 'c1\nc2\n' })
      .on('docker network ls --quiet --filter label=kpc.knative.dev/run=r1', { stdout: 'n1\n' });
    const destroyed: string[] = [];
    const report = await cleanupByLabel('r1', {
      runner,
      clusters: {
        destroyCreatedBy: async (runId) => {
          destroyed.push(runId);
          return ['kpc-baseline'];
        },
      },
    });
    expect(report).to.deep.equal({ containers: ['c1', 'c2'], networks: ['n1'], clusters: ['kpc-baseline'] });
    expect(destroyed).to.deep.equal(['r1']);
    expect(runner.lines()).to.deep.equal([
      'docker ps --all --quiet --filter label=kpc.knative.dev/run=r1',
      'docker rm --force --volumes c1 c2',
      'docker network ls --quiet --filter label=kpc.knative.dev/run=r1',
      'docker network rm n1',
    ]);
  });

  it('runs no removal when nothing is left', async () => {
    const runner = new FakeRunner();
    expect(await cleanupByLabel('r2', { runner })).to.deep.equal({
      containers: [],
      networks: [],
      clusters: [],
    });
    expect(runner.lines().filter((l) => / rm /.test(l))).to.deep.equal([]);
  });

  it('creates networks with the run labels', async () => {
    const runner = new FakeRunner().on('docker network create', { stdout: 'abc123\n' });
    const network = await createLabelledNetwork('kpc-test', { 'kpc.knative.dev/run': 'r3' }, { runner });
    expect(network.id).to.equal('abc123');
    await network.remove();
    expect(runner.lines()).to.deep.equal([
      'docker network create --label kpc.knative.dev/run=r3 kpc-test',
      'docker network rm abc123',
    ]);
  });
});
