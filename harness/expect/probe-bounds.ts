/**
 * Timing bounds of a readiness transition derived from a probe spec and kubelet semantics
 * (kubelet-probe-facts.md §6 "Derived bounds"). The derivation is written out in
 * docs/timing-bounds.md; `describeBound` prints it for one probe.
 */
import { formatDuration, offsetFrom } from './duration.ts';
import type { ProbeTransition } from './schema.ts';
import type { ProbeSpec } from './timeline.ts';

/** Kubernetes API defaults for a Probe (k8s.io/api core/v1 types; kubelet-probe-facts.md §1.1). */
export const kubernetesProbeDefaults = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

type TimingField = keyof typeof kubernetesProbeDefaults;
const timingFields = Object.keys(kubernetesProbeDefaults) as TimingField[];

export type ProbeHandler = 'exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'none';

/** The probe as the kubelet runs it, with which fields came from defaults. */
export interface EffectiveProbe {
  handler: ProbeHandler;
  command?: string[];
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  /** Fields that were 0 or missing in the spec and take the Kubernetes default. */
  defaulted: TimingField[];
}

export const handlerOf = (spec: ProbeSpec): ProbeHandler =>
  spec.exec ? 'exec' : spec.httpGet ? 'httpGet' : spec.tcpSocket ? 'tcpSocket' : spec.grpc ? 'grpc' : 'none';

/**
 * What the kubelet runs. The API server replaces 0 or missing timing fields with the defaults
 * (initialDelaySeconds stays 0). That is also what happens to a Knative exec probe written with
 * `periodSeconds: 0`: Knative's aggressive 50 ms mode belongs to queue-proxy, which never runs exec
 * probes; Knative leaves the exec probe on its container with 0s, and the pod gets period 10,
 * timeout 1, failure threshold 3 (knative-facts.md §1.2, §2.1, §2.2, §6 TestProbeRuntime comment).
 */
export function effectiveProbe(spec: ProbeSpec): EffectiveProbe {
  const defaulted: TimingField[] = [];
  const value = (field: TimingField): number => {
    const given = spec[field];
    if (typeof given === 'number' && given > 0) return given;
    if (field !== 'initialDelaySeconds') defaulted.push(field);
    return kubernetesProbeDefaults[field];
  };
  const [initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold] =
    timingFields.map(value) as [number, number, number, number, number];
  const out: EffectiveProbe = {
    handler: handlerOf(spec),
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds,
    successThreshold,
    failureThreshold,
    defaulted,
  };
  if (spec.exec?.command) out.command = spec.exec.command;
  return out;
}

export interface BoundContext {
  /**
   * Milliseconds from the anchor until the container becomes eligible for readiness probes
   * (G − T: startedAt + initialDelaySeconds − 1 s, or startup-probe success), when that is later.
   */
  eligibleInMs?: number;
}

/** When, relative to the anchor T, the transition can be reported: [earliestMs, latestMs]. */
export interface TransitionBound {
  transition: ProbeTransition;
  probe: EffectiveProbe;
  earliestMs: number;
  latestMs: number;
  /** The formulas with the numbers put in, for explanations. */
  earliestFormula: string;
  latestFormula: string;
}

/** One PLEG relist: how long the kubelet may take to see a new container as running. */
const plegRelistMs = 1000;
/** `startedAt` is truncated to whole seconds, so eligibility can start up to 1 s early. */
const truncationMs = 1000;

/**
 * The window after T in which the transition reaches the API (propagation δ excluded: that is
 * the caller's slack). `becomes-ready`: T is when the probe starts to succeed (the file appears) and
 * the container is not ready. `becomes-unready`: T is when it starts to fail, the container ready.
 */
export function probeBounds(
  spec: ProbeSpec,
  transition: ProbeTransition,
  context: BoundContext = {},
): TransitionBound {
  const probe = effectiveProbe(spec);
  const P = probe.periodSeconds * 1000;
  const TO = probe.timeoutSeconds * 1000;
  const S = probe.successThreshold;
  const F = probe.failureThreshold;
  const pEff = Math.max(P, TO);
  const s = formatDuration;
  if (transition === 'becomes-unready') {
    // §6 B: no manual triggers while ready; the F-th failure runs (F−1)·P after the first, which
    // starts at most P after T; a hanging probe stretches each run to TO.
    return {
      transition,
      probe,
      earliestMs: (F - 1) * P,
      latestMs: P + (F - 1) * pEff + TO,
      earliestFormula: `(F−1)·P = ${F - 1}·${s(P)} = ${s((F - 1) * P)}`,
      latestFormula: `P + (F−1)·max(P,TO) + TO = ${s(P)} + ${F - 1}·${s(pEff)} + ${s(TO)} = ${s(P + (F - 1) * pEff + TO)}`,
    };
  }
  const steady = S * pEff + TO;
  const eligibleIn = Math.max(0, context.eligibleInMs ?? 0);
  if (eligibleIn > 0) {
    // §6 A, first readiness after start: the first probe runs right at eligibility (seed-triggered
    // manual run, §1.4), at worst a truncation second, a PLEG relist and S periods later.
    const latest = eligibleIn + truncationMs + steady + plegRelistMs;
    return {
      transition,
      probe,
      earliestMs: eligibleIn,
      latestMs: latest,
      earliestFormula: `G − T = ${s(eligibleIn)} (the container is not eligible before G)`,
      latestFormula: `(G − T) + 1s + S·max(P,TO) + TO + 1s = ${s(eligibleIn)} + 1s + ${S}·${s(pEff)} + ${s(TO)} + 1s = ${s(latest)}`,
    };
  }
  // §6 A: each success must run after T; while not ready any pod sync probes at once (§1.4), so
  // nothing later than T itself is a hard lower bound. The probe started just before T may miss,
  // the next starts at most P later, then S−1 more ticks, each run taking up to TO.
  return {
    transition,
    probe,
    earliestMs: 0,
    latestMs: steady,
    earliestFormula: '0s (strictly after T; pod syncs can trigger extra probes at once, §1.4)',
    latestFormula: `S·max(P,TO) + TO = ${S}·${s(pEff)} + ${s(TO)} = ${s(steady)}`,
  };
}

const describeProbe = (p: EffectiveProbe): string =>
  `${p.handler}${p.command ? ` ${JSON.stringify(p.command)}` : ''}: initialDelaySeconds=${p.initialDelaySeconds} ` +
  `periodSeconds=${p.periodSeconds} timeoutSeconds=${p.timeoutSeconds} successThreshold=${p.successThreshold} ` +
  `failureThreshold=${p.failureThreshold}`;

/** The derivation of a bound as text, for `kpc scenarios plan` and failure explanations. */
export function describeBound(
  spec: ProbeSpec,
  transition: ProbeTransition,
  options: BoundContext & { slackMs?: number; container?: string } = {},
): string {
  const bound = probeBounds(spec, transition, options);
  const p = bound.probe;
  const lines = [
    `readiness probe${options.container ? ` of container "${options.container}"` : ''} as the kubelet runs it: ${describeProbe(p)}`,
  ];
  if (p.defaulted.length > 0) {
    lines.push(
      `  ${p.defaulted.join(', ')} unset or 0 in the spec: the API server fills in the Kubernetes defaults` +
        (p.handler === 'exec' && p.defaulted.includes('periodSeconds')
          ? " (Knative's periodSeconds: 0 aggressive mode is queue-proxy's; exec probes run in the kubelet)"
          : ''),
    );
  }
  if (p.handler !== 'exec') {
    lines.push(
      `  note: the bound assumes the kubelet runs this ${p.handler} probe; Knative hands such readiness probes to queue-proxy`,
    );
  }
  lines.push(
    transition === 'becomes-ready'
      ? 'becomes ready after the probe starts to succeed at T (kubelet-probe-facts.md §6 A):'
      : 'becomes unready after the probe starts to fail at T (kubelet-probe-facts.md §6 B):',
    `  earliest T + ${bound.earliestFormula}`,
    `  latest   T + ${bound.latestFormula}`,
  );
  const slack = options.slackMs ?? defaultSlackMs;
  lines.push(
    `  checked over [${offsetFrom('T', bound.earliestMs - slack)}, ${offsetFrom('T', bound.latestMs + slack)}]` +
      ` with slack ${formatDuration(slack)} for kubelet→API→watch propagation (δ; a failed status PATCH adds up to 10s)`,
  );
  return lines.join('\n');
}

/** Propagation slack when an expectation gives none: δ is typically below 1 s (§1.5). */
export const defaultSlackMs = 1000;
