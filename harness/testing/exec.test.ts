import { PassThrough } from 'node:stream';
import { Exec, Log, type V1Status } from '@kubernetes/client-node';
import { expect } from 'chai';
import { type ExecRequest, type FakeApiServer, startFakeApiServer } from './index.ts';
import { kubeConfigFor } from './test-support.ts';

interface ExecOutcome {
  readonly protocol: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: V1Status;
}

/** Runs one exec through client-node's Exec (WebSocket) and collects its streams and status. */
async function runExec(
  server: FakeApiServer,
  pod: string,
  container: string,
  command: string[],
): Promise<ExecOutcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  let onStatus!: (s: V1Status) => void;
  const status = new Promise<V1Status>((resolve) => {
    onStatus = resolve;
  });
  const ws = await new Exec(kubeConfigFor(server)).exec(
    'default',
    pod,
    container,
    command,
    stdout,
    stderr,
    null,
    false,
    onStatus,
  );
  const final = await status;
  await new Promise((r) => ws.once('close', r));
  return {
    protocol: ws.protocol,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    status: final,
  };
}

const pod = (name: string, containers: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: containers.map((c) => ({ name: c, image: 'img' })) },
});

for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
  describe(`fake API server: exec over ${protocol}`, () => {
    let server: FakeApiServer;
    const seen: ExecRequest[] = [];
    before(async () => {
      server = await startFakeApiServer({ execProtocols: [protocol] });
      server.store.create(pod('p1', ['user-container', 'sidecar']));
      server.onExec((req) => {
        seen.push(req);
        if (req.command.join(' ') === 'sh -c exit 3')
          return { stdout: 'partial\n', stderr: 'boom\n', exitCode: 3 };
        if (req.command[0] === 'ok') return { stdout: 'hello\n' };
        return undefined;
      });
    });
    after(() => server.close());

    it('negotiates the protocol and reports success with stdout', async () => {
      const outcome = await runExec(server, 'p1', 'sidecar', ['ok']);
      expect(outcome.protocol).to.equal(protocol);
      expect(outcome.stdout).to.equal('hello\n');
      expect(outcome.stderr).to.equal('');
      expect(outcome.status).to.deep.equal({ metadata: {}, status: 'Success' });
      expect(seen.at(-1)).to.deep.include({
        namespace: 'default',
        pod: 'p1',
        container: 'sidecar',
        command: ['ok'],
        protocol,
      });
      expect(server.requests.at(-1)).to.include({
        path: '/api/v1/namespaces/default/pods/p1/exec',
        status: 101,
        upgrade: true,
      });
    });

    it('reports a non-zero exit as the kubelet does, with stderr', async () => {
      const outcome = await runExec(server, 'p1', 'user-container', ['sh', '-c', 'exit 3']);
      expect(outcome.stdout).to.equal('partial\n');
      expect(outcome.stderr).to.equal('boom\n');
      expect(outcome.status).to.deep.include({ status: 'Failure', reason: 'NonZeroExitCode' });
      expect(outcome.status.details?.causes).to.deep.equal([{ reason: 'ExitCode', message: '3' }]);
      expect(outcome.status.message).to.equal(
        'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      );
    });

    it('reports an unscripted command as an internal error that names it', async () => {
      const outcome = await runExec(server, 'p1', 'sidecar', ['unknown']);
      expect(outcome.status).to.deep.include({ status: 'Failure', reason: 'InternalError', code: 500 });
      expect(outcome.status.message).to.contain('no scripted exec answer for [unknown]');
    });
  });
}

describe('fake API server: exec errors and timing', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer();
    server.store.create(pod('p1', ['only']));
    server.onExec((req) => (req.command[0] === 'slow' ? { stdout: 'late', delayMs: 150 } : { exitCode: 0 }));
  });
  after(() => server.close());

  it('fails the upgrade with 404 for a missing pod and 400 for an unknown container', async () => {
    // client-node rejects with the WebSocket's ErrorEvent, whose message carries the HTTP code.
    const failure = (e: { message: string }) => ({ message: e.message });
    const missing = await runExec(server, 'nope', 'only', ['x']).then(
      () => ({ message: 'no error' }),
      failure,
    );
    expect(missing.message).to.equal('Unexpected server response: 404');
    expect(server.requests.at(-1)).to.include({ status: 404, upgrade: true });
    const wrong = await runExec(server, 'p1', 'other', ['x']).then(() => ({ message: 'no error' }), failure);
    expect(wrong.message).to.equal('Unexpected server response: 400');
  });

  it('applies respond faults to exec upgrades too', async () => {
    server.faults.respond(503, { match: { upgrade: true }, retryAfterSeconds: 1 });
    const failed = await runExec(server, 'p1', 'only', ['x']).then(
      () => 'no error',
      (e: { message: string }) => e.message,
    );
    expect(failed).to.equal('Unexpected server response: 503');
    expect((await runExec(server, 'p1', 'only', ['x'])).status.status).to.equal('Success');
  });

  it('answers after the scripted delay, so client timeouts can be exercised', async () => {
    const started = Date.now();
    const outcome = await runExec(server, 'p1', 'only', ['slow']);
    expect(Date.now() - started).to.be.at.least(140);
    expect(outcome.stdout).to.equal('late');
  });

  it('close() terminates an exec that is still waiting', async () => {
    const local = await startFakeApiServer();
    local.store.create(pod('p1', ['only']));
    local.onExec(() => ({ delayMs: 60_000 }));
    const ws = await new Exec(kubeConfigFor(local)).exec(
      'default',
      'p1',
      'only',
      ['hang'],
      null,
      null,
      null,
      false,
    );
    const closed = new Promise((r) => ws.once('close', r));
    const started = Date.now();
    await local.close();
    await closed;
    expect(Date.now() - started).to.be.lessThan(1000);
  });
});

describe('fake API server: logs', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer();
    server.store.create(pod('p1', ['user-container', 'sidecar']));
    server.onLogs((req) => {
      if (req.container !== 'sidecar') return undefined;
      return req.previous ? 'crashed: exit 5\n' : 'line 1\nline 2\nline 3\n';
    });
  });
  after(() => server.close());

  async function readLog(
    container: string,
    options: { previous?: boolean; tailLines?: number },
  ): Promise<string> {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((r) => sink.on('finish', r));
    await new Log(kubeConfigFor(server)).log('default', 'p1', container, sink, { follow: false, ...options });
    await ended;
    return Buffer.concat(chunks).toString();
  }

  it('serves the current and previous log of a container, with tailLines', async () => {
    expect(await readLog('sidecar', {})).to.equal('line 1\nline 2\nline 3\n');
    expect(await readLog('sidecar', { tailLines: 2 })).to.equal('line 2\nline 3\n');
    expect(await readLog('sidecar', { previous: true })).to.equal('crashed: exit 5\n');
    const request = server.requests.at(-1)!;
    expect(request.path).to.equal('/api/v1/namespaces/default/pods/p1/log');
    expect(request.query).to.include({ container: 'sidecar', previous: 'true', follow: 'false' });
  });

  it('fails a previous log that was never scripted like a container that never restarted', async () => {
    const err = await readLog('user-container', { previous: true }).catch((e: Error) => e);
    expect(String(err)).to.match(/400|Bad Request/);
    expect(server.requests.at(-1)?.status).to.equal(400);
  });
});
