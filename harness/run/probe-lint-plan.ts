/**
 * The probe-lint checks a case implies: for every container with exec probes, its probes run in its
 * image at the start and after each of the case's exec steps on that container. What the scenario
 * itself says is turned into expectations only where it is unambiguous:
 * - a `never` of the container being ready, over a window that closes at one of those exec steps (or
 *   over the whole trace), means the readiness probe must fail at every checkpoint before it;
 * - a `reach` of the container being ready means the readiness probe must pass at one checkpoint.
 * Every other checkpoint only checks that the probes and steps can run (program present, in time).
 */
import type { Expectation } from '../expect/schema.ts';
import type { ProbeKind, ProbeLintInput } from '../probe-lint/input.ts';
import { expectationsFor, type RenderedCase, stepsFor } from '../scenario/case.ts';

type Container = RenderedCase['service']['spec']['template']['spec']['containers'][number];

const probeFields: [ProbeKind, 'readinessProbe' | 'livenessProbe' | 'startupProbe'][] = [
  ['readiness', 'readinessProbe'],
  ['liveness', 'livenessProbe'],
  ['startup', 'startupProbe'],
];

const aboutReady = (subject: { container?: { name: string; ready?: boolean } } | undefined, name: string) =>
  subject?.container?.name === name && subject.container.ready === true;

/** The step at which a `never ready` window closes: a step id, `end` (the whole trace) or unknown. */
function neverReadyUntil(expectations: readonly Expectation[], name: string): string[] {
  return expectations.flatMap((e) => {
    if (!('never' in e) || !aboutReady(e.never, name)) return [];
    const until = e.during?.until;
    if (e.during?.for !== undefined || e.during?.from !== undefined) return [];
    if (until === undefined || until === 'end') return ['end'];
    return typeof until === 'object' && 'step' in until && until.step ? [until.step] : [];
  });
}

/** Where the container mounts the pod's emptyDir volumes. */
function emptyDirMounts(rendered: RenderedCase, container: Container): string[] {
  const volumes = (rendered.service.spec.template.spec.volumes ?? []) as {
    name: string;
    emptyDir?: unknown;
  }[];
  const emptyDirs = new Set(volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name));
  const mounts = ((container as { volumeMounts?: { name: string; mountPath: string }[] }).volumeMounts ??
    []) as {
    name: string;
    mountPath: string;
  }[];
  return mounts.filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath);
}

export function probeLintInputs(rendered: RenderedCase, variant: string): ProbeLintInput[] {
  const steps = stepsFor(rendered, variant);
  const expectations = expectationsFor(rendered, variant);
  const inputs: ProbeLintInput[] = [];
  for (const container of rendered.service.spec.template.spec.containers as Container[]) {
    if (typeof container !== 'object' || !container.name) continue;
    const name = container.name;
    const probes = probeFields.flatMap(([kind, field]) => {
      const probe = container[field] as { exec?: { command: string[] }; timeoutSeconds?: number } | undefined;
      return probe?.exec
        ? [{ kind, exec: { command: probe.exec.command }, timeoutSeconds: probe.timeoutSeconds || 1 }]
        : [];
    });
    if (!probes.length) continue;
    const execs = steps.flatMap((s) =>
      'exec' in s.step && s.step.exec.container === name
        ? [{ id: s.id, command: s.step.exec.command as string[] }]
        : [],
    );
    const closes = neverReadyUntil(expectations, name);
    const failsUntil = closes.includes('end')
      ? execs.length
      : Math.max(-1, ...closes.map((id) => execs.findIndex((e) => e.id === id)));
    const checkpoints = [
      { name: 'start', before: [] as string[][] },
      ...execs.map((e, i) => ({
        name: `after step ${e.id}`,
        before: execs.slice(0, i + 1).map((x) => x.command),
      })),
    ].map((c, i) =>
      i <= failsUntil && probes.some((p) => p.kind === 'readiness')
        ? { ...c, expect: 'fail' as const, probes: ['readiness' as ProbeKind] }
        : { ...c, expect: 'any' as const },
    );
    const env = Object.fromEntries(
      ((container.env ?? []) as { name: string; value?: string }[]).flatMap((v) =>
        v.value !== undefined ? [[v.name, v.value]] : [],
      ),
    );
    const emptyDirs = emptyDirMounts(rendered, container);
    inputs.push({
      image: container.image,
      container: name,
      ...(emptyDirs.length ? { emptyDirs } : {}),
      ...(container.command ? { command: container.command as string[] } : {}),
      ...(container.args ? { args: container.args as string[] } : {}),
      ...(Object.keys(env).length ? { env } : {}),
      probes,
      checkpoints,
      ...(expectations.some((e) => 'reach' in e && aboutReady(e.reach, name))
        ? { mustPassSomewhere: ['readiness' as ProbeKind] }
        : {}),
    });
  }
  return inputs;
}
