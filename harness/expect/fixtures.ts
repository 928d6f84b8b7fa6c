/**
 * Traces scripted from the facts sheets (knative-facts.md §2.3–2.4, §3; kubelet-probe-facts.md
 * §1.6, §3.1) for tests and the benchmark. Written through the real TraceWriter on a scripted clock.
 */

import type { TraceLine, TraceObject } from '../observe/trace.ts';
import { memoryLineSink, type TraceClock, TraceWriter } from '../observe/trace-writer.ts';

export const traceStart = Date.parse('2025-06-01T10:00:00.000Z');

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string };

/** Writes a trace at scripted times: `at(ms)` moves the clock to start + ms. */
export class TraceScript {
  private now = traceStart;
  private readonly sink = memoryLineSink();
  readonly writer: TraceWriter;
  private readonly versions = new Map<string, number>();

  constructor(readonly namespace = 'kpc-test') {
    const clock: TraceClock = { now: () => this.now, monotonic: () => this.now - traceStart };
    this.writer = new TraceWriter(this.sink, clock);
  }

  at(ms: number): this {
    this.now = traceStart + ms;
    return this;
  }

  /** Seconds-resolution time like the API's lastTransitionTime. */
  apiTime(): string {
    return new Date(Math.floor(this.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  watch(event: 'ADDED' | 'MODIFIED' | 'DELETED', object: TraceObject): this {
    const key = `${object.kind}/${object.metadata?.name}`;
    const rv = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, rv);
    this.writer.watch(event, { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } });
    return this;
  }

  get lines(): TraceLine[] {
    return this.sink.lines.map((l) => JSON.parse(l) as TraceLine);
  }

  get text(): string {
    return `${this.sink.lines.join('\n')}\n`;
  }

  // ------------------------------------------------------------ objects

  withConditions(
    kind: string,
    apiVersion: string,
    name: string,
    conditions: Condition[],
    extra: TraceObject = {},
  ): TraceObject {
    const stamp = this.apiTime();
    return {
      apiVersion,
      kind,
      ...extra,
      metadata: { name, namespace: this.namespace, uid: `uid-${kind}-${name}`, ...extra.metadata },
      status: {
        ...(extra.status as object | undefined),
        conditions: conditions.map((c) => ({ ...c, lastTransitionTime: stamp })),
      },
    };
  }

  revision(name: string, conditions: Condition[]): TraceObject {
    return this.withConditions('Revision', 'serving.knative.dev/v1', name, conditions, {
      metadata: { labels: { 'serving.knative.dev/service': name.replace(/-\d+$/, '') } },
    });
  }

  service(name: string, conditions: Condition[]): TraceObject {
    return this.withConditions('Service', 'serving.knative.dev/v1', name, conditions);
  }

  pod(
    name: string,
    revision: string,
    containers: { name: string; ready: boolean; restarts?: number }[],
    spec = sidecarPodSpec(),
  ): TraceObject {
    const unready = containers.filter((c) => !c.ready).map((c) => c.name);
    const ready: Condition =
      unready.length === 0
        ? { type: 'Ready', status: 'True' }
        : {
            type: 'Ready',
            status: 'False',
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${unready.join(' ')}]`,
          };
    return this.withConditions(
      'Pod',
      'v1',
      name,
      [{ type: 'PodScheduled', status: 'True' }, { ...ready, type: 'ContainersReady' }, ready],
      {
        metadata: { labels: { 'serving.knative.dev/revision': revision } },
        spec,
        status: {
          phase: 'Running',
          containerStatuses: containers.map((c) => ({
            name: c.name,
            ready: c.ready,
            started: true,
            restartCount: c.restarts ?? 0,
            state: { running: { startedAt: '2025-06-01T10:00:03Z' } },
            containerID: `containerd://${c.name}-${c.restarts ?? 0}`,
          })),
        },
      },
    );
  }

  event(
    name: string,
    fields: {
      type: 'Normal' | 'Warning';
      reason: string;
      message: string;
      count: number;
      involved: Record<string, string>;
      component: string;
    },
  ): TraceObject {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: this.namespace, uid: `uid-event-${name}` },
      type: fields.type,
      reason: fields.reason,
      message: fields.message,
      count: fields.count,
      involvedObject: { namespace: this.namespace, ...fields.involved },
      source: { component: fields.component },
      firstTimestamp: '2025-06-01T10:00:01Z',
      lastTimestamp: this.apiTime(),
    };
  }
}

/** The scenario Service: a serving container and a sidecar with an exec readiness probe. */
export function sidecarService(
  name: string,
  readinessProbe: Record<string, unknown> = {
    exec: { command: ['test', '-f', '/tmp/ready'] },
    periodSeconds: 1,
  },
): TraceObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'user-container', image: 'ghcr.io/kpc/app', ports: [{ containerPort: 8080 }] },
            { name: 'sidecar', image: 'ghcr.io/kpc/sidecar', readinessProbe },
          ],
        },
      },
    },
  };
}

function sidecarPodSpec(): Record<string, unknown> {
  return {
    containers: [
      { name: 'user-container' },
      {
        name: 'sidecar',
        readinessProbe: {
          exec: { command: ['test', '-f', '/tmp/ready'] },
          periodSeconds: 1,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 3,
        },
      },
      { name: 'queue-proxy', readinessProbe: { httpGet: { port: 8012 }, periodSeconds: 10 } },
    ],
  };
}

export const sidecarPortError = (revision: string, sidecar = 'sidecar') =>
  `failed to create deployment "${revision}-deployment": failed to make deployment: failed to create PodSpec: ` +
  `failed to create queue-proxy container: sidecar readiness probe does not define probe port on container: ${sidecar}`;

const deploying = (type: string): Condition => ({ type, status: 'Unknown', reason: 'Deploying' });

/**
 * Knative 1.17, MCP Enabled, sidecar exec readiness probe (knative-facts.md §2.4): the Revision
 * stays Unknown/Deploying, no Deployment is made, and an InternalError Warning repeats.
 */
export function knative117SidecarExecTrace(repeats = 5): TraceScript {
  const t = new TraceScript();
  t.writer.header({
    scenario: 'sidecar-exec-readiness',
    variant: 'baseline',
    versions: { knative: 'v1.17.2' },
  });
  t.at(100).writer.action({
    action: 'apply',
    step: 'apply-service',
    target: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: t.namespace, name: 'hello' },
    outcome: 'ok',
    detail: { object: sidecarService('hello') },
  });
  t.at(300).watch('ADDED', t.service('hello', [{ type: 'Ready', status: 'Unknown' }]));
  t.at(600).watch(
    'ADDED',
    t.revision('hello-00001', [
      deploying('Ready'),
      deploying('ResourcesAvailable'),
      deploying('ContainerHealthy'),
    ]),
  );
  t.at(700).watch(
    'MODIFIED',
    t.service('hello', [
      { type: 'ConfigurationsReady', status: 'Unknown' },
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'RevisionMissing',
        message: 'Configuration "hello" is waiting for a Revision to become ready.',
      },
      {
        type: 'RoutesReady',
        status: 'Unknown',
        reason: 'RevisionMissing',
        message: 'Configuration "hello" is waiting for a Revision to become ready.',
      },
    ]),
  );
  for (let i = 1; i <= repeats; i++) {
    t.at(600 + 2 ** i * 100).watch(
      i === 1 ? 'ADDED' : 'MODIFIED',
      t.event('hello-00001.18a1', {
        type: 'Warning',
        reason: 'InternalError',
        message: sidecarPortError('hello-00001'),
        count: i,
        involved: {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Revision',
          name: 'hello-00001',
          uid: 'uid-Revision-hello-00001',
        },
        component: 'revision-controller',
      }),
    );
  }
  t.at(60_000).writer.note('recording stopped');
  return t;
}

/**
 * Knative 1.18: the same Service deploys; the sidecar stays unready (kubelet Unhealthy events with
 * the empty output of `test -f`) until `touch /tmp/ready`, then the pod and the Revision turn Ready.
 * `flap` adds a 200 ms Ready=False on the pod after it was ready: a state two polls would miss.
 */
export function knative118SidecarExecTrace(
  options: { readyAfterTouchMs?: number; flap?: boolean } = {},
): TraceScript {
  const t = new TraceScript();
  const pod = 'hello-00001-deployment-7d9c-abcde';
  const readyAfter = options.readyAfterTouchMs ?? 800;
  t.writer.header({
    scenario: 'sidecar-exec-readiness',
    variant: 'candidate',
    versions: { knative: 'v1.18.0' },
  });
  t.at(100).writer.action({
    action: 'apply',
    step: 'apply-service',
    target: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: t.namespace, name: 'hello' },
    outcome: 'ok',
    detail: { object: sidecarService('hello') },
  });
  t.at(600).watch(
    'ADDED',
    t.revision('hello-00001', [
      deploying('Ready'),
      deploying('ResourcesAvailable'),
      deploying('ContainerHealthy'),
    ]),
  );
  const containers = (sidecarReady: boolean) => [
    { name: 'user-container', ready: true },
    { name: 'sidecar', ready: sidecarReady },
    { name: 'queue-proxy', ready: true },
  ];
  t.at(3_200).watch('ADDED', t.pod(pod, 'hello-00001', containers(false)));
  for (let i = 1; i <= 4; i++) {
    t.at(3_000 + i * 1000).watch(
      i === 1 ? 'ADDED' : 'MODIFIED',
      t.event(`${pod}.18b2`, {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: ',
        count: i,
        involved: { apiVersion: 'v1', kind: 'Pod', name: pod, fieldPath: 'spec.containers{sidecar}' },
        component: 'kubelet',
      }),
    );
  }
  const touch = 7_500;
  t.at(touch - 40).writer.action({
    action: 'exec',
    step: 'touch-ready',
    target: { apiVersion: 'v1', kind: 'Pod', namespace: t.namespace, name: pod, container: 'sidecar' },
    outcome: 'ok',
    detail: { command: ['touch', '/tmp/ready'], exitCode: 0, stdout: '', stderr: '' },
    startedAt: traceStart + touch - 60,
  });
  t.at(touch + readyAfter).watch('MODIFIED', t.pod(pod, 'hello-00001', containers(true)));
  t.at(touch + readyAfter + 300).watch(
    'MODIFIED',
    t.revision('hello-00001', [
      { type: 'Ready', status: 'True' },
      { type: 'ResourcesAvailable', status: 'True' },
      { type: 'ContainerHealthy', status: 'True' },
    ]),
  );
  t.at(touch + readyAfter + 400).watch('MODIFIED', t.service('hello', [{ type: 'Ready', status: 'True' }]));
  t.at(10_000).writer.note('serving');
  if (options.flap) {
    t.at(20_100).watch('MODIFIED', t.pod(pod, 'hello-00001', containers(false)));
    t.at(20_300).watch('MODIFIED', t.pod(pod, 'hello-00001', containers(true)));
  }
  t.at(30_000).writer.note('recording stopped');
  return t;
}

/** A denied apply (knative-facts.md §1.4: sidecar probe with multi-container-probing Disabled). */
export const mcpDisabledDenial =
  'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe, spec.template.spec.containers[1].readinessProbe.successThreshold';

export function deniedApplyTrace(): TraceScript {
  const t = new TraceScript();
  t.at(50).writer.action({
    action: 'apply',
    step: 'apply-service',
    target: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: t.namespace, name: 'hello' },
    outcome: 'error',
    error: {
      code: 400,
      reason: 'BadRequest',
      message: `admission webhook "validation.webhook.serving.knative.dev" denied the request: ${mcpDisabledDenial}`,
      webhook: 'validation.webhook.serving.knative.dev',
      denial: mcpDisabledDenial,
    },
    detail: { object: sidecarService('hello') },
  });
  t.at(1_000).writer.note('recording stopped');
  return t;
}
