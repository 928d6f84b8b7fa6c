/**
 * Runner concurrency: 50 scenario cases with scripted durations run at once against the fake API
 * server, and the wall time of the whole run compared with the longest single case run alone.
 *
 *   npx tsx bench/runner-concurrency.ts [--cases 50] [--min 200] [--max 2000]
 *
 * A synthetic scenario (written to a temp dir) has one matrix case per delay, spread evenly from
 * --min to --max ms; each case applies a Service and waits until it is Ready, which a reactor on the
 * fake server sets that many ms after the Service is created. The fake server runs in a worker thread,
 * so its work and the runner's do not share an event loop (as a real API server would not).
 * Phases: the longest case alone, then all cases with a concurrency that admits them all.
 * Target: cases wall / longest single case <= 1.3. Per-attempt time is broken down from the traces
 * (setup before the apply, the scripted wait, noticing Ready, judging and namespace deletion after).
 * The last line is the result as JSON.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { RunScope } from '../harness/cluster/run-scope.ts';
import { readTrace } from '../harness/observe/trace.ts';
import type { CaseResult } from '../harness/report/verdict.ts';
import { runConformance } from '../harness/run/conformance.ts';
import { loadScenarios } from '../harness/scenario/index.ts';
import { setCondition, startFakeApiServer } from '../harness/testing/index.ts';

const delayAnnotation = 'kpc.bench/delay-ms';

/** The worker: a fake API server whose Services turn Ready after their annotated delay. */
async function serve(): Promise<void> {
  const server = await startFakeApiServer({ namespaces: ['knative-serving'] });
  server.react({
    on: { apiVersion: 'serving.knative.dev/v1', kind: 'Service' },
    repeat: true,
    steps: [
      {
        atMs: 0,
        run: async ({ store, trigger, triggerRef, firedAt }) => {
          const annotations = (
            trigger as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }
          ).spec?.template?.metadata?.annotations;
          const delay = Number(annotations?.[delayAnnotation] ?? 0);
          await new Promise((r) => setTimeout(r, Math.max(0, firedAt + delay - Date.now())));
          if (store.get(triggerRef))
            store.mutateStatus(triggerRef, (o) => setCondition(o, { type: 'Ready', status: 'True' }));
        },
      },
    ],
  });
  parentPort!.postMessage({ kubeconfig: await server.writeKubeconfig() });
  parentPort!.once('message', () => void server.close().then(() => parentPort!.postMessage('closed')));
}

function scenarioYaml(delays: number[]): string {
  return `apiVersion: kpc/v1
name: runner-bench
description: A Service the fake server turns Ready after the case's scripted delay (bench/runner-concurrency.ts).
level: MAY
matrix:
  delay: [${delays.map((d) => `'${d}'`).join(', ')}]
service:
  apiVersion: serving.knative.dev/v1
  kind: Service
  spec:
    template:
      metadata:
        annotations:
          ${delayAnnotation}: '{{ params.delay }}'
      spec:
        containers:
          - name: app
            image: '{{ images.workload }}'
            ports: [{ containerPort: 8080 }]
steps:
  - name: create
    apply: {}
  - name: ready
    wait: { until: [service-ready], timeout: 60s }
expectations:
  shared:
    - name: service-ready
      reach: { condition: { object: { kind: Service, name: '{{ service }}' }, type: Ready, status: 'True' } }
`;
}

interface Phase {
  cases: number;
  concurrency: number;
  /** The runConformance call, reports (results.json, JUnit, Allure, HTML) included. */
  runMs: number;
  /** First case started → last case finished. */
  casesMs: number;
  longestAttemptMs: number;
  passed: number;
  breakdown: Breakdown;
}

/** Mean and max per attempt, ms: before the apply, the scripted wait, noticing Ready, after the last trace line. */
type Breakdown = Record<'setup' | 'scripted' | 'notice' | 'teardown', { mean: number; max: number }>;

async function runPhase(options: {
  kubeconfig: string;
  out: string;
  scenarioFile: string;
  grep?: RegExp;
  concurrency: number;
}): Promise<Phase> {
  const loaded = await loadScenarios([options.scenarioFile], process.cwd());
  if (loaded.issues.length) throw new Error(`bench scenario: ${JSON.stringify(loaded.issues)}`);
  const scope = new RunScope();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const started = Date.now();
  const outcome = await runConformance({
    cwd: process.cwd(),
    scenarios: loaded.scenarios,
    variants: [
      {
        variant: { name: 'candidate', release: 'v1.18.0', images: {}, features: {}, deployment: {} },
        cluster: { kind: 'existing', kubeconfigPath: options.kubeconfig },
      },
    ],
    outDir: options.out,
    scope,
    install: false,
    repeat: 1,
    retries: 0,
    concurrency: options.concurrency,
    images: { workload: 'dev.local/kpc/workload:bench' },
    ...(options.grep ? { grep: options.grep } : {}),
    log: () => {},
    onProgress: (event) => {
      if (event.type === 'case-started') first = Math.min(first, Date.now());
      if (event.type === 'case-finished') last = Math.max(last, Date.now());
    },
  }).finally(() => scope.close());
  const runMs = Date.now() - started;
  const attempts = outcome.results.flatMap((r) => r.attempts);
  return {
    cases: outcome.results.length,
    concurrency: options.concurrency,
    runMs,
    casesMs: last - first,
    longestAttemptMs: Math.max(...attempts.map((a) => a.durationMs)),
    passed: outcome.results.filter((r) => r.attempts.at(-1)?.status === 'passed').length,
    breakdown: await breakdown(options.out, outcome.results),
  };
}

async function breakdown(dir: string, results: CaseResult[]): Promise<Breakdown> {
  const rows: Record<keyof Breakdown, number[]> = { setup: [], scripted: [], notice: [], teardown: [] };
  for (const r of results) {
    const attempt = r.attempts.at(-1)!;
    const file = attempt.attachments?.['trace.jsonl'];
    if (!file) continue;
    const start = Date.parse(attempt.startedAt);
    let apply: { startedAt: number; at: number } | undefined;
    let ready: number | undefined;
    let waited: number | undefined;
    let lastLine = start;
    for await (const line of readTrace(join(dir, file))) {
      const at = Date.parse(line.at);
      lastLine = at;
      if (line.type === 'action' && line.step === 'create')
        apply = { startedAt: Date.parse(line.startedAt ?? line.at), at };
      if (line.type === 'action' && line.step === 'ready') waited = at;
      if (
        line.type === 'watch' &&
        ready === undefined &&
        JSON.stringify(line.object).includes('"status":"True"')
      )
        ready = at;
    }
    if (!apply || ready === undefined || waited === undefined) continue;
    const delay = Number(r.parameters.delay);
    rows.setup.push(apply.startedAt - start);
    rows.scripted.push(ready - apply.startedAt - delay);
    rows.notice.push(waited - ready);
    rows.teardown.push(start + attempt.durationMs - lastLine);
  }
  const stat = (xs: number[]) => ({
    mean: Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)),
    max: Math.max(0, ...xs),
  });
  return {
    setup: stat(rows.setup),
    scripted: stat(rows.scripted),
    notice: stat(rows.notice),
    teardown: stat(rows.teardown),
  };
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const count = argument('cases', 50);
  const min = argument('min', 200);
  const max = argument('max', 2000);
  const delays = Array.from({ length: count }, (_, i) =>
    Math.round(min + ((max - min) * i) / Math.max(1, count - 1)),
  );
  const dir = await mkdtemp(join(tmpdir(), 'kpc-bench-runner-'));
  const scenarioFile = join(dir, 'runner-bench.yaml');
  await writeFile(scenarioFile, scenarioYaml(delays));
  // Workers do not inherit tsx's loader: the worker registers it, then loads this file again.
  const bootstrap = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(bootstrap, { eval: true });
  const { kubeconfig } = await new Promise<{ kubeconfig: string }>((resolve) =>
    worker.once('message', resolve),
  );
  try {
    const longest = Math.max(...delays);
    console.log(
      `${count} cases, scripted delays ${min}–${max} ms, on ${availableParallelism()} CPUs (Node ${process.version})`,
    );
    const single = await runPhase({
      kubeconfig,
      out: join(dir, 'single'),
      scenarioFile,
      grep: new RegExp(`^runner-bench\\[delay=${longest}\\] `),
      concurrency: 1,
    });
    const all = await runPhase({ kubeconfig, out: join(dir, 'all'), scenarioFile, concurrency: count });
    const ratio = all.casesMs / single.longestAttemptMs;
    const show = (name: string, p: Phase) => {
      console.log(
        `  ${name.padEnd(7)}: ${p.cases} case(s) at concurrency ${p.concurrency}, ${p.passed} passed; cases ${p.casesMs} ms, ` +
          `whole run ${p.runMs} ms (reports ${p.runMs - p.casesMs} ms), longest attempt ${p.longestAttemptMs} ms`,
      );
      const b = p.breakdown;
      console.log(
        `           per attempt (mean/max ms): setup ${b.setup.mean}/${b.setup.max}, beyond the scripted delay ${b.scripted.mean}/${b.scripted.max}, ` +
          `noticing Ready ${b.notice.mean}/${b.notice.max}, judge+teardown ${b.teardown.mean}/${b.teardown.max}`,
      );
    };
    show('single', single);
    show('all', all);
    console.log(
      `  cases wall / longest single case = ${all.casesMs} / ${single.longestAttemptMs} = ${ratio.toFixed(2)} ` +
        `(target <= 1.3: ${ratio <= 1.3 ? 'met' : 'MISSED'}); whole runs ${all.runMs} / ${single.runMs} = ${(all.runMs / single.runMs).toFixed(2)}`,
    );
    console.log(
      JSON.stringify({
        bench: 'runner-concurrency',
        node: process.version,
        cpus: availableParallelism(),
        loadAverage: Math.round(loadavg()[0]! * 100) / 100,
        cases: count,
        delaysMs: [min, max],
        single,
        all,
        ratio: Math.round(ratio * 100) / 100,
        target: 1.3,
        pass: ratio <= 1.3 && all.passed === count,
      }),
    );
  } finally {
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainThread) await main();
else await serve();
