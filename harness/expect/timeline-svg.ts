/**
 * The timeline as a self-contained SVG for reports: one swimlane per object condition, per
 * container's readiness and per sum an expectation is about (objects present, ready addresses), action markers, Warning events, and the failing expectations' lanes,
 * evidence and windows highlighted. Plain strings, no browser.
 */
import { escapeXml } from '../text/xml.ts';
import { formatDuration } from './duration.ts';
import {
  conditionLane,
  containerLane,
  describeCondition,
  describeContainer,
  type Observation,
  type SumObservation,
  stateSubject,
  type Track,
} from './subjects.ts';
import type { ConditionObservation, ContainerObservation, ObjectHistory, Timeline } from './timeline.ts';
import type { ExpectationResult, Verdict } from './verdict.ts';

export interface TimelineSvgOptions {
  /** Total width in pixels (default 1200). */
  width?: number;
  /** At most this many lanes; lanes of failing expectations are kept first (default 80). */
  maxLanes?: number;
  title?: string;
}

const kindOrder = ['Service', 'Configuration', 'Route', 'Revision', 'Deployment', 'Pod', 'EndpointSlice'];
const labelWidth = 330;
const laneHeight = 18;
const laneGap = 4;
const colors = {
  True: '#2e7d32',
  False: '#c62828',
  Unknown: '#f9a825',
  other: '#6d4c41',
  absent: '#eceff1',
  action: '#1565c0',
  actionError: '#b71c1c',
  failing: '#d50000',
};

interface Lane {
  id: string;
  label: string;
  track: Track;
  color(o: Observation): string;
  describe(o: Observation): string;
}

const conditionColor = (o: Observation) => {
  const c = o as ConditionObservation;
  return c.status === null
    ? colors.absent
    : (colors[c.status as 'True' | 'False' | 'Unknown'] ?? colors.other);
};
const containerColor = (o: Observation) => {
  const c = o as ContainerObservation;
  return !c.present ? colors.absent : c.ready ? colors.True : colors.False;
};

function lanesOf(timeline: Timeline): Lane[] {
  const rank = (o: ObjectHistory) => {
    const i = kindOrder.indexOf(o.kind);
    return i === -1 ? kindOrder.length : i;
  };
  const objects = [...timeline.objects.values()].sort(
    (a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name),
  );
  const lanes: Lane[] = [];
  for (const o of objects) {
    for (const [type, observations] of o.conditions) {
      lanes.push({
        id: conditionLane(o, type),
        label: `${o.kind} ${o.name} · ${type}`,
        track: { lane: conditionLane(o, type), label: type, observations },
        color: conditionColor,
        describe: (x) => describeCondition(x as ConditionObservation),
      });
    }
    for (const c of timeline.containers.values()) {
      if (c.pod !== o) continue;
      lanes.push({
        id: containerLane(c),
        label: `${o.kind} ${o.name} · ${c.init ? 'init ' : ''}container ${c.name}`,
        track: { lane: containerLane(c), label: c.name, observations: c.observations },
        color: containerColor,
        describe: (x) => describeContainer(x as ContainerObservation),
      });
    }
  }
  return lanes;
}

/**
 * Lanes of the sums the verdict's expectations are about (objects present, a Service's ready
 * addresses): they belong to no single object, so they come from the expectations, not the timeline.
 */
function sumLanes(timeline: Timeline, verdict: Verdict | undefined): Lane[] {
  const lanes = new Map<string, Lane>();
  for (const { expectation: e } of verdict?.results ?? []) {
    const body = 'reach' in e ? e.reach : 'never' in e ? e.never : undefined;
    if (!body?.exists && !body?.endpoints) continue;
    const { subject } = stateSubject(timeline, body);
    for (const track of subject.tracks) {
      lanes.set(track.lane, {
        id: track.lane,
        label: track.label,
        track,
        color: (o) => ((o as SumObservation).value > 0 ? colors.True : colors.absent),
        describe: subject.describe,
      });
    }
  }
  return [...lanes.values()];
}

/** A round tick step giving about `target` ticks over `spanMs`. */
function tickStep(spanMs: number, target = 10): number {
  const steps = [
    100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
    3_600_000,
  ];
  return steps.find((s) => spanMs / s <= target) ?? 3_600_000;
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Shortens the middle, so both the object and the condition or container stay readable. */
const shorten = (text: string, max: number) =>
  text.length > max
    ? `${text.slice(0, Math.ceil((max - 1) / 2))}…${text.slice(text.length - Math.floor((max - 1) / 2))}`
    : text;

export function renderTimelineSvg(
  timeline: Timeline,
  verdict?: Verdict,
  options: TimelineSvgOptions = {},
): string {
  const width = options.width ?? 1200;
  const plotWidth = width - labelWidth - 20;
  const start = timeline.start;
  const span = Math.max(timeline.end - start, 1);
  const x = (at: number) =>
    labelWidth + ((Math.min(Math.max(at, start), timeline.end) - start) / span) * plotWidth;
  const failing: ExpectationResult[] = verdict?.results.filter((r) => !r.ok) ?? [];
  const failingLanes = new Set(failing.flatMap((r) => r.lanes));

  const all = [...lanesOf(timeline), ...sumLanes(timeline, verdict)];
  const max = options.maxLanes ?? 80;
  const lanes = [...all.filter((l) => failingLanes.has(l.id)), ...all.filter((l) => !failingLanes.has(l.id))]
    .slice(0, max)
    .sort((a, b) => all.indexOf(a) - all.indexOf(b));
  const warnings = [...timeline.events.values()].filter((e) => e.type === 'Warning');

  const header = 28 + failing.length * 16;
  const axisY = header + 14;
  const firstLaneY = axisY + 10;
  const rows = lanes.length + (warnings.length > 0 ? 1 : 0);
  const height = firstLaneY + rows * (laneHeight + laneGap) + 30;
  const laneY = (i: number) => firstLaneY + i * (laneHeight + laneGap);
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    '<style>.lane-label{fill:#263238}.failing .lane-label{fill:#d50000;font-weight:bold}.tick{fill:#607d8b;font-size:10px}</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  const title =
    options.title ??
    `${timeline.header?.scenario ?? 'trace'}${timeline.header?.variant ? ` (${timeline.header.variant})` : ''} — ${formatDuration(span)} from ${new Date(start).toISOString()}`;
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  failing.forEach((r, i) => {
    out.push(
      `<text x="10" y="${36 + i * 16}" fill="${colors.failing}" class="failing-expectation">✗ ${escapeXml(truncate(`${r.name}: ${r.summary}`, 180))}</text>`,
    );
  });

  // Time axis and grid.
  const step = tickStep(span);
  out.push('<g class="axis">');
  for (let t = 0; t <= span; t += step) {
    const tx = x(start + t).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${height - 24}" stroke="#eceff1"/>`,
      `<text class="tick" x="${tx}" y="${axisY - 2}" text-anchor="middle">+${escapeXml(formatDuration(t))}</text>`,
    );
  }
  out.push('</g>');

  lanes.forEach((lane, i) => {
    const y = laneY(i);
    const isFailing = failingLanes.has(lane.id);
    out.push(`<g class="lane${isFailing ? ' failing' : ''}" data-lane="${escapeXml(lane.id)}">`);
    out.push(
      `<text class="lane-label" x="10" y="${y + 13}">${escapeXml(shorten(lane.label, 50))}<title>${escapeXml(lane.label)}</title></text>`,
    );
    out.push(
      `<rect x="${labelWidth}" y="${y}" width="${plotWidth}" height="${laneHeight}" fill="${colors.absent}"/>`,
    );
    const obs = lane.track.observations;
    obs.forEach((o, j) => {
      const next = obs[j + 1];
      const x1 = x(o.at);
      const x2 = next ? x(next.at) : x(timeline.end);
      const w = Math.max(x2 - x1, 2); // a 200 ms state stays visible on an hour-long axis
      const until = next ? `+${formatDuration(next.at - start)}` : 'the end';
      out.push(
        `<rect x="${x1.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${laneHeight}" fill="${lane.color(o)}"><title>${escapeXml(
          `${lane.label}: ${lane.describe(o)} from +${formatDuration(o.at - start)} until ${until}`,
        )}</title></rect>`,
      );
    });
    if (isFailing) {
      out.push(
        `<rect x="${labelWidth - 1}" y="${y - 1}" width="${plotWidth + 2}" height="${laneHeight + 2}" fill="none" stroke="${colors.failing}" stroke-width="2"/>`,
      );
    }
    out.push('</g>');
  });

  if (warnings.length > 0) {
    const y = laneY(lanes.length);
    out.push(
      '<g class="lane events">',
      `<text class="lane-label" x="10" y="${y + 13}">Warning events</text>`,
    );
    for (const e of warnings) {
      for (const o of e.observations) {
        const ex = x(o.at).toFixed(1);
        out.push(
          `<path d="M${ex} ${y + 2} l4 ${laneHeight - 4} h-8 z" fill="${colors.False}"><title>${escapeXml(
            `+${formatDuration(o.at - start)} ${e.reason ?? ''} (count ${o.count}) on ${e.involved.kind ?? ''} ${e.involved.name ?? ''}: ${truncate(e.message, 300)}`,
          )}</title></path>`,
        );
      }
    }
    out.push('</g>');
  }

  // Windows of failing expectations, shaded over the lanes.
  for (const r of failing) {
    if (!r.window) continue;
    const x1 = x(r.window.from);
    const x2 = Math.max(x(r.window.to), x1 + 1);
    out.push(
      `<rect class="failing-window" x="${x1.toFixed(1)}" y="${firstLaneY - 4}" width="${(x2 - x1).toFixed(1)}" height="${rows * (laneHeight + laneGap) + 4}" fill="${colors.failing}" fill-opacity="0.08"/>`,
    );
  }

  // Evidence of failing expectations, on top of the lanes.
  for (const r of failing) {
    for (const e of r.evidence) {
      const i = lanes.findIndex((l) => l.id === e.lane);
      if (i === -1) continue;
      out.push(
        `<circle class="evidence" cx="${x(e.at).toFixed(1)}" cy="${laneY(i) + laneHeight / 2}" r="4" fill="none" stroke="${colors.failing}" stroke-width="2"><title>${escapeXml(e.text)}</title></circle>`,
      );
    }
  }

  // Actions: a marker across every lane, labelled at the bottom.
  const bottom = height - 24;
  timeline.actions.forEach((a, i) => {
    const ax = x(a.at).toFixed(1);
    const color = a.outcome === 'error' ? colors.actionError : colors.action;
    const label = a.step ?? `${a.action} ${a.target.kind ?? ''}`.trim();
    out.push(
      `<g class="action"><line x1="${ax}" y1="${firstLaneY - 4}" x2="${ax}" y2="${bottom}" stroke="${color}" stroke-dasharray="4 3"/>` +
        `<text x="${ax}" y="${bottom + 12 + (i % 2) * 10}" fill="${color}" text-anchor="middle" font-size="10">${escapeXml(truncate(label, 28))}</text>` +
        `<title>${escapeXml(`+${formatDuration(a.at - start)} ${a.action} ${a.target.kind ?? ''} ${a.target.name ?? ''} → ${a.outcome}${a.error ? `: ${a.error.message}` : ''}`)}</title></g>`,
    );
  });

  if (all.length > lanes.length) {
    out.push(
      `<text class="tick" x="10" y="${height - 6}">${all.length - lanes.length} more lanes not shown</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
