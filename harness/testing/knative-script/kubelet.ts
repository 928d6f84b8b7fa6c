/** The kubelet: container start, readiness probes, readiness flips and probe events (kubelet-probe-facts.md §1, §3, §6). */
import { createHash } from 'node:crypto';
import { type Condition, setCondition } from '../conditions.ts';
import type { ExecAnswer, ExecRequest } from '../exec.ts';
import type { FakeApiServer } from '../server.ts';
import { type KubernetesObject, kubeTime, type ObjectRef } from '../store.ts';
import { EventSink } from './events.ts';
import { is, Lifetime, type ScriptHandle } from './lifetime.ts';
import { type ContainerSpec, containersOf, handlers, type Obj, type ProbeSpec, refTo } from './shapes.ts';

/** One run of a readiness probe, as a probe script sees it. */
export interface ProbeRun {
  pod: KubernetesObject;
  container: string;
  handler: (typeof handlers)[number];
  probe: ProbeSpec;
  /** Files that exist in the container (from `files`, and `touch`/`rm` execs). */
  files: ReadonlySet<string>;
}

/** `failure.output` is the command's output (P§2.2); a timeout takes `timeoutSeconds` and fails with the runtime's text. */
export type ProbeOutcome =
  | { result: 'success' }
  | { result: 'failure'; output?: string }
  | { result: 'timeout' }
  | { result: 'error'; error: string };

/** Decides a probe run; `undefined` passes to the next script. */
export type ProbeScript = (run: ProbeRun) => ProbeOutcome | undefined;

/** Exec probes `test -f|-e <path>` and `test -d <path>` against the container's files (no output, P§3.1). */
export const fileProbe: ProbeScript = ({ handler, probe, files }) => {
  const command = probe.exec?.command ?? [];
  if (handler !== 'exec' || command[0] !== 'test' || command.length !== 3) return undefined;
  const [, flag, path] = command;
  if (!['-f', '-e', '-d'].includes(flag!)) return undefined;
  return files.has(path!) ? { result: 'success' } : { result: 'failure', output: '' };
};

export interface KubeletOptions {
  /** Real milliseconds per probe second (periodSeconds, timeoutSeconds, initialDelaySeconds); default 1000. */
  msPerSecond?: number;
  /** Asked in order before the defaults (`fileProbe` for exec; success for handlers queue-proxy and the kubelet run over the network). */
  probes?: ProbeScript[];
  /** Files present when a container starts (e.g. written by its command); `/` and `/tmp` always exist. */
  files?: (container: ContainerSpec, pod: KubernetesObject) => readonly string[];
  /** The node name in events (default `fake-node`). */
  node?: string;
  /** Pod scheduled → containers running (default 100 ms). */
  startMs?: number;
}

interface ProbeWorker {
  handler: ProbeRun['handler'];
  spec: Required<
    Pick<ProbeSpec, 'periodSeconds' | 'timeoutSeconds' | 'successThreshold' | 'failureThreshold'>
  > &
    ProbeSpec;
  last: 'success' | 'failure';
  run: number;
  busy: boolean;
  pending: boolean;
}

interface ContainerState {
  name: string;
  image?: string;
  running: boolean;
  ready: boolean;
  startedAt?: string;
  containerID?: string;
  files: Set<string>;
  probe?: ProbeWorker;
}

interface PodState {
  ref: ObjectRef;
  uid: string;
  ip: string;
  startTime: string;
  containers: ContainerState[];
  stopped: boolean;
  timers: NodeJS.Timeout[];
}

/** P§1.6: `containers with unready status: [a b]`. */
export const unreadyMessage = (names: readonly string[]): string =>
  `containers with unready status: [${names.join(' ')}]`;

/**
 * A kubelet for every Pod: containers start, readiness probes run (the first at once after start, seeded
 * Failure, P§1.3–§1.4; then on a fixed-rate ticker every periodSeconds, P§1.2), `successThreshold` /
 * `failureThreshold` consecutive results flip `containerStatuses[].ready`, `ContainersReady` and `Ready`
 * together (P§1.5, §1.6), every failed run emits `Warning Unhealthy "Readiness probe failed: <output>"`
 * and every errored one `... errored and resulted in unknown state: <error>` (P§3.1, with the P§3.3
 * correlator). Containers without a readiness probe are ready once running. Execs `touch <path>` and
 * `rm <path>` change a container's files.
 */
export function scriptKubelet(server: FakeApiServer, options: KubeletOptions = {}): ScriptHandle {
  const { store } = server;
  const life = new Lifetime();
  const ms = options.msPerSecond ?? 1000;
  const node = options.node ?? 'fake-node';
  const startMs = options.startMs ?? 100;
  const events = new EventSink(store, ms, { component: 'kubelet', host: node });
  const pods = new Map<string, PodState>();
  const scripts = [...(options.probes ?? []), fileProbe];
  let podCount = 0;

  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

  const writeStatus = (state: PodState) => {
    const current = store.get(state.ref);
    if (!current || current.metadata?.uid !== state.uid) return;
    const unready = state.containers.filter((c) => !c.ready).map((c) => c.name);
    const running = state.containers.every((c) => c.running);
    const readiness: Omit<Condition, 'type'> = unready.length
      ? { status: 'False', reason: 'ContainersNotReady', message: unreadyMessage(unready) }
      : { status: 'True' };
    let pod = { ...current, status: { ...(current as Obj).status } } as KubernetesObject;
    for (const c of [
      { type: 'Initialized', status: 'True' } as Condition,
      { type: 'Ready', ...readiness } as Condition,
      { type: 'ContainersReady', ...readiness } as Condition,
      { type: 'PodScheduled', status: 'True' } as Condition,
    ])
      pod = setCondition(pod, c, { style: 'kubernetes' });
    Object.assign((pod as Obj).status!, {
      phase: running ? 'Running' : 'Pending',
      startTime: state.startTime,
      ...(running ? { podIP: state.ip, podIPs: [{ ip: state.ip }] } : {}),
      containerStatuses: state.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: c.ready,
        started: c.running,
        restartCount: 0,
        ...(c.containerID ? { containerID: c.containerID } : {}),
        state: c.running
          ? { running: { startedAt: c.startedAt } }
          : { waiting: { reason: 'ContainerCreating' } },
      })),
    });
    store.updateStatus(pod);
  };

  const outcomeOf = (run: ProbeRun): ProbeOutcome => {
    for (const script of scripts) {
      const outcome = script(run);
      if (outcome) return outcome;
    }
    if (run.handler !== 'exec') return { result: 'success' };
    return {
      result: 'error',
      error: `fake kubelet: no scripted outcome for exec probe [${run.probe.exec?.command?.join(' ')}] in container ${run.container}`,
    };
  };

  const probeOnce = (state: PodState, c: ContainerState) => {
    const worker = c.probe!;
    if (state.stopped) return;
    if (worker.busy) {
      worker.pending = true; // P§1.2: a tick that comes during a long probe fires as soon as it returns
      return;
    }
    const eligibleAt = Date.parse(c.startedAt!) + (worker.spec.initialDelaySeconds ?? 0) * ms;
    if (Date.now() < eligibleAt) return; // P§1.3 step 8
    const pod = store.get(state.ref);
    if (!pod) return;
    const outcome = outcomeOf({
      pod,
      container: c.name,
      handler: worker.handler,
      probe: worker.spec,
      files: c.files,
    });
    const finish = () => {
      worker.busy = false;
      life.guard(() => settle(state, c, outcome, pod));
      if (worker.pending) {
        worker.pending = false;
        probeOnce(state, c);
      }
    };
    worker.busy = true;
    if (outcome.result === 'timeout') {
      const timer = setTimeout(finish, worker.spec.timeoutSeconds * ms);
      timer.unref();
      state.timers.push(timer);
    } else finish();
  };

  const settle = (state: PodState, c: ContainerState, outcome: ProbeOutcome, pod: KubernetesObject) => {
    const worker = c.probe!;
    if (state.stopped) return;
    const fieldPath = `spec.containers{${c.name}}`;
    if (outcome.result === 'error') {
      // P§1.3 step 10: an errored probe is reported and its result thrown away.
      events.record(pod, {
        type: 'Warning',
        reason: 'Unhealthy',
        message: `Readiness probe errored and resulted in unknown state: ${outcome.error}`,
        fieldPath,
      });
      return;
    }
    const result = outcome.result === 'success' ? 'success' : 'failure';
    if (outcome.result !== 'success') {
      const output =
        outcome.result === 'timeout'
          ? `command timed out: "${(worker.spec.exec?.command ?? []).join(' ')}" timed out after ${worker.spec.timeoutSeconds}s`
          : (outcome.output ?? '');
      events.record(pod, {
        type: 'Warning',
        reason: 'Unhealthy',
        message: `Readiness probe failed: ${output}`,
        fieldPath,
      });
    }
    worker.run = worker.last === result ? worker.run + 1 : 1;
    worker.last = result;
    const flip =
      (result === 'success' && !c.ready && worker.run >= worker.spec.successThreshold) ||
      (result === 'failure' && c.ready && worker.run >= worker.spec.failureThreshold);
    if (flip) {
      c.ready = result === 'success';
      writeStatus(state);
    }
  };

  const start = (state: PodState) => {
    const startedAt = kubeTime();
    for (const c of state.containers) {
      c.running = true;
      c.startedAt = startedAt;
      c.containerID = `containerd://${createHash('sha256').update(`${state.uid}/${c.name}`).digest('hex')}`;
      c.ready = !c.probe;
    }
    writeStatus(state);
    for (const c of state.containers.filter((x) => x.probe)) {
      // P§1.4: the seeded Failure triggers a probe at once; then the fixed-rate ticker (P§1.2).
      life.after(20, () => probeOnce(state, c));
      const ticker = setInterval(
        () => life.guard(() => probeOnce(state, c)),
        c.probe!.spec.periodSeconds * ms,
      );
      ticker.unref();
      state.timers.push(ticker);
    }
  };

  const podAdded = (pod: KubernetesObject) => {
    const meta = pod.metadata!;
    const specContainers = containersOf(pod as { spec?: { containers?: ContainerSpec[] } });
    podCount += 1;
    const state: PodState = {
      ref: refTo(pod),
      uid: meta.uid!,
      ip: `10.244.${Math.floor(podCount / 250) % 250}.${(podCount % 250) + 2}`,
      startTime: kubeTime(),
      stopped: false,
      timers: [],
      containers: specContainers.map((c) => {
        const p = c.readinessProbe;
        const handler = handlers.find((h) => p?.[h]);
        return {
          name: c.name,
          ...(c.image ? { image: c.image } : {}),
          running: false,
          ready: false,
          files: new Set(['/', '/tmp', ...(options.files?.(c, pod) ?? [])]),
          ...(p && handler
            ? {
                probe: {
                  handler,
                  // P§1.1: the API server's defaults for unset fields.
                  spec: {
                    ...p,
                    periodSeconds: p.periodSeconds || 10,
                    timeoutSeconds: p.timeoutSeconds || 1,
                    successThreshold: p.successThreshold || 1,
                    failureThreshold: p.failureThreshold || 3,
                  },
                  last: 'failure' as const,
                  run: 0,
                  busy: false,
                  pending: false,
                },
              }
            : {}),
        };
      }),
    };
    pods.set(keyOf(meta.namespace!, meta.name!), state);
    writeStatus(state);
    life.after(startMs, () => start(state));
  };

  const stopPod = (state: PodState) => {
    state.stopped = true;
    for (const t of state.timers) clearTimeout(t);
  };

  const podDeleted = (pod: KubernetesObject) => {
    const key = keyOf(pod.metadata!.namespace!, pod.metadata!.name!);
    const state = pods.get(key);
    if (!state || state.uid !== pod.metadata?.uid) return;
    stopPod(state);
    pods.delete(key);
  };

  server.onExec((req: ExecRequest): ExecAnswer | undefined => {
    if (life.stopped) return undefined;
    const c = pods.get(keyOf(req.namespace, req.pod))?.containers.find((x) => x.name === req.container);
    const [verb, path, ...rest] = req.command;
    if (!c || !path || rest.length) return undefined;
    if (verb === 'touch') {
      c.files.add(path);
      return { exitCode: 0 };
    }
    if (verb !== 'rm') return undefined;
    if (c.files.delete(path)) return { exitCode: 0 };
    return { exitCode: 1, stderr: `rm: can't remove '${path}': No such file or directory\n` };
  });

  life.listen(store, (change) => {
    if (!is(change, '', 'Pod')) return;
    if (change.type === 'ADDED') life.after(10, () => podAdded(change.object));
    else if (change.type === 'DELETED') podDeleted(change.object);
  });
  life.onStop(() => {
    for (const state of pods.values()) stopPod(state);
  });
  return life;
}
