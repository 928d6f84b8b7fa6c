import { expect } from 'chai';
import { type FakeApiServer, startFakeApiServer, webhookDenial } from '../testing/index.ts';
import {
  AdmissionDenied,
  ExecFailed,
  KubeApiError,
  KubeConnectionError,
  KubeTimeoutError,
  UnknownKindError,
} from './errors.ts';
import { connectKube, type Kube } from './kube.ts';
import { RUN_LABEL, SCENARIO_LABEL } from './labels.ts';
import { REDACTED } from './redact.ts';
import type { KubernetesObject } from './types.ts';

const ksvc = (name: string, namespace = 'ns'): KubernetesObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { template: { spec: { containers: [{ image: 'ghcr.io/example/app:1' }] } } },
});

const pod = (name: string, containers: string[], namespace = 'ns'): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
});

type StoredObject = Parameters<FakeApiServer['store']['create']>[0];

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('Kube against the fake API server', () => {
  let server: FakeApiServer;
  let kube: Kube;
  const fast = { retries: 3, initialMs: 5, maxMs: 20, factor: 2, maxRetryAfterMs: 5_000 };

  beforeEach(async () => {
    server = await startFakeApiServer({ namespaces: ['ns'] });
    kube = await connectKube({ kubeconfigYaml: server.kubeconfig }, { retryPolicy: fast });
  });

  afterEach(async () => {
    await kube.close();
    await server.close();
  });

  /** The fake's store is typed with client-node's models; ours are the wire JSON. */
  const put = (obj: object) => server.store.create(obj as StoredObject);

  const requestsTo = (method: string, path: string | RegExp) =>
    server.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );

  describe('kubeconfig sources', () => {
    it('loads a file path and selects a named context, naming the contexts when it is missing', async () => {
      const path = await server.writeKubeconfig();
      const fromFile = await connectKube({ kubeconfigPath: path, context: 'fake' });
      expect(fromFile.server).to.equal(server.url);
      expect(fromFile.context).to.equal('fake');
      expect((await fromFile.serverVersion()).gitVersion).to.equal('v1.37.0');
      await fromFile.close();
      const err = await rejection(connectKube({ kubeconfigPath: path, context: 'kind-other' }));
      expect(err.message).to.equal(`kubeconfig from ${path} has no context "kind-other" (contexts: fake)`);
    });

    it('reports a missing file and never quotes a broken kubeconfig', async () => {
      const missing = await rejection(connectKube({ kubeconfigPath: '/nonexistent/kubeconfig' }));
      expect(missing.message).to.equal(
        'kubeconfig from /nonexistent/kubeconfig could not be read: file not found',
      );
      const broken = `${server.kubeconfig}\n  client-key-data: [unclosed LS0tLS1CRUdJTiBQUklWQVRF`;
      const err = await rejection(connectKube({ kubeconfigYaml: broken }));
      expect(err.message).to.match(/^kubeconfig from the given YAML could not be read/);
      expect(err.message).not.to.contain('LS0tLS1CRUdJTiBQUklWQVRF');
    });
  });

  describe('apply / get / list / delete', () => {
    it('applies server-side as field manager kpc with force, returning the stored JSON unchanged', async () => {
      const applied = await kube.apply(ksvc('hello'));
      expect(applied.metadata?.uid).to.be.a('string');
      expect(applied.metadata?.creationTimestamp, 'timestamps stay strings').to.be.a('string');
      const [patch] = requestsTo('PATCH', '/apis/serving.knative.dev/v1/namespaces/ns/services/hello');
      expect(patch?.contentType).to.equal('application/apply-patch+yaml');
      expect(patch?.query).to.deep.equal({ fieldManager: 'kpc', force: 'true' });
      const managers = ((applied.metadata?.managedFields ?? []) as { manager: string }[]).map(
        (f) => f.manager,
      );
      expect(managers).to.include('kpc');
    });

    it('keeps fields unknown to client-node models on built-in kinds', async () => {
      const withFutureField = {
        ...pod('p', ['app']),
        spec: { containers: [{ name: 'app', image: 'busybox', futureField: { x: 1 } }] },
      };
      const applied = await kube.apply(withFutureField);
      const container = (applied.spec as { containers: Record<string, unknown>[] }).containers[0]!;
      expect(container.futureField).to.deep.equal({ x: 1 });
    });

    it('supports dry runs (nothing stored)', async () => {
      await kube.apply(ksvc('dry'), { dryRun: true });
      expect(
        server.store.get({
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          namespace: 'ns',
          name: 'dry',
        }),
      ).to.equal(undefined);
      expect(requestsTo('PATCH', /dry$/)[0]?.query.dryRun).to.equal('All');
    });

    it('caches discovery per apiVersion', async () => {
      await kube.apply(ksvc('a'));
      await kube.apply(ksvc('b'));
      await kube.get({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: 'ns', name: 'a' });
      await kube.list('serving.knative.dev/v1', 'Route', { namespace: 'ns' });
      expect(requestsTo('GET', '/apis/serving.knative.dev/v1')).to.have.length(1);
    });

    it('names apiVersion and kind when the server does not serve them', async () => {
      const noGroup = await rejection(
        kube.apply({ apiVersion: 'nope.dev/v1', kind: 'Thing', metadata: { name: 'x' } }),
      );
      expect(noGroup).to.be.instanceOf(UnknownKindError);
      expect(noGroup.message).to.equal(
        'unknown kind Thing in apiVersion nope.dev/v1: the API server does not serve apiVersion nope.dev/v1',
      );
      const noKind = await rejection(kube.list('serving.knative.dev/v1', 'Servcie'));
      expect(noKind).to.be.instanceOf(UnknownKindError);
      expect(noKind.message).to.match(
        /^unknown kind Servcie in apiVersion serving.knative.dev\/v1: served kinds are .*Service/,
      );
    });

    it('rejects an object without identity before any request', async () => {
      const err = await rejection(kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }));
      expect(err.message).to.equal('apply: object ConfigMap lacks metadata.name');
      expect(server.requests.filter((r) => r.method === 'PATCH')).to.have.length(0);
    });

    it('gets undefined for a missing object and lists with apiVersion/kind filled in', async () => {
      expect(
        await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'missing' }),
      ).to.equal(undefined);
      put({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'one', namespace: 'ns', labels: { app: 'x' } },
      });
      put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: 'ns' } });
      const listed = await kube.list('v1', 'ConfigMap', { namespace: 'ns', labelSelector: 'app=x' });
      expect(listed.map((o) => [o.apiVersion, o.kind, o.metadata?.name])).to.deep.equal([
        ['v1', 'ConfigMap', 'one'],
      ]);
    });

    it('deletes with a propagation policy; an object already gone is fine', async () => {
      await kube.apply(ksvc('gone'));
      const ref = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: 'ns', name: 'gone' };
      await kube.delete(ref, { propagationPolicy: 'Background' });
      await kube.delete(ref);
      const deletes = requestsTo('DELETE', '/apis/serving.knative.dev/v1/namespaces/ns/services/gone');
      expect(deletes.map((r) => [r.query.propagationPolicy, r.status])).to.deep.equal([
        ['Background', 200],
        [undefined, 404],
      ]);
    });
  });

  describe('waitForDeletion', () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'held' };

    it('times out naming the object, its deletionTimestamp and finalizers', async () => {
      put({ ...ref, metadata: { name: 'held', namespace: 'ns', finalizers: ['example.com/hold'] } });
      await kube.delete(ref);
      const err = await rejection(kube.waitForDeletion(ref, { timeoutMs: 150 }));
      expect(err).to.be.instanceOf(KubeTimeoutError);
      expect(err.message).to.match(
        /^wait for deletion of v1 ConfigMap ns\/held: still present after 150 ms \(deletionTimestamp \S+; finalizers: example.com\/hold\)$/,
      );
    });

    it('resolves once the finalizer is removed', async () => {
      put({ ...ref, metadata: { name: 'held', namespace: 'ns', finalizers: ['example.com/hold'] } });
      await kube.delete(ref);
      const waiting = kube.waitForDeletion(ref, { timeoutMs: 5_000 });
      setTimeout(() => {
        const current = server.store.get(ref)!;
        server.store.update({ ...current, metadata: { ...current.metadata, finalizers: [] } });
      }, 50);
      await waiting;
      expect(server.store.get(ref)).to.equal(undefined);
    });
  });

  describe('namespaces', () => {
    it('creates namespaces with the run and scenario labels and lists leftovers by run', async () => {
      await kube.createNamespace('kpc-a', { [RUN_LABEL]: 'run-1', [SCENARIO_LABEL]: 'sidecar-exec' });
      await kube.createNamespace('kpc-b', { [RUN_LABEL]: 'run-2', [SCENARIO_LABEL]: 'sidecar-exec' });
      const stored = server.store.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kpc-a' });
      expect(stored?.metadata?.labels).to.include({
        'kpc.knative.dev/run': 'run-1',
        'kpc.knative.dev/scenario': 'sidecar-exec',
      });
      expect((await kube.leftoverNamespaces()).map((n) => n.metadata?.name)).to.deep.equal([
        'kpc-a',
        'kpc-b',
      ]);
      expect((await kube.leftoverNamespaces({ run: 'run-2' })).map((n) => n.metadata?.name)).to.deep.equal([
        'kpc-b',
      ]);
    });

    it('refuses invalid label values, naming the label', async () => {
      const err = await rejection(kube.createNamespace('kpc-c', { [RUN_LABEL]: 'not valid!' }));
      expect(err.message).to.contain('namespace kpc-c: label kpc.knative.dev/run="not valid!"');
    });

    it('deletes a namespace and waits until it is gone', async () => {
      await kube.createNamespace('kpc-d', { [RUN_LABEL]: 'run-1' });
      await kube.deleteNamespace('kpc-d', { wait: true, timeoutMs: 5_000 });
      expect(server.store.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kpc-d' })).to.equal(undefined);
      expect(await kube.leftoverNamespaces({ run: 'run-1' })).to.deep.equal([]);
    });
  });

  describe('errors and retries', () => {
    const webhook = 'validation.webhook.serving.knative.dev';
    const denial =
      'validation failed: must not set the field(s): spec.template.spec.containers[1].readinessProbe\nexpected exactly one, got neither: spec.template.spec.containers[0].image';

    it('reports an admission denial with the webhook name and its text exactly, without retrying', async () => {
      server.admission((request) =>
        request.resource.kind === 'Service' ? webhookDenial(webhook, denial) : undefined,
      );
      const err = await rejection(kube.apply(ksvc('denied')));
      expect(err).to.be.instanceOf(AdmissionDenied);
      const denied = err as AdmissionDenied;
      expect(denied.webhook).to.equal(webhook);
      expect(denied.denial).to.equal(denial);
      expect(denied.code).to.equal(400);
      expect(denied.status.message).to.equal(`admission webhook "${webhook}" denied the request: ${denial}`);
      expect(requestsTo('PATCH', /denied$/)).to.have.length(1);
    });

    it('retries a 429 after the server’s Retry-After', async function () {
      this.slow(3000);
      server.faults.respond(429, {
        retryAfterSeconds: 1,
        times: 1,
        match: { method: 'GET', path: '/version' },
      });
      const started = Date.now();
      expect((await kube.serverVersion()).gitVersion).to.equal('v1.37.0');
      const calls = requestsTo('GET', '/version');
      expect(calls.map((r) => r.status)).to.deep.equal([429, 200]);
      expect(calls[1]!.at - calls[0]!.at).to.be.at.least(950);
      expect(Date.now() - started).to.be.below(3000);
    });

    it('retries 503, but not a 409', async () => {
      server.faults.respond(503, { times: 2, match: { path: '/version' } });
      expect((await kube.serverVersion()).gitVersion).to.equal('v1.37.0');
      expect(requestsTo('GET', '/version')).to.have.length(3);

      server.faults.respond(409, { times: 5, match: { path: '/version' } });
      const err = await rejection(kube.serverVersion());
      expect(err).to.be.instanceOf(KubeApiError);
      expect((err as KubeApiError).code).to.equal(409);
      expect(requestsTo('GET', '/version')).to.have.length(4);
    });

    it('retries connection resets', async () => {
      server.faults.resetConnection({ times: 2, match: { path: '/version' } });
      expect((await kube.serverVersion()).gitVersion).to.equal('v1.37.0');
      expect(requestsTo('GET', '/version')).to.have.length(3);

      const once = await connectKube(
        { kubeconfigYaml: server.kubeconfig },
        { retryPolicy: { ...fast, retries: 0 } },
      );
      server.faults.resetConnection({ times: 1, match: { path: '/version' } });
      const err = await rejection(once.serverVersion());
      await once.close();
      expect(err).to.be.instanceOf(KubeConnectionError);
      expect(err.message).to.match(/^get server version: fetch failed: .*(UND_ERR_SOCKET|ECONNRESET)/);
    });

    it('gives up after the policy’s retries with the last answer', async () => {
      server.faults.respond(500, {
        times: 10,
        match: { path: '/version' },
        message: 'etcdserver: leader changed',
      });
      const err = await rejection(kube.serverVersion());
      expect(err.message).to.equal('get server version: etcdserver: leader changed (HTTP 500 InternalError)');
      expect(requestsTo('GET', '/version')).to.have.length(fast.retries + 1);
    });
  });

  describe('exec, logs and events', () => {
    const target = { namespace: 'ns', pod: 'p', container: 'sidecar' };

    beforeEach(() => {
      put(pod('p', ['app', 'sidecar']));
      server.onExec((request) => {
        const script = request.command.join(' ');
        if (script === 'probe ok') return { stdout: `ok via ${request.protocol}\n` };
        if (script === 'probe fail')
          return { stdout: 'checking\n', stderr: 'not ready: port 8080 closed\n', exitCode: 3 };
        if (script === 'probe slow') return { stdout: 'late\n', delayMs: 2_000 };
        if (script === 'probe utf8') return { stdout: 'grüße ✓\n' };
        if (script === 'probe vanished') return { error: 'container not found ("sidecar")' };
        return undefined;
      });
    });

    it('returns exit code 0 and stdout over v5', async () => {
      expect(await kube.exec(target, ['probe', 'ok'])).to.deep.equal({
        exitCode: 0,
        stdout: 'ok via v5.channel.k8s.io\n',
        stderr: '',
      });
      expect(await kube.exec(target, ['probe', 'utf8'])).to.include({ stdout: 'grüße ✓\n' });
    });

    it('returns a non-zero exit code with stdout and stderr apart', async () => {
      expect(await kube.exec(target, ['probe', 'fail'])).to.deep.equal({
        exitCode: 3,
        stdout: 'checking\n',
        stderr: 'not ready: port 8080 closed\n',
      });
    });

    it('speaks v4 when the server does', async () => {
      const v4 = await startFakeApiServer({ namespaces: ['ns'], execProtocols: ['v4.channel.k8s.io'] });
      const kube4 = await connectKube({ kubeconfigYaml: v4.kubeconfig });
      try {
        v4.store.create(pod('p', ['app', 'sidecar']) as StoredObject);
        v4.onExec((r) => ({
          stdout: `via ${r.protocol}\n`,
          stderr: 'warn\n',
          exitCode: r.command[0] === 'fail' ? 7 : 0,
        }));
        expect(await kube4.exec(target, ['fail'])).to.deep.equal({
          exitCode: 7,
          stdout: 'via v4.channel.k8s.io\n',
          stderr: 'warn\n',
        });
        expect(await kube4.exec(target, ['ok'])).to.deep.equal({
          exitCode: 0,
          stdout: 'via v4.channel.k8s.io\n',
          stderr: 'warn\n',
        });
      } finally {
        await kube4.close();
        await v4.close();
      }
    });

    it('times out, closing the socket, with a clear error', async () => {
      const started = Date.now();
      const err = await rejection(kube.exec(target, ['probe', 'slow'], { timeoutMs: 150 }));
      expect(err).to.be.instanceOf(KubeTimeoutError);
      expect(err.message).to.equal(
        'exec ["probe","slow"] in ns/p container sidecar: no exit status within 150 ms; the connection was closed',
      );
      expect(Date.now() - started).to.be.below(1_000);
    });

    it('reports an exec that yields no exit code, and a refused upgrade with its HTTP code', async () => {
      const failed = await rejection(kube.exec(target, ['probe', 'vanished']));
      expect(failed).to.be.instanceOf(ExecFailed);
      expect(failed.message).to.contain('container not found ("sidecar")');
      const missingPod = await rejection(kube.exec({ ...target, pod: 'nope' }, ['probe', 'ok']));
      expect(missingPod).to.be.instanceOf(KubeApiError);
      expect((missingPod as KubeApiError).code).to.equal(404);
    });

    it('reads current and previous logs, keeping the server’s message when there is none', async () => {
      server.onLogs((r) =>
        r.container === 'sidecar' ? (r.previous ? 'before restart\n' : 'now\n') : undefined,
      );
      expect(await kube.logs(target)).to.equal('now\n');
      expect(await kube.logs(target, { previous: true })).to.equal('before restart\n');
      const err = await rejection(kube.logs({ ...target, container: 'app' }, { previous: true }));
      expect(err).to.be.instanceOf(KubeApiError);
      expect(err.message).to.equal(
        'previous logs of ns/p container app: previous terminated container "app" in pod "p" not found (HTTP 400 BadRequest)',
      );
    });

    it('reads events from both APIs about one object, once each, normalised', async () => {
      const regarding = { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p', uid: 'pod-uid' };
      put({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'p.1', namespace: 'ns' },
        involvedObject: { ...regarding, fieldPath: 'spec.containers{sidecar}' },
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: not ready',
        source: { component: 'kubelet', host: 'kind-worker' },
        count: 4,
        firstTimestamp: '2026-01-01T00:00:01Z',
        lastTimestamp: '2026-01-01T00:00:09Z',
      });
      put({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'p.2', namespace: 'ns' },
        regarding,
        type: 'Normal',
        reason: 'Started',
        note: 'Started container sidecar',
        reportingController: 'kubelet',
        reportingInstance: 'kind-worker',
        eventTime: '2026-01-01T00:00:00.123456Z',
        action: 'Started',
      });
      put({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'other.1', namespace: 'ns' },
        involvedObject: { ...regarding, name: 'other' },
        reason: 'Scheduled',
        message: 'elsewhere',
      });
      const events = await kube.events({ apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' });
      expect(
        events.map((e) => [
          e.metadata.name,
          e.reason,
          e.message,
          e.count,
          e.firstTime,
          e.lastTime,
          e.reportingController,
        ]),
      ).to.deep.equal([
        [
          'p.2',
          'Started',
          'Started container sidecar',
          1,
          '2026-01-01T00:00:00.123456Z',
          '2026-01-01T00:00:00.123456Z',
          'kubelet',
        ],
        [
          'p.1',
          'Unhealthy',
          'Readiness probe failed: not ready',
          4,
          '2026-01-01T00:00:01Z',
          '2026-01-01T00:00:09Z',
          'kubelet',
        ],
      ]);
      expect(events[1]!.regarding.fieldPath).to.equal('spec.containers{sidecar}');
      const selectors = server.requests
        .filter((r) => r.path.endsWith('/events'))
        .map((r) => r.query.fieldSelector);
      expect(selectors).to.deep.equal([
        'involvedObject.kind=Pod,involvedObject.name=p,involvedObject.namespace=ns',
        'regarding.kind=Pod,regarding.name=p,regarding.namespace=ns',
      ]);
    });
  });

  describe('redaction', () => {
    it('keeps kubeconfig credentials out of every error this layer throws', async () => {
      const token = 'kpc-test-token-0123456789abcdef';
      const withToken = server.kubeconfig.replace(/(\n( +)client-key-data: .*)/, `$1\n$2token: ${token}`);
      expect(withToken).to.contain(token);
      const keyData = /client-key-data: (\S+)/.exec(server.kubeconfig)![1]!;
      const leaky = await connectKube(
        { kubeconfigYaml: withToken },
        { retryPolicy: { ...fast, retries: 0 } },
      );
      const errors: Error[] = [];
      server.admission(() => webhookDenial('w.example.com', `rejected token ${token}`));
      errors.push(await rejection(leaky.apply(ksvc('x'))));
      errors.push(await rejection(leaky.list('nope.dev/v1', 'Thing')));
      errors.push(await rejection(leaky.exec({ namespace: 'ns', pod: 'none', container: 'c' }, ['true'])));
      await server.close();
      errors.push(await rejection(leaky.serverVersion()));
      await leaky.close();
      server = await startFakeApiServer();
      for (const err of errors) {
        const text = `${err.message}\n${err.stack}`;
        expect(text, err.message).not.to.contain(token);
        expect(text, err.message).not.to.contain(keyData);
        expect(text, err.message).not.to.contain('PRIVATE KEY');
      }
      expect(errors[0]!.message).to.contain(`rejected token ${REDACTED}`);
      expect(errors[3]!.message).to.match(/^get server version: fetch failed: .*ECONNREFUSED/);
    });
  });
});
