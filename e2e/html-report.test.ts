import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runKpc } from '../harness/cli/in-process.ts';
import { publicWorkloadImages } from '../harness/config/images.ts';
import { type FakeApiServer, startFakeApiServer, webhookDenial } from '../harness/testing/index.ts';

/**
 * The HTML report of a real `kpc run` against the fake API server: the admission scenario, whose webhook
 * behaviour is scripted from knative-facts.md §1.4 (sidecar probes denied unless multi-container-probing
 * is Enabled, with the fields listed after §1.2 defaulting).
 */
describe('the Allure HTML report of a run against the fake API server', function () {
  this.timeout(120_000);
  let server: FakeApiServer;
  let out: string;
  let run: Awaited<ReturnType<typeof runKpc>>;

  before(async () => {
    server = await startFakeApiServer({ namespaces: ['knative-serving'] });
    server.admission((req) => {
      if (req.resource.kind !== 'Service' || req.operation === 'DELETE') return undefined;
      const features = server.store.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'knative-serving',
        name: 'config-features',
      });
      const mcp = String(
        (features as { data?: Record<string, string> } | undefined)?.data?.['multi-container-probing'] ??
          'Disabled',
      );
      const containers =
        (
          req.object as {
            spec?: {
              template?: { spec?: { containers?: { readinessProbe?: { periodSeconds?: number } }[] } };
            };
          }
        )?.spec?.template?.spec?.containers ?? [];
      const probe = containers[1]?.readinessProbe;
      if (!probe || mcp.toLowerCase() === 'enabled') return undefined;
      const base = 'spec.template.spec.containers[1].readinessProbe';
      const fields = probe.periodSeconds
        ? [
            base,
            `${base}.failureThreshold`,
            `${base}.periodSeconds`,
            `${base}.successThreshold`,
            `${base}.timeoutSeconds`,
          ]
        : [base, `${base}.successThreshold`];
      return webhookDenial(
        'validation.webhook.serving.knative.dev',
        `validation failed: must not set the field(s): ${fields.join(', ')}`,
      );
    });
    out = await mkdtemp(join(tmpdir(), 'kpc-html-'));
    run = await runKpc([
      'run',
      '--kubeconfig',
      `candidate=${await server.writeKubeconfig()}`,
      '--variant',
      'candidate',
      '--no-install',
      // The public, digest-pinned images; probe-lint would pull them, which needs Docker and a registry.
      '--public-images',
      '--skip-probe-lint',
      '--scenarios',
      'scenarios/sidecar-probe-mcp-disabled.yaml',
      '--out',
      out,
    ]);
  });
  after(async () => {
    await server.close();
    await rm(out, { recursive: true, force: true });
  });

  it('passes the four admission cases and says so on every view', async () => {
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('4 cases: 4 passed, 0 flaky, 0 failed, 0 broken, 0 skipped');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).to.include(
      '| candidate | 4 | 4 | 0 | 0 | 0 | 0 |',
    );
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).to.include(
      'tests="4" failures="0" errors="0" skipped="0"',
    );
  });

  it('renders {{ images.workload }} as the public image pinned by digest', async () => {
    const manifests = (await readdir(join(out, 'cases', 'candidate'), { recursive: true })).filter((f) =>
      String(f).endsWith('service.yaml'),
    );
    expect(manifests).to.have.length(4);
    for (const file of manifests) {
      const text = await readFile(join(out, 'cases', 'candidate', String(file)), 'utf8');
      expect(text).to.include(`image: ${publicWorkloadImages.workload}`);
    }
  });

  it('holds every case with its trace, timeline and manifest attached', async function () {
    const data = join(out, 'allure-report', 'data');
    const generated = await readdir(data).then(
      () => true,
      () => false,
    );
    if (!generated) {
      process.stdout.write('      skipped: no HTML report was generated here (no Java?)\n');
      this.skip();
    }
    const files = (await readdir(join(data, 'test-cases'))).filter((f) => f.endsWith('.json'));
    const cases = await Promise.all(
      files.map(
        async (f) =>
          JSON.parse(await readFile(join(data, 'test-cases', f), 'utf8')) as {
            name: string;
            status: string;
            testStage: { attachments: { name: string; source: string }[] };
          },
      ),
    );
    expect(cases.map((c) => `${c.name}:${c.status}`).sort()).to.deep.equal([
      'sidecar-probe-mcp-disabled[mcp=Allowed,probe=bare]:passed',
      'sidecar-probe-mcp-disabled[mcp=Allowed,probe=period]:passed',
      'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]:passed',
      'sidecar-probe-mcp-disabled[mcp=Disabled,probe=period]:passed',
    ]);
    const stored = new Set(await readdir(join(data, 'attachments')));
    for (const c of cases) {
      const names = c.testStage.attachments.map((a) => a.name);
      expect(names, c.name).to.include.members(['trace.jsonl', 'timeline.svg', 'service.yaml']);
      for (const a of c.testStage.attachments)
        expect(stored.has(a.source), `${c.name}: ${a.name}`).to.equal(true);
    }
  });
});
