/**
 * The whole pipeline — load, expand, apply, record, judge, verdict, results.json/junit.xml/summary.md —
 * through `kpc run`, against two fake clusters scripted from the fact sheets: Knative v1.17.2 for
 * `baseline` (no sidecar exec fix) and v1.18.0 for `candidate`. A second run, on a deliberately
 * mis-scripted candidate, must fail its cases with explanations that name the expectation. Both runs
 * start together; the catalogue run's length is its longest fixed window (the seed scenario's 30 s hold
 * on baseline).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runKpc } from '../harness/cli/in-process.ts';
import { readTrace, type TraceLine, type WatchLine } from '../harness/observe/trace.ts';
import { caseStatus, decidingAttempt } from '../harness/report/verdict.ts';
import {
  type ContainerSpec,
  type FakeIngress,
  internalErrorMessage,
  type KubernetesObject,
  setCondition,
  startFakeIngress,
  unreadyMessage,
  webhookDenial,
} from '../harness/testing/index.ts';
import {
  junitName,
  kpcRun,
  type RunOutput,
  type ScriptedCluster,
  scriptedCluster,
  statusOf,
  summaryCell,
} from './scripted-clusters.ts';

const scenario = (name: string) => `scenarios/${name}.yaml`;

/** Every case each variant runs, with the verdict the fact sheets predict. */
const expected: { id: string; baseline?: string; candidate: string }[] = [
  { id: 'sidecar-exec-readiness-immediate', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-exec-readiness-file-gated[timing=p1]', baseline: 'passed', candidate: 'passed' },
  // Only the candidate: its baseline waits a fixed 60 s for a deadline that never applies.
  { id: 'sidecar-exec-readiness-never-passes', candidate: 'passed' },
  { id: 'sidecar-readiness-lost', baseline: 'passed', candidate: 'passed' },
  { id: 'update-adds-bad-sidecar', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-probe-mcp-disabled[mcp=Disabled,probe=period]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-probe-mcp-disabled[mcp=Allowed,probe=bare]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-probe-mcp-disabled[mcp=Allowed,probe=period]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-named-port-or-portless-grpc[probe=httpGet-named]', baseline: 'passed', candidate: 'passed' },
  {
    id: 'sidecar-named-port-or-portless-grpc[probe=tcpSocket-named]',
    baseline: 'passed',
    candidate: 'passed',
  },
  { id: 'sidecar-named-port-or-portless-grpc[probe=grpc-no-port]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-port-probes[handler=httpGet]', baseline: 'passed', candidate: 'passed' },
  { id: 'sidecar-port-probes[handler=tcpSocket]', baseline: 'passed', candidate: 'passed' },
  { id: 'serving-exec-readiness[mcp=Disabled]', baseline: 'passed', candidate: 'passed' },
  { id: 'serving-exec-readiness[mcp=Enabled]', baseline: 'passed', candidate: 'passed' },
];

const catalogue = [
  'sidecar-exec-readiness-immediate',
  'sidecar-exec-readiness-file-gated',
  'sidecar-exec-readiness-never-passes',
  'sidecar-readiness-lost',
  'update-adds-bad-sidecar',
  'sidecar-probe-mcp-disabled',
  'sidecar-named-port-or-portless-grpc',
  'sidecar-port-probes',
  'serving-exec-readiness',
].map(scenario);

/** The files a catalogue container's command creates at start (`touch /tmp/ready; …`, `echo … > /tmp/index.html`). */
const files = (container: ContainerSpec): string[] => {
  const command = (container.command as string[] | undefined)?.join(' ') ?? '';
  return ['/tmp/ready', '/tmp/index.html'].filter(
    (f) => command.includes(`touch ${f}`) || command.includes(`> ${f}`),
  );
};

const podRef = (pod: KubernetesObject) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  namespace: pod.metadata!.namespace!,
  name: pod.metadata!.name!,
});

/** Mis-scripting: the sidecar (and so the pod) reports ready for `forMs`, although its probe file does not exist. */
function readyGlitch(cluster: ScriptedCluster, atMs: number, forMs: number): void {
  const flip = (ready: boolean) => (pod: KubernetesObject) => {
    const status = (pod as { status: { containerStatuses: { name: string; ready: boolean }[] } }).status;
    const statuses = status.containerStatuses;
    const containerStatuses = statuses.map((c) => (c.name === 'sidecar' ? { ...c, ready } : c));
    const unready = containerStatuses.filter((c) => !c.ready).map((c) => c.name);
    const condition = unready.length
      ? { status: 'False' as const, reason: 'ContainersNotReady', message: unreadyMessage(unready) }
      : { status: 'True' as const };
    const next = { ...pod, status: { ...status, containerStatuses } } as KubernetesObject;
    return ['ContainersReady', 'Ready'].reduce(
      (p, type) => setCondition(p, { type, ...condition }, { style: 'kubernetes' }),
      next,
    );
  };
  cluster.server.react({
    on: { apiVersion: 'v1', kind: 'Pod' },
    steps: [
      { atMs, run: ({ store, trigger }) => void store.mutateStatus(podRef(trigger), flip(true)) },
      {
        atMs: atMs + forMs,
        run: ({ store, trigger }) => void store.mutateStatus(podRef(trigger), flip(false)),
      },
    ],
  });
}

/** Mis-scripting: the webhook's message lacks the successThreshold path that defaulting adds (knative-facts.md §1.2). */
const wrongDenial =
  'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe';

describe('kpc run end to end against fake clusters scripted as Knative v1.17.2 (baseline) and v1.18.0 (candidate)', function () {
  this.timeout(120_000);
  this.slow(60_000);
  let out: string;
  let clusters: ScriptedCluster[] = [];
  let ingress: FakeIngress | undefined;
  let run: RunOutput;
  let misrun: RunOutput;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'kpc-e2e-'));
    const baseline = await scriptedCluster({ version: 'v1.17.2', files });
    // Progress deadlines run at 100 ms per second: the scenario's 30 s after 3 s, the default 600 s after 60 s.
    const candidate = await scriptedCluster({ version: 'v1.18.0', files, deadlineMsPerSecond: 100 });
    const mis = await scriptedCluster({ version: 'v1.18.0', files }, (server) =>
      // Registered before the scripted webhook, so its denial is the one the API server returns.
      server.admission((req) =>
        req.resource.kind === 'Service' && req.name.startsWith('sidecar-probe-mcp-disabled')
          ? webhookDenial('validation.webhook.serving.knative.dev', wrongDenial)
          : undefined,
      ),
    );
    readyGlitch(mis, 4_000, 300);
    clusters = [baseline, candidate, mis];
    ingress = await startFakeIngress(clusters.map((c) => c.server.store));
    [run, misrun] = await Promise.all([
      kpcRun({
        clusters: { baseline, candidate },
        scenarios: catalogue,
        out: join(out, 'catalogue'),
        ingressUrl: ingress.url,
        // The never-passes baseline's fixed 60 s window, and the file-gated p5/defaults cases, are left out.
        grep: '^(?!sidecar-exec-readiness-never-passes \\[baseline\\])(?!sidecar-exec-readiness-file-gated\\[timing=(?:p5|defaults)\\])',
      }),
      kpcRun({
        clusters: { candidate: mis },
        scenarios: [scenario('sidecar-exec-readiness-file-gated'), scenario('sidecar-probe-mcp-disabled')],
        grep: '^sidecar-exec-readiness-file-gated\\[timing=p1\\]|^sidecar-probe-mcp-disabled\\[mcp=Disabled,probe=bare\\]',
        out: join(out, 'mis-scripted'),
      }),
    ]);
  });

  after(async () => {
    await ingress?.close();
    await Promise.all(clusters.map((c) => c.close()));
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('finishes with exit 0 and reports every planned case with the verdict the facts predict', () => {
    expect(run.stderr).to.not.match(/harness error|variant setup failed/);
    const want = expected.flatMap((e) => [
      ...(e.baseline ? [`${e.id} [baseline] ${e.baseline}`] : []),
      `${e.id} [candidate] ${e.candidate}`,
    ]);
    const got = run.results.map((r) => `${r.id} [${r.variant}] ${caseStatus(r)}`);
    const explain = run.results
      .filter((r) => caseStatus(r) !== 'passed')
      .map((r) => `${r.id} [${r.variant}]: ${decidingAttempt(r)?.details}`)
      .join('\n');
    expect(got.sort(), explain).to.deep.equal(want.sort());
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain(`${want.length} cases: ${want.length} passed`);
    for (const c of clusters) expect(c.script.errors.map(String)).to.deep.equal([]);
  });

  it('sidecar-exec-readiness-immediate: baseline repeats the controller error and never deploys; candidate turns Ready and serves', async () => {
    const baseline = await traceOf(run, 'sidecar-exec-readiness-immediate', 'baseline');
    const service = headerOf(baseline).service;
    const errors = objects(baseline, 'Event').filter((e) => e.reason === 'InternalError');
    expect(errors.map((e) => e.message)).to.include(internalErrorMessage(`${service}-00001`, 'sidecar'));
    expect(Math.max(...errors.map((e) => Number(e.count)))).to.be.at.least(2);
    // knative-facts.md §2.3: no Deployment is ever created; the scenario's `never exists` says so too.
    expect(objects(baseline, 'Deployment').concat(objects(baseline, 'Pod'))).to.deep.equal([]);
    expect(detailsOf(run, 'sidecar-exec-readiness-immediate', 'baseline')).to.match(/PASS {2}no-deployment/);
    expect(conditionOf(objects(baseline, 'Service').at(-1)!, 'Ready')).to.include({
      status: 'Unknown',
      reason: 'RevisionMissing',
    });
    expect(detailsOf(run, 'sidecar-exec-readiness-immediate', 'baseline')).to.match(
      /PASS {2}controller-error/,
    );

    const candidate = await traceOf(run, 'sidecar-exec-readiness-immediate', 'candidate');
    const ready = objects(candidate, 'Pod').some((p) =>
      (p.status as { containerStatuses?: { name: string; ready: boolean }[] })?.containerStatuses?.some(
        (c) => c.name === 'sidecar' && c.ready,
      ),
    );
    expect(ready, 'the sidecar turned ready').to.equal(true);
    const served = candidate.filter((l) => l.type === 'action' && l.action === 'request');
    expect(served.map((l) => (l as { detail?: { status?: number } }).detail?.status)).to.include(200);
  });

  it('sidecar-exec-readiness-file-gated[timing=p1]: kubelet Unhealthy events before the file, ready within the probe bound after touch', async () => {
    const lines = await traceOf(run, 'sidecar-exec-readiness-file-gated[timing=p1]', 'candidate');
    const touch = lines.find((l) => l.type === 'action' && l.step === 'touch')!;
    const unhealthy = objects(lines, 'Event', (l) => l.seq < touch.seq).filter(
      (e) => e.reason === 'Unhealthy',
    );
    expect(unhealthy.length).to.be.greaterThan(0);
    expect(unhealthy[0]).to.deep.include({ type: 'Warning', message: 'Readiness probe failed: ' });
    expect(unhealthy[0]!.source).to.deep.include({ component: 'kubelet' });
    expect((unhealthy[0]!.involvedObject as { fieldPath?: string }).fieldPath).to.equal(
      'spec.containers{sidecar}',
    );
    // kubelet-probe-facts.md §6 A with P=1, S=1, TO=1: ready by T + 2 s (+1 s slack), judged from the trace.
    expect(detailsOf(run, 'sidecar-exec-readiness-file-gated[timing=p1]', 'candidate')).to.match(
      /PASS {2}sidecar-ready/,
    );
  });

  it("sidecar-readiness-lost: the private Service's ready addresses drop to 0 within the probe bound after the file goes", async () => {
    // kubelet-probe-facts.md §4: the endpoint follows Pod Ready; the scripted EndpointSlice controller writes it.
    const lines = await traceOf(run, 'sidecar-readiness-lost', 'candidate');
    const service = headerOf(lines).service;
    const readyCounts = objects(lines, 'EndpointSlice')
      .filter(
        (s) =>
          (s.metadata as { labels?: Record<string, string> }).labels?.['kubernetes.io/service-name'] ===
          `${service}-00001-private`,
      )
      .map(
        (s) =>
          ((s.endpoints ?? []) as { conditions?: { ready?: boolean } }[]).filter((e) => e.conditions?.ready)
            .length,
      );
    expect(readyCounts).to.include(1);
    expect(readyCounts.at(-1)).to.equal(0);
    expect(detailsOf(run, 'sidecar-readiness-lost', 'candidate')).to.match(/^PASS {2}endpoints-drop$/m);
  });

  it('sidecar-exec-readiness-never-passes: the Deployment times out and Knative reports ProgressDeadlineExceeded up the chain', async () => {
    const lines = await traceOf(run, 'sidecar-exec-readiness-never-passes', 'candidate');
    const deployment = objects(lines, 'Deployment').at(-1)!;
    const progressing = conditionOf(deployment, 'Progressing');
    expect(progressing).to.include({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(progressing?.message).to.match(
      /^ReplicaSet ".+-deployment-[a-z0-9]{10}" has timed out progressing\.$/,
    );
    expect(conditionOf(objects(lines, 'Revision').at(-1)!, 'Ready')).to.include({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: progressing?.message,
    });
    expect(conditionOf(objects(lines, 'Service').at(-1)!, 'Ready')).to.include({
      status: 'False',
      reason: 'RevisionMissing',
    });
  });

  it('switches multi-container-probing between case groups and confirms each switch by the webhook answer, not a sleep', () => {
    for (const cluster of clusters.slice(0, 2)) {
      const signals = cluster.server.requests.filter(
        (r) => r.path.endsWith('/services/kpc-flag-signal') && r.query.dryRun === 'All',
      );
      const switches = cluster.server.requests.filter((r) =>
        r.path.endsWith('/namespaces/knative-serving/configmaps/config-features'),
      );
      // Three groups (Disabled, Enabled, Allowed): three switches, each confirmed by at least one dry run.
      expect(switches.length).to.equal(3);
      expect(signals.length).to.be.at.least(3);
    }
  });

  it('results.json, junit.xml and summary.md agree on every case', () => {
    for (const views of [run, misrun]) {
      expect(views.junit.size).to.equal(views.results.length);
      for (const r of views.results) {
        expect(views.junit.get(junitName(r))?.status, junitName(r)).to.equal(caseStatus(r));
        expect(views.summary.get(`${r.variant} ${r.title}`), `${r.variant} ${r.title}`).to.equal(
          summaryCell[caseStatus(r)],
        );
        if (caseStatus(r) === 'failed')
          expect(views.junit.get(junitName(r))?.message).to.equal(decidingAttempt(r)?.message);
      }
    }
  });

  it('keeps a trace, timeline and manifest per attempt, and `kpc verify` re-judges every trace to the same verdict', async () => {
    for (const views of [run, misrun]) {
      for (const r of views.results) {
        for (const attempt of r.attempts) {
          const files = attempt.attachments ?? {};
          for (const name of ['trace.jsonl', 'timeline.svg', 'service.yaml']) {
            expect(files[name], `${r.id} [${r.variant}] ${name}`).to.be.a('string');
            await stat(join(views.dir, files[name]!));
          }
          const trace = join(views.dir, files['trace.jsonl']!);
          const lines = await collect(readTrace(trace));
          expect(headerOf(lines)).to.include({ case: r.id, variant: r.variant });
          const verify = await runKpc(['verify', '--scenario', scenario(r.scenario), '--trace', trace]);
          expect(verify.code, `${r.id} [${r.variant}]: ${verify.stdout}${verify.stderr}`).to.equal(
            attempt.status === 'passed' ? 0 : 1,
          );
        }
      }
    }
  });

  describe('a deliberately mis-scripted candidate', () => {
    it('fails the run (exit 1) with both mis-scripted cases FAILED', () => {
      expect(misrun.code).to.equal(1);
      expect(statusOf(misrun, 'sidecar-exec-readiness-file-gated[timing=p1]', 'candidate')).to.equal(
        'failed',
      );
      expect(statusOf(misrun, 'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]', 'candidate')).to.equal(
        'failed',
      );
    });

    it('a Ready that lasted 300 ms between two polls fails the `never` expectation, naming it, when it started and how long it held', () => {
      const attempt = decidingAttempt(
        misrun.results.find((r) => r.id === 'sidecar-exec-readiness-file-gated[timing=p1]')!,
      )!;
      expect(attempt.message).to.match(
        /^sidecar-not-ready-before-file: container sidecar of any Pod was ready at \+/,
      );
      expect(attempt.details).to.match(/FAIL {2}sidecar-not-ready-before-file/);
      expect(attempt.details).to.match(/FAIL {2}pod-not-ready-before-file/);
      const held = /held until \+[\d.]+s \((0\.\d+)s\)/.exec(attempt.details ?? '');
      expect(held, attempt.details).to.not.equal(null);
      expect(Number(held![1])).to.be.within(0.1, 1);
      // The rest of the case still behaved: the file gate itself passed.
      expect(attempt.details).to.match(/PASS {2}sidecar-ready/);
    });

    it('a wrong admission message fails the rejection with a word diff of the message', () => {
      const attempt = decidingAttempt(
        misrun.results.find((r) => r.id === 'sidecar-probe-mcp-disabled[mcp=Disabled,probe=bare]')!,
      )!;
      expect(attempt.message).to.match(
        /^create is rejected: step create was not rejected by validation\.webhook/,
      );
      expect(attempt.details).to.contain(
        `diff ${wrongDenial}[-, spec.template.spec.containers[1].readinessProbe.successThreshold-]`,
      );
    });
  });
});

type Line = TraceLine & { seq: number };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function traceOf(views: RunOutput, id: string, variant: string): Promise<Line[]> {
  const result = views.results.find((r) => r.id === id && r.variant === variant);
  const file = result?.attempts.at(-1)?.attachments?.['trace.jsonl'];
  if (!file) throw new Error(`no trace for ${id} [${variant}]`);
  return collect(readTrace(join(views.dir, file)));
}

const headerOf = (lines: TraceLine[]): Record<string, unknown> =>
  (lines.find((l) => l.type === 'note' && l.header) as { header?: Record<string, unknown> })?.header ?? {};

/** The objects of a kind as recorded (every state, in order), optionally only lines passing `where`. */
function objects(
  lines: Line[],
  kind: string,
  where: (l: Line) => boolean = () => true,
): Record<string, unknown>[] {
  return lines
    .filter((l): l is Line & WatchLine => l.type === 'watch' && l.object.kind === kind && where(l))
    .map((l) => l.object as Record<string, unknown>);
}

const conditionOf = (o: Record<string, unknown>, type: string) =>
  (
    o.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] }
  )?.conditions?.find((c) => c.type === type);

const detailsOf = (views: RunOutput, id: string, variant: string): string =>
  decidingAttempt(views.results.find((r) => r.id === id && r.variant === variant)!)?.details ?? '';
