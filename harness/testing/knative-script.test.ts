import { expect } from 'chai';
import { connectKube } from '../kube/kube.ts';
import {
  type ContainerSpec,
  internalErrorMessage,
  knativeDefaults,
  knativeProbeDenial,
  scriptKubelet,
  sidecarWithoutProbePort,
} from './knative-script.ts';
import { startFakeApiServer } from './server.ts';
import type { KubernetesObject } from './store.ts';
import { eventually } from './test-support.ts';

const app: ContainerSpec = { name: 'app', image: 'w', ports: [{ containerPort: 8080 }] };
const sidecar = (probes: Partial<ContainerSpec>): ContainerSpec => ({
  name: 'sidecar',
  image: 'w',
  ...probes,
});
const exec = { exec: { command: ['test', '-f', '/tmp/ready'] } };
const c1 = 'spec.template.spec.containers[1]';

describe('knative-script: the webhook (knative-facts.md §1.2, §1.4, §1.5)', () => {
  const off = { version: 'v1.17.2', multiContainerProbing: false };
  const on = { version: 'v1.17.2', multiContainerProbing: true };

  it('defaults the serving container to a tcpSocket probe and fills thresholds only where periodSeconds is set', () => {
    const [serving, side] = knativeDefaults([
      app,
      sidecar({ readinessProbe: { ...exec, periodSeconds: 1 } }),
    ]);
    expect(serving!.readinessProbe).to.deep.equal({ tcpSocket: {}, successThreshold: 1 });
    expect(side!.readinessProbe).to.deep.include({
      successThreshold: 1,
      failureThreshold: 3,
      timeoutSeconds: 1,
    });
    const [, bare] = knativeDefaults([app, sidecar({ readinessProbe: exec })]);
    expect(bare!.readinessProbe).to.deep.equal({ ...exec, successThreshold: 1 });
  });

  it('denies a sidecar exec readinessProbe with MCP off, naming the defaulted successThreshold (§1.4, exact)', () => {
    expect(knativeProbeDenial([app, sidecar({ readinessProbe: exec })], off)).to.equal(
      `validation failed: must not set the field(s): ${c1}.readinessProbe, ${c1}.readinessProbe.successThreshold`,
    );
  });

  it('lists failureThreshold, periodSeconds and timeoutSeconds too when periodSeconds is set (k8s_validation_test.go:2012)', () => {
    const p = `${c1}.readinessProbe`;
    expect(
      knativeProbeDenial([app, sidecar({ readinessProbe: { ...exec, periodSeconds: 1 } })], off),
    ).to.equal(
      `validation failed: must not set the field(s): ${p}, ${p}.failureThreshold, ${p}.periodSeconds, ${p}.successThreshold, ${p}.timeoutSeconds`,
    );
  });

  it('denies sidecar liveness probes with MCP off; startupProbes only from v1.23.0', () => {
    const startup = sidecar({ startupProbe: exec });
    expect(knativeProbeDenial([app, sidecar({ livenessProbe: exec })], off)).to.equal(
      `validation failed: must not set the field(s): ${c1}.livenessProbe`,
    );
    expect(knativeProbeDenial([app, startup], off)).to.equal(undefined);
    expect(knativeProbeDenial([app, startup], { ...off, version: 'v1.18.0' })).to.equal(undefined);
    expect(knativeProbeDenial([app, startup], { ...off, version: 'knative-v1.23.0' })).to.equal(
      `validation failed: must not set the field(s): ${c1}.startupProbe`,
    );
  });

  it('admits exec, numeric, named and gRPC sidecar probes with MCP on, but not a missing port (§1.5, merged paths)', () => {
    for (const readinessProbe of [
      exec,
      { httpGet: { port: 8081 } },
      { tcpSocket: { port: 'metrics' } },
      { grpc: {} },
    ])
      expect(
        knativeProbeDenial([app, sidecar({ readinessProbe })], on),
        JSON.stringify(readinessProbe),
      ).to.equal(undefined);
    expect(
      knativeProbeDenial(
        [app, sidecar({ readinessProbe: { httpGet: {} }, livenessProbe: { tcpSocket: {} } })],
        on,
      ),
    ).to.equal(
      `validation failed: invalid value: 0: ${c1}.livenessProbe.tcpSocket.port, ${c1}.readinessProbe.httpGet.port\nProbe port must be specified`,
    );
  });

  it('leaves single-container Services alone', () => {
    expect(knativeProbeDenial([{ ...app, readinessProbe: exec }], off)).to.equal(undefined);
  });
});

describe('knative-script: the revision reconciler (knative-facts.md §2.2, §2.4)', () => {
  const mcp = { multiContainerProbing: true };

  it('fails a sidecar exec readinessProbe before v1.18.0 only', () => {
    const containers = [app, sidecar({ readinessProbe: exec })];
    expect(sidecarWithoutProbePort(containers, { ...mcp, version: 'v1.17.2' })).to.equal('sidecar');
    expect(sidecarWithoutProbePort(containers, { ...mcp, version: 'v1.18.0' })).to.equal(undefined);
    expect(
      sidecarWithoutProbePort(containers, { multiContainerProbing: false, version: 'v1.17.2' }),
    ).to.equal(undefined);
  });

  it('fails named ports and portless gRPC on every version, and never numeric ports', () => {
    for (const version of ['v1.17.2', 'v1.18.0', 'v1.23.0']) {
      for (const readinessProbe of [
        { httpGet: { port: 'metrics' } },
        { tcpSocket: { port: 'metrics' } },
        { grpc: {} },
      ])
        expect(sidecarWithoutProbePort([app, sidecar({ readinessProbe })], { ...mcp, version })).to.equal(
          'sidecar',
        );
      expect(
        sidecarWithoutProbePort([app, sidecar({ readinessProbe: { httpGet: { port: 8081 } } })], {
          ...mcp,
          version,
        }),
      ).to.equal(undefined);
    }
  });

  it('writes the InternalError message with the whole wrapped chain (§2.4 (3), exact)', () => {
    expect(internalErrorMessage('hello-00001', 'sidecar')).to.equal(
      'failed to create deployment "hello-00001-deployment": failed to make deployment: failed to create PodSpec: failed to create queue-proxy container: sidecar readiness probe does not define probe port on container: sidecar',
    );
  });
});

describe('knative-script: the kubelet (kubelet-probe-facts.md §1.3–§1.6, §3)', () => {
  const podRef = { apiVersion: 'v1', kind: 'Pod', namespace: 'demo', name: 'p' };
  const pod = (readinessProbe: ContainerSpec['readinessProbe']): KubernetesObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'demo' },
      spec: { containers: [{ name: 'app', image: 'w' }, sidecar({ readinessProbe })] },
    }) as KubernetesObject;
  const status = (server: { store: { get(r: typeof podRef): KubernetesObject | undefined } }) =>
    (server.store.get(podRef) as { status?: Record<string, unknown> } | undefined)?.status as
      | {
          conditions?: { type: string; status: string; reason?: string; message?: string }[];
          containerStatuses?: { name: string; ready: boolean }[];
        }
      | undefined;
  const unhealthy = (server: Awaited<ReturnType<typeof startFakeApiServer>>) =>
    server.store
      .list('v1', 'Event', { namespace: 'demo' })
      .filter((e) => (e as { reason?: string }).reason === 'Unhealthy') as (KubernetesObject & {
      message: string;
      count: number;
      type: string;
      source: { component: string };
    })[];

  it('reports every failed run as one Unhealthy event with a growing count, and turns ready after the file appears', async () => {
    const server = await startFakeApiServer({ namespaces: ['demo'] });
    // 10 ms per second: periodSeconds 1 ticks every 10 ms.
    const kubelet = scriptKubelet(server, { msPerSecond: 10, startMs: 5 });
    try {
      server.store.create(pod({ ...exec, periodSeconds: 1 }));
      await eventually(() => (unhealthy(server)[0]?.count ?? 0) >= 3);
      const [event] = unhealthy(server);
      expect(unhealthy(server)).to.have.length(1);
      expect(event).to.deep.include({ type: 'Warning', message: 'Readiness probe failed: ' });
      expect(event!.source.component).to.equal('kubelet');
      const before = status(server)!;
      expect(before.containerStatuses!.map((c) => [c.name, c.ready])).to.deep.equal([
        ['app', true],
        ['sidecar', false],
      ]);
      expect(before.conditions!.find((c) => c.type === 'Ready')).to.include({
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [sidecar]',
      });
      const kube = await connectKube({ kubeconfigYaml: server.kubeconfig });
      try {
        const target = { namespace: 'demo', pod: 'p', container: 'sidecar' };
        expect(await kube.exec(target, ['touch', '/tmp/ready'])).to.include({ exitCode: 0 });
      } finally {
        await kube.close();
      }
      await eventually(() => status(server)?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
      expect(status(server)!.containerStatuses!.every((c) => c.ready)).to.equal(true);
      expect(kubelet.errors).to.deep.equal([]);
    } finally {
      kubelet.stop();
      await server.close();
    }
  });

  it("stops writing a pod's Warning events after a burst of 25 (client-go spam filter, §3.3)", async () => {
    const server = await startFakeApiServer({ namespaces: ['demo'] });
    // 10 ms per second: a probe every 10 ms, and one token back only after 3 s.
    const kubelet = scriptKubelet(server, { msPerSecond: 10, startMs: 5 });
    try {
      server.store.create(pod({ ...exec, periodSeconds: 1 }));
      await eventually(() => (unhealthy(server)[0]?.count ?? 0) >= 25);
      await new Promise((r) => setTimeout(r, 200)); // about 20 more failed runs
      expect(unhealthy(server).map((e) => e.count)).to.deep.equal([25]);
    } finally {
      kubelet.stop();
      await server.close();
    }
  });
});
