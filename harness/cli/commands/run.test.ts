import { expect } from 'chai';
import { publicWorkloadImages } from '../../config/images.ts';
import { CliError } from '../io.ts';
import { prepareRun, type RunFlags } from './run.ts';

const flags = (more: Partial<RunFlags>): RunFlags => ({
  install: false,
  variant: ['baseline', 'candidate'],
  baseline: 'v1.17.2',
  candidate: 'v1.18.0',
  candidateRelease: 'v1.23.0',
  scenarios: ['scenarios/sidecar-probe-mcp-disabled.yaml'],
  repeat: 1,
  retries: 0,
  concurrency: 4,
  out: 'out',
  ...more,
});

describe('kpc run flags → run request', () => {
  it('gives each existing-cluster variant its own ingress URL, or the shared one', async () => {
    const request = await prepareRun(
      flags({
        kubeconfig: ['baseline=a.yaml', 'candidate=b.yaml'],
        ingressUrl: ['candidate=http://127.0.0.1:8081', 'http://127.0.0.1:8080'],
        publicImages: true,
      }),
      process.cwd(),
    );
    expect(
      request.variants.map((p) => [p.variant.name, p.cluster.kind === 'existing' && p.cluster.ingressUrl]),
    ).to.deep.equal([
      ['baseline', 'http://127.0.0.1:8080'],
      ['candidate', 'http://127.0.0.1:8081'],
    ]);
    expect(request.images).to.deep.equal(publicWorkloadImages);
    expect(request.imagesPullable).to.equal(true);
  });

  it('refuses an existing cluster without workload images, naming both ways to give them', async () => {
    const error = await prepareRun(
      flags({ kubeconfig: ['a.yaml'], variant: ['candidate'] }),
      process.cwd(),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CliError);
    expect((error as Error).message).to.include('needs --public-images or --image workload=<ref>');
  });
});
