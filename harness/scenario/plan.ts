/**
 * `kpc scenarios plan`: per case and variant, the steps in order and the expectations with their
 * timing bounds and how each bound is derived. Computed from the rendered case alone; no cluster.
 */
import { describeAnchor, describeWindow } from '../expect/anchors.ts';
import { parseDuration } from '../expect/duration.ts';
import { describeExpectation } from '../expect/judge.ts';
import { defaultSlackMs, describeBound, probeBounds } from '../expect/probe-bounds.ts';
import type { Anchor, Expectation, ProbeBound } from '../expect/schema.ts';
import { describeTextMatch } from '../expect/text-match.ts';
import type { ProbeSpec } from '../expect/timeline.ts';
import {
  expectationsFor,
  type RenderedCase,
  type RenderedStep,
  requirementsFor,
  stepsFor,
  type VariantNeeds,
} from './case.ts';
import type { ProbeTemplate, ServiceTemplate } from './service-schema.ts';

export interface PlannedStep {
  readonly id: string;
  readonly summary: string;
}

/** A bound derived from a probe spec (a written `within: 30s` needs no derivation). */
export interface PlannedBound {
  /** Relative to the anchor, propagation slack included. */
  readonly earliestMs: number;
  readonly latestMs: number;
  /** How the bound follows from the probe spec, line by line. */
  readonly derivation: readonly string[];
}

export interface PlannedExpectation {
  readonly name: string;
  readonly summary: string;
  readonly bound?: PlannedBound;
  /** Why no bound could be computed, when one was asked for. */
  readonly note?: string;
}

export interface VariantPlan {
  readonly caseId: string;
  readonly variant: string;
  readonly needs: VariantNeeds;
  readonly steps: readonly PlannedStep[];
  readonly expectations: readonly PlannedExpectation[];
}

export function planCase(rendered: RenderedCase, variant: string): VariantPlan {
  return {
    caseId: rendered.id,
    variant,
    needs: requirementsFor(rendered, variant),
    steps: stepsFor(rendered, variant).map((s) => ({ id: s.id, summary: describeStep(s, rendered) })),
    expectations: expectationsFor(rendered, variant).map((e) => planExpectation(e, rendered)),
  };
}

const words = (command: readonly string[]) =>
  command.map((w) => (/^[\w./:=@%+-]+$/.test(w) ? w : JSON.stringify(w))).join(' ');

function describeProbe(kind: string, probe: ProbeTemplate): string {
  const handler =
    (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).find((h) => probe[h] !== undefined) ?? 'no handler';
  const detail =
    handler === 'exec'
      ? ` [${words((probe.exec?.command ?? []).map(String))}]`
      : handler === 'httpGet' || handler === 'tcpSocket' || handler === 'grpc'
        ? ` port ${String(probe[handler]?.port ?? 'unset')}`
        : '';
  const timing = (
    [
      'initialDelaySeconds',
      'periodSeconds',
      'timeoutSeconds',
      'successThreshold',
      'failureThreshold',
    ] as const
  )
    .filter((f) => probe[f] !== undefined)
    .map((f) => `${f.replace('Seconds', '').replace('Threshold', '')}=${String(probe[f])}`);
  return `${kind} ${handler}${detail}${timing.length > 0 ? ` (${timing.join(' ')})` : ''}`;
}

function describeContainers(service: ServiceTemplate | undefined): string {
  const containers = service?.spec.template.spec.containers ?? [];
  return containers
    .map((c) => {
      if (typeof c !== 'object') return String(c);
      const probes = (['readinessProbe', 'livenessProbe', 'startupProbe'] as const)
        .filter((p) => c[p] !== undefined)
        .map((p) => describeProbe(p.replace('Probe', ''), c[p]!));
      const ports = c.ports ? ' [serving]' : '';
      return `${c.name ?? '(unnamed)'}${ports}${probes.length > 0 ? `: ${probes.join('; ')}` : ''}`;
    })
    .join(' | ');
}

function describeStep(s: RenderedStep, rendered: RenderedCase): string {
  const step = s.step;
  const service = rendered.context.service;
  if ('apply' in step)
    return `apply Service ${service}: ${describeContainers(rendered.serviceAfterStep[s.index])}`;
  if ('expectRejection' in step) {
    const r = step.expectRejection;
    return `apply Service ${service}, expecting ${r.webhook} to deny it with ${describeTextMatch(r.message)}: ${describeContainers(r.manifest ?? rendered.service)}`;
  }
  if ('exec' in step) {
    const e = step.exec;
    return `exec in container ${e.container} of ${e.pods ?? 'all'} pods: ${words(e.command)} → exit ${String(e.expectExitCode ?? 0)}${e.timeout ? ` (timeout ${e.timeout})` : ''}`;
  }
  if ('patch' in step) {
    const p = step.patch;
    const target = p.target ? `${p.target.kind} ${p.target.name}` : `Service ${service}`;
    const how = p.merge !== undefined ? 'merge patch' : `JSON patch, ${p.json?.length ?? 0} operation(s)`;
    const after = p.target ? '' : ` → ${describeContainers(rendered.serviceAfterStep[s.index])}`;
    return `${how} of ${target}${after}`;
  }
  if ('delete' in step) {
    const d = step.delete;
    return `delete ${d.target ? `${d.target.kind} ${d.target.name}` : `Service ${service}`}${d.wait === false ? '' : ', wait until gone'}`;
  }
  if ('request' in step) {
    const r = step.request;
    const status = r.expect?.status === undefined ? 'any 2xx' : [r.expect.status].flat().join(' or ');
    const body = r.expect?.body === undefined ? '' : `, body ${describeTextMatch(r.expect.body)}`;
    const retry = r.retry ? `, retrying for up to ${r.retry.within}` : '';
    return `${r.method ?? 'GET'} ${r.path ?? '/'} through the ingress (Host of the Service URL), expect ${status}${body}${retry}${r.timeout ? ` (timeout ${r.timeout})` : ''}`;
  }
  if ('wait' in step) {
    const w = step.wait;
    return 'until' in w ? `wait until ${w.until.join(', ')} (timeout ${w.timeout})` : `observe for ${w.for}`;
  }
  const c = step.collect;
  const what = [
    c.events !== false ? 'events' : '',
    c.objects !== false ? 'objects' : '',
    c.logs === false ? '' : Array.isArray(c.logs) ? `logs of ${c.logs.join(', ')}` : 'logs',
    c.previousLogs ? 'previous logs' : '',
  ].filter(Boolean);
  return `collect diagnostics: ${what.join(', ')}`;
}

function planExpectation(e: Expectation, rendered: RenderedCase): PlannedExpectation {
  const name = e.name ?? describeExpectation(e);
  const during = 'during' in e && e.during ? ` ${describeWindow(e.during)}` : '';
  const summary = `${describeExpectation(e)}${during}`;
  if (!('reach' in e) || e.by?.within === undefined) return { name, summary };
  const { within, after } = e.by;
  if (typeof within === 'string') return { name, summary };
  const spec = probeAt(rendered, within, after);
  if (typeof spec === 'string') return { name, summary, note: spec };
  const slack = within.slack ? parseDuration(within.slack) : defaultSlackMs;
  const bound = probeBounds(spec, within.transition);
  const derivation = describeBound(spec, within.transition, {
    slackMs: slack,
    container: within.probe.container,
  });
  return {
    name,
    summary,
    bound: {
      earliestMs: bound.earliestMs - slack,
      latestMs: bound.latestMs + slack,
      derivation: [
        `T = ${describeAnchor(after)}`,
        ...derivation.split('\n'),
        ...(within.transition === 'becomes-ready'
          ? [
              'if the container starts after T, the judge adds the time until it becomes eligible (§6 A, first readiness)',
            ]
          : []),
      ],
    },
  };
}

/** The probe a bound uses: the container's probe in the Service as the anchor step leaves it. */
function probeAt(rendered: RenderedCase, within: ProbeBound, after: Anchor | undefined): ProbeSpec | string {
  const states = rendered.serviceAfterStep;
  const anchorIndex =
    after !== undefined && after !== 'start' && !('note' in after) && after.step !== undefined
      ? rendered.steps.findIndex((s) => s.id === after.step)
      : -1;
  const service = (anchorIndex >= 0 ? states[anchorIndex] : undefined) ?? states.find((s) => s !== undefined);
  const field = 'readinessProbe';
  const container = service?.spec.template.spec.containers.find(
    (c) => typeof c === 'object' && c.name === within.probe.container,
  );
  const probe = typeof container === 'object' ? container[field] : undefined;
  if (probe === undefined) return `no ${field} on container ${within.probe.container} at that step`;
  return toProbeSpec(probe);
}

function toProbeSpec(probe: ProbeTemplate): ProbeSpec {
  const spec: ProbeSpec = {};
  if (probe.exec) spec.exec = { command: probe.exec.command.map(String) };
  if (probe.httpGet) spec.httpGet = probe.httpGet;
  if (probe.tcpSocket) spec.tcpSocket = probe.tcpSocket;
  if (probe.grpc) spec.grpc = probe.grpc;
  for (const field of [
    'initialDelaySeconds',
    'periodSeconds',
    'timeoutSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    const value = probe[field];
    if (typeof value === 'number') spec[field] = value;
  }
  return spec;
}

function describeNeeds(needs: VariantNeeds): string[] {
  const lines: string[] = [];
  if (needs.knative.length > 0) lines.push(`knative ${needs.knative.join(' and ')}`);
  const pairs = (m: Readonly<Record<string, string>>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  if (Object.keys(needs.features).length > 0) lines.push(`config-features ${pairs(needs.features)}`);
  if (Object.keys(needs.deployment).length > 0) lines.push(`config-deployment ${pairs(needs.deployment)}`);
  return lines;
}

/** A plan as text: one block per case and variant. */
export function formatPlan(rendered: RenderedCase, plans: readonly VariantPlan[]): string {
  const lines = [
    `${rendered.id}  ${rendered.level}${rendered.tags.length > 0 ? `  [${rendered.tags.join(', ')}]` : ''}  (${rendered.file})`,
  ];
  for (const plan of plans) {
    lines.push(`  variant ${plan.variant}`);
    const needs = describeNeeds(plan.needs);
    lines.push(`    needs: ${needs.length > 0 ? needs.join('; ') : 'nothing beyond the defaults'}`);
    lines.push('    steps:');
    for (const [i, s] of plan.steps.entries()) lines.push(`      ${i + 1}. ${s.id}: ${s.summary}`);
    lines.push(plan.expectations.length > 0 ? '    expectations:' : '    expectations: none');
    for (const e of plan.expectations) {
      lines.push(`      - ${e.name}${e.name === e.summary ? '' : `: ${e.summary}`}`);
      if (e.bound) lines.push(...e.bound.derivation.map((d) => `          ${d}`));
      if (e.note) lines.push(`          no bound: ${e.note}`);
    }
  }
  return lines.join('\n');
}
