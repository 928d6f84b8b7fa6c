/**
 * Interrupting a run through the library API: `runConformance` with a RunScope that a test stops as
 * soon as the first case is done. The attempt under way ends as skipped, the case not started yet is
 * skipped, every report is still written for what ran, and no namespace of the run is left behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { RunScope } from '../harness/cluster/run-scope.ts';
import { RUN_LABEL } from '../harness/kube/labels.ts';
import { caseStatus, decidingAttempt } from '../harness/report/verdict.ts';
import { type ConformanceOutcome, runConformance } from '../harness/run/conformance.ts';
import { loadScenarios } from '../harness/scenario/index.ts';
import {
  junitName,
  type RunViews,
  readRunViews,
  type ScriptedCluster,
  scriptedCluster,
  summaryCell,
  workloadImage,
} from './scripted-clusters.ts';

describe('interrupting a run midway (RunScope.stop through runConformance)', function () {
  this.timeout(60_000);
  this.slow(20_000);
  let out: string;
  let cluster: ScriptedCluster;
  let scope: RunScope;
  let outcome: ConformanceOutcome;
  let views: RunViews;
  let stoppedAfterMs = 0;
  let tookMs = 0;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'kpc-e2e-interrupt-'));
    cluster = await scriptedCluster({ version: 'v1.18.0' });
    const files = [
      'sidecar-exec-readiness-file-gated',
      'sidecar-named-port-or-portless-grpc',
      'sidecar-readiness-lost',
    ].map((name) => resolve(`scenarios/${name}.yaml`));
    const loaded = await loadScenarios(files, process.cwd());
    expect(loaded.issues).to.deep.equal([]);
    scope = new RunScope();
    const started = Date.now();
    try {
      // Two at a time, in id order: file-gated (a 15 s hold) and named-port (seconds) start; readiness-lost waits.
      outcome = await runConformance({
        cwd: process.cwd(),
        scenarios: loaded.scenarios,
        variants: [
          {
            variant: { name: 'candidate', release: 'v1.18.0', images: {}, features: {}, deployment: {} },
            cluster: { kind: 'existing', kubeconfigPath: cluster.kubeconfig },
          },
        ],
        outDir: out,
        scope,
        install: false,
        grep: /^(sidecar-exec-readiness-file-gated\[timing=p1\]|sidecar-named-port-or-portless-grpc\[probe=grpc-no-port\]|sidecar-readiness-lost) /,
        repeat: 1,
        retries: 0,
        concurrency: 2,
        images: { workload: workloadImage },
        log: () => {},
        onProgress: (event) => {
          if (event.type === 'case-finished' && !scope.stopping) {
            stoppedAfterMs = Date.now() - started;
            scope.stop('test interrupt');
          }
        },
      });
    } finally {
      await scope.close();
    }
    tookMs = Date.now() - started;
    views = await readRunViews(out);
  });

  after(async () => {
    await cluster?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('exits 130 soon after the stop instead of waiting out the running case', () => {
    expect(outcome.exitCode).to.equal(130);
    expect(stoppedAfterMs).to.be.greaterThan(0);
    // The file-gated case alone would hold for 15 s after its pod is failing.
    expect(
      tookMs - stoppedAfterMs,
      `stopped after ${stoppedAfterMs} ms, ended after ${tookMs} ms`,
    ).to.be.below(10_000);
  });

  it('keeps what ran, ends the running attempt as skipped and skips the case not started', () => {
    const byId = new Map(outcome.results.map((r) => [r.id, r]));
    expect(caseStatus(byId.get('sidecar-named-port-or-portless-grpc[probe=grpc-no-port]')!)).to.equal(
      'passed',
    );
    const running = byId.get('sidecar-exec-readiness-file-gated[timing=p1]')!;
    expect(running.attempts.map((a) => [a.status, a.message])).to.deep.equal([
      ['skipped', 'interrupted before the attempt finished'],
    ]);
    expect(running.attempts[0]!.attachments?.['trace.jsonl']).to.be.a('string');
    const waiting = byId.get('sidecar-readiness-lost')!;
    expect(waiting.attempts.map((a) => [a.status, a.message])).to.deep.equal([
      ['skipped', 'the run was interrupted before this case started'],
    ]);
  });

  it('still writes results.json, junit.xml and summary.md, and they agree', () => {
    expect(views.results.map((r) => `${r.id} ${caseStatus(r)}`).sort()).to.deep.equal(
      outcome.results.map((r) => `${r.id} ${caseStatus(r)}`).sort(),
    );
    for (const r of views.results) {
      expect(views.junit.get(junitName(r))?.status).to.equal(caseStatus(r));
      expect(views.summary.get(`${r.variant} ${r.title}`)).to.equal(summaryCell[caseStatus(r)]);
      if (caseStatus(r) === 'skipped')
        expect(views.junit.get(junitName(r))?.message).to.equal(decidingAttempt(r)?.message);
    }
  });

  it('leaves no namespace labelled with the run id in the cluster', () => {
    const left = cluster.server.store.list('v1', 'Namespace', {
      labelSelector: `${RUN_LABEL}=${scope.runId}`,
    });
    expect(left.map((n) => n.metadata?.name)).to.deep.equal([]);
    // Two attempts created namespaces (and deleted them): the check looked at the right label.
    const created = cluster.server.requests.filter(
      (r) => r.method === 'PATCH' && /^\/api\/v1\/namespaces\/kpc-[^/]+$/.test(r.path),
    );
    expect(created.length).to.equal(2);
  });
});
