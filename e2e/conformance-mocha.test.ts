/**
 * `npm run conformance:mocha` (e2e/conformance.spec.ts) as users run it: mocha in its own process,
 * `kpc run`'s flags in KPC_RUN_ARGS, mocha's --grep choosing the cases, against a fake cluster
 * scripted as Knative v1.18.0 whose webhook gets one denial wrong.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { readResults } from '../harness/report/results-file.ts';
import { webhookDenial } from '../harness/testing/index.ts';
import { type ScriptedCluster, scriptedCluster } from './scripted-clusters.ts';

const scenario = 'scenarios/sidecar-probe-mcp-disabled.yaml';

type ServiceSpec = {
  template?: { spec?: { containers?: { readinessProbe?: { periodSeconds?: number } }[] } };
};

describe('npm run conformance:mocha: the conformance run as mocha tests', function () {
  this.timeout(120_000);
  this.slow(30_000);
  let cluster: ScriptedCluster;
  let out: string;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'kpc-mocha-'));
    cluster = await scriptedCluster({ version: 'v1.18.0' }, (server) =>
      // Registered before the scripted webhook, so its denial wins: a wrong text for the `bare` probe only.
      server.admission((req) => {
        const sidecar = (req.object as { spec?: ServiceSpec } | undefined)?.spec?.template?.spec
          ?.containers?.[1];
        return req.resource.kind === 'Service' &&
          sidecar?.readinessProbe &&
          !sidecar.readinessProbe.periodSeconds
          ? webhookDenial(
              'validation.webhook.serving.knative.dev',
              'validation failed: not what Knative says',
            )
          : undefined;
      }),
    );
  });
  after(async () => {
    await cluster?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  const mocha = (grep: string, dir: string) =>
    execa('npm', ['run', '--silent', 'conformance:mocha', '--', '--grep', grep, '--reporter', 'dot'], {
      reject: false,
      env: {
        KPC_RUN_ARGS: [
          `--kubeconfig candidate=${cluster.kubeconfig}`,
          '--variant candidate --no-install --public-images --skip-probe-lint',
          `--scenarios ${scenario} --out ${join(out, dir)}`,
        ].join(' '),
      },
    });

  it("runs only the cases mocha's --grep selects, one test each, and fails the one whose verdict failed", async () => {
    const run = await mocha('mcp=Disabled|mcp=Allowed,probe=period', 'some');
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/\b2 passing\b/);
    expect(run.stdout).to.match(/\b1 failing\b/);
    expect(run.stdout).to.include(
      '1) sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare] [candidate] @MUST @sidecar @readiness @admission',
    );
    expect(run.stdout).to.include('{+what+}');
    // Only the selected cases ran: Allowed,bare is neither a mocha result nor in the run's results.
    const results = await readResults(join(out, 'some'));
    expect(results.map((r) => r.id).sort()).to.deep.equal([
      'sidecar-probe-mcp-disabled[mcp=Allowed,probe=period]',
      'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]',
      'sidecar-probe-mcp-disabled[mcp=Disabled,probe=period]',
    ]);
  });

  it('stops with the flag error when KPC_RUN_ARGS is wrong, running nothing', async () => {
    const run = await execa('npm', ['run', '--silent', 'conformance:mocha'], {
      reject: false,
      env: { KPC_RUN_ARGS: '--no-such-flag' },
    });
    expect(run.exitCode).to.not.equal(0);
    expect(run.stderr).to.include("unknown option '--no-such-flag'");
  });
});
