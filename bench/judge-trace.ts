/**
 * Judging speed and memory: generates traces of 100,000 and 400,000 lines with realistic objects
 * (pods with managedFields, Revisions, Events, EndpointSlices) and the same number of state
 * changes, judges each in a fresh process, and prints lines/s and peak memory. Equal peaks show
 * that memory follows the timeline, not the trace length.
 *
 *   npx tsx bench/judge-trace.ts            # 100k and 400k lines
 *   npx tsx bench/judge-trace.ts 20000      # other sizes
 *   npx tsx bench/judge-trace.ts --generate trace.jsonl 100000   # just write a trace
 *
 * The last line of output is a JSON summary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge } from '../harness/expect/judge.ts';
import { type Expectation, expectationSchema } from '../harness/expect/schema.ts';
import { TimelineBuilder } from '../harness/expect/timeline.ts';
import { fileLineSink, readTrace, TraceWriter } from '../harness/observe/trace.ts';

const start = Date.parse('2025-06-01T10:00:00.000Z');
/** State changes per trace, whatever its length: the timeline is the same size for every length. */
const stateChanges = 2_000;
const pods = 20;

function managedFields(): unknown[] {
  const field = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f:field${i}`, {}]));
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2025-06-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': field(8) }, 'f:spec': field(12) },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2025-06-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: { 'f:status': field(16) },
    },
  ];
}

function podObject(i: number, sidecarReady: boolean, rv: number) {
  const name = `hello-00001-deployment-7d9c-p${i}`;
  const container = (n: string) => ({
    name: n,
    image: `ghcr.io/kpc/${n}@sha256:${'a'.repeat(64)}`,
    env: [
      { name: 'K_REVISION', value: 'hello-00001' },
      { name: 'K_SERVICE', value: 'hello' },
    ],
    resources: { requests: { cpu: '25m', memory: '64Mi' } },
    readinessProbe:
      n === 'sidecar'
        ? {
            exec: { command: ['test', '-f', '/tmp/ready'] },
            periodSeconds: 1,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          }
        : undefined,
  });
  const ready = sidecarReady ? 'True' : 'False';
  const condition = (type: string, status: string) => ({
    type,
    status,
    lastTransitionTime: '2025-06-01T10:00:03Z',
    ...(status === 'False'
      ? { reason: 'ContainersNotReady', message: 'containers with unready status: [sidecar]' }
      : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'bench',
      uid: `uid-pod-${i}`,
      resourceVersion: String(rv),
      labels: {
        app: 'hello-00001',
        'serving.knative.dev/revision': 'hello-00001',
        'serving.knative.dev/service': 'hello',
        'pod-template-hash': '7d9c',
      },
      annotations: { 'serving.knative.dev/creator': 'kubernetes-admin' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'hello-00001-deployment-7d9c',
          uid: 'uid-rs',
          controller: true,
        },
      ],
      managedFields: managedFields(),
    },
    spec: {
      containers: ['user-container', 'sidecar', 'queue-proxy'].map(container),
      nodeName: 'kind-worker',
    },
    status: {
      phase: 'Running',
      conditions: [
        condition('PodScheduled', 'True'),
        condition('Initialized', 'True'),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      containerStatuses: ['user-container', 'sidecar', 'queue-proxy'].map((n) => ({
        name: n,
        ready: n === 'sidecar' ? sidecarReady : true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: '2025-06-01T10:00:03Z' } },
        containerID: `containerd://${n}-${i}`,
      })),
    },
  };
}

function revisionObject(rv: number, ready: string) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name: 'hello-00001',
      namespace: 'bench',
      uid: 'uid-rev',
      resourceVersion: String(rv),
      generation: 1,
      labels: { 'serving.knative.dev/service': 'hello' },
      managedFields: managedFields(),
    },
    spec: { containers: [{ name: 'user-container' }, { name: 'sidecar' }], timeoutSeconds: 300 },
    status: {
      observedGeneration: 1,
      conditions: ['Ready', 'ResourcesAvailable', 'ContainerHealthy'].map((type) => ({
        type,
        status: ready,
        reason: ready === 'True' ? undefined : 'Deploying',
        lastTransitionTime: '2025-06-01T10:00:01Z',
      })),
    },
  };
}

function eventObject(i: number, count: number) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `hello-00001-deployment-7d9c-p${i}.18b2`,
      namespace: 'bench',
      uid: `uid-ev-${i}`,
      resourceVersion: String(count),
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: `hello-00001-deployment-7d9c-p${i}`,
      namespace: 'bench',
      uid: `uid-pod-${i}`,
      fieldPath: 'spec.containers{sidecar}',
    },
    reason: 'Unhealthy',
    type: 'Warning',
    message: 'Readiness probe failed: ',
    count,
    source: { component: 'kubelet', host: 'kind-worker' },
    firstTimestamp: '2025-06-01T10:00:04Z',
    lastTimestamp: '2025-06-01T10:00:05Z',
  };
}

function sliceObject(rv: number, readyPods: number) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'hello-00001-private-abcde',
      namespace: 'bench',
      uid: 'uid-slice',
      resourceVersion: String(rv),
    },
    addressType: 'IPv4',
    endpoints: Array.from({ length: pods }, (_, i) => ({
      addresses: [`10.244.1.${i + 10}`],
      conditions: { ready: i < readyPods, serving: i < readyPods, terminating: false },
      targetRef: { kind: 'Pod', name: `p${i}` },
    })),
    ports: [{ name: 'http', port: 8012, protocol: 'TCP' }],
  };
}

/** Writes `lines` lines: mostly updates that change no judged state, and `stateChanges` readiness flips. */
function generate(file: string, lines: number): void {
  let now = start;
  const writer = new TraceWriter(fileLineSink(file), { now: () => now, monotonic: () => now - start });
  writer.header({ scenario: 'bench', variant: 'candidate', service: 'hello', namespace: 'bench' });
  writer.action({
    action: 'apply',
    step: 'apply-service',
    target: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' },
    outcome: 'ok',
    detail: {
      object: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'hello' },
        spec: { template: { spec: { containers: podObject(0, false, 0).spec.containers } } },
      },
    },
  });
  const changeEvery = Math.floor(lines / stateChanges);
  const ready = new Array<boolean>(pods).fill(false);
  const counts = new Array<number>(pods).fill(0);
  // Line n (the header and the apply are lines 1 and 2); a readiness flip to false writes two lines.
  for (let n = 3; n <= lines; n++) {
    now += 5;
    const i = n % pods;
    const kind = n % 10;
    if (n % changeEvery === 0) {
      ready[i] = !ready[i];
      if (!ready[i] && n < lines) {
        writer.watch('MODIFIED', eventObject(i, ++counts[i]!)); // the probe failure that causes it
        n++;
      }
      writer.watch('MODIFIED', podObject(i, ready[i]!, n));
    } else if (kind < 5) writer.watch('MODIFIED', podObject(i, ready[i]!, n));
    else if (kind < 7)
      writer.watch('MODIFIED', eventObject(i, counts[i]!)); // a resync: same count
    else if (kind < 9) writer.watch('MODIFIED', sliceObject(n, ready.filter(Boolean).length));
    else writer.watch('MODIFIED', revisionObject(n, n > lines / 2 ? 'True' : 'Unknown'));
  }
  writer.close();
}

const expectations: Expectation[] = [
  {
    reach: {
      condition: { object: { kind: 'Revision', name: 'hello-00001' }, type: 'Ready', status: 'True' },
    },
  },
  {
    never: {
      condition: { object: { kind: 'Revision', name: 'hello-00001' }, type: 'Ready', status: 'False' },
    },
  },
  {
    sequence: {
      condition: { object: { kind: 'Revision', name: 'hello-00001' }, type: 'Ready' },
      states: [{ status: 'Unknown' }, { status: 'True' }],
    },
  },
  {
    event: { reason: 'Unhealthy', message: { matches: '^Readiness probe failed: ' }, container: 'sidecar' },
    times: { atLeast: 1 },
  },
  { never: { container: { name: 'sidecar', restarts: { atLeast: 1 } } } },
  {
    reach: { container: { name: 'sidecar', ready: true } },
    by: {
      after: { step: 'apply-service' },
      within: { probe: { container: 'sidecar' }, transition: 'becomes-ready', slack: '2s' },
    },
  },
].map((e) => expectationSchema.parse(e));

interface Measurement {
  lines: number;
  fileMB: number;
  seconds: number;
  linesPerSecond: number;
  peakRssMB: number;
  peakHeapMB: number;
  /** Heap still in use after a full GC, with the timeline alive: what judging retains. */
  retainedHeapMB: number;
  timelineObservations: number;
  expectationsPassed: number;
}

/** Runs in a fresh process: reads, builds the timeline, judges, and measures. */
async function measure(file: string): Promise<Measurement> {
  let peakHeap = 0;
  const sample = () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const t0 = performance.now();
  const builder = new TimelineBuilder();
  let n = 0;
  for await (const line of readTrace(file)) {
    builder.add(line);
    if (++n % 5_000 === 0) sample();
  }
  const timeline = builder.finish();
  const verdict = judge(expectations, timeline);
  const seconds = (performance.now() - t0) / 1000;
  sample();
  clearInterval(sampler);
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed;
  const observations =
    [...timeline.objects.values()].reduce(
      (s, o) => s + [...o.conditions.values()].reduce((t, c) => t + c.length, 0),
      0,
    ) +
    [...timeline.containers.values()].reduce((s, c) => s + c.observations.length, 0) +
    [...timeline.events.values()].reduce((s, e) => s + e.observations.length, 0);
  return {
    lines: timeline.lines,
    fileMB: round(statSync(file).size / 2 ** 20),
    seconds: round(seconds),
    linesPerSecond: Math.round(timeline.lines / seconds),
    peakRssMB: round(process.resourceUsage().maxRSS / 1024),
    peakHeapMB: round(peakHeap / 2 ** 20),
    retainedHeapMB: round(retained / 2 ** 20),
    timelineObservations: observations,
    expectationsPassed: verdict.passed,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

async function mainBench(): Promise<void> {
  const [mode, file, count] = process.argv.slice(2);
  if (mode === '--measure') {
    process.stdout.write(`${JSON.stringify(await measure(file!))}\n`);
    return;
  }
  if (mode === '--generate') {
    generate(file!, Number(count ?? 100_000));
    return;
  }
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const dir = mkdtempSync(join(tmpdir(), 'kpc-bench-'));
  const results: Measurement[] = [];
  try {
    for (const lines of sizes.length > 0 ? sizes : [100_000, 400_000]) {
      const file = join(dir, `trace-${lines}.jsonl`);
      generate(file, lines);
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--measure', file],
        { encoding: 'utf8' },
      );
      const m = JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
      results.push(m);
      rmSync(file);
      process.stdout.write(
        `${m.lines} lines (${m.fileMB} MB): ${m.seconds}s, ${m.linesPerSecond} lines/s, peak RSS ${m.peakRssMB} MB, ` +
          `peak heap ${m.peakHeapMB} MB, retained heap ${m.retainedHeapMB} MB, timeline ${m.timelineObservations} observations, ${m.expectationsPassed}/${expectations.length} expectations hold\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [small, large] = [results[0]!, results.at(-1)!];
  const summary = {
    bench: 'judge-trace',
    node: process.version,
    targetLinesPerSecond: 50_000,
    meetsTarget: results.every((r) => r.linesPerSecond >= 50_000),
    peakRssGrowthFactor: round(large.peakRssMB / small.peakRssMB),
    retainedHeapGrowthFactor: round(large.retainedHeapMB / small.retainedHeapMB),
    lineGrowthFactor: round(large.lines / small.lines),
    results,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

await mainBench();
