/** Points and windows in a timeline: the trace's start and end, recorded actions, notes. */
import { formatDuration, parseDuration } from './duration.ts';
import type { ActionRef, Anchor, Window } from './schema.ts';
import { describeTextMatch, matchesText } from './text-match.ts';
import type { ActionRecord, Timeline } from './timeline.ts';

/**
 * A point in the trace. `seq` orders it against observations recorded in the same millisecond:
 * an observation belongs before the point when its seq is at most the point's.
 */
export interface Point {
  at: number;
  seq: number;
  /** For an action: when it began (at is when it ended). */
  startedAt: number;
  description: string;
  action?: ActionRecord;
}

/** A failed lookup: the expectation cannot be judged because its anchor is not in the trace. */
export class AnchorNotFound extends Error {}

export function describeActionRef(ref: ActionRef): string {
  const parts: string[] = [];
  if (ref.step) parts.push(`step ${ref.step}`);
  if (ref.action) parts.push(ref.action);
  if (ref.kind || ref.name) parts.push([ref.kind, ref.name].filter(Boolean).join(' '));
  if (ref.container) parts.push(`container ${ref.container}`);
  const text = parts.join(' ') || 'any action';
  return ref.nth && ref.nth > 1 ? `${text} (#${ref.nth})` : text;
}

export const describeAction = (a: ActionRecord): string =>
  [
    a.step ? `step ${a.step}:` : '',
    a.action,
    a.target.kind,
    a.target.name,
    a.target.container ? `container ${a.target.container}` : '',
    a.outcome === 'error' ? `→ error${a.error?.code ? ` ${a.error.code}` : ''}` : '→ ok',
  ]
    .filter(Boolean)
    .join(' ');

export const actionMatches = (ref: ActionRef, a: ActionRecord): boolean =>
  (ref.step === undefined || a.step === ref.step) &&
  (ref.action === undefined || a.action === ref.action) &&
  (ref.kind === undefined || a.target.kind === ref.kind) &&
  (ref.name === undefined || a.target.name === ref.name) &&
  (ref.container === undefined || a.target.container === ref.container);

/** The nth action matching the reference, or an AnchorNotFound naming what was recorded. */
export function findAction(timeline: Timeline, ref: ActionRef): ActionRecord {
  const matching = timeline.actions.filter((a) => actionMatches(ref, a));
  const found = matching[(ref.nth ?? 1) - 1];
  if (found) return found;
  const recorded = timeline.actions.slice(0, 12).map(describeAction);
  throw new AnchorNotFound(
    `no recorded action matches ${describeActionRef(ref)}` +
      (matching.length > 0 ? ` #${ref.nth} (only ${matching.length} matched)` : '') +
      (recorded.length > 0 ? `; recorded actions: ${recorded.join('; ')}` : '; the trace has no actions'),
  );
}

export function startPoint(timeline: Timeline): Point {
  return {
    at: timeline.start,
    seq: Number.NEGATIVE_INFINITY,
    startedAt: timeline.start,
    description: 'the start',
  };
}

export function endPoint(timeline: Timeline): Point {
  return { at: timeline.end, seq: Number.POSITIVE_INFINITY, startedAt: timeline.end, description: 'the end' };
}

export function resolveAnchor(timeline: Timeline, anchor: Anchor | undefined): Point {
  if (anchor === undefined || anchor === 'start') return startPoint(timeline);
  if ('note' in anchor) {
    const note = timeline.notes.find((n) => matchesText(anchor.note, n.text));
    if (!note) throw new AnchorNotFound(`no note ${describeTextMatch(anchor.note)} in the trace`);
    return {
      at: note.at,
      seq: note.seq,
      startedAt: note.at,
      description: `note ${JSON.stringify(note.text)}`,
    };
  }
  const action = findAction(timeline, anchor);
  const description = action.step
    ? `step ${action.step}`
    : [action.action, action.target.kind, action.target.name].filter(Boolean).join(' ');
  return { at: action.at, seq: action.seq, startedAt: action.startedAt, description, action };
}

export function describeAnchor(anchor: Anchor | undefined): string {
  if (anchor === undefined || anchor === 'start') return 'the start';
  if ('note' in anchor) return `note ${describeTextMatch(anchor.note)}`;
  return describeActionRef(anchor);
}

export interface ResolvedWindow {
  from: Point;
  to: Point;
  /** Set when the window reaches past the recording, which therefore cannot vouch for all of it. */
  beyondTrace?: string;
  description: string;
}

/** A `during` window; omitted parts are the trace's start and end. */
export function resolveWindow(timeline: Timeline, window: Window | undefined): ResolvedWindow {
  const from = resolveAnchor(timeline, window?.from);
  let to: Point;
  if (window?.for !== undefined) {
    const at = from.at + parseDuration(window.for);
    to = {
      at,
      seq: Number.POSITIVE_INFINITY,
      startedAt: at,
      description: `${window.for} after ${from.description}`,
    };
  } else if (window?.until === undefined || window.until === 'end') {
    to = endPoint(timeline);
  } else {
    to = resolveAnchor(timeline, window.until);
  }
  const resolved: ResolvedWindow = { from, to, description: describeWindow(window) };
  if (to.at > timeline.end) {
    resolved.beyondTrace = `the trace ends ${formatDuration(to.at - timeline.end)} before the window does`;
  }
  return resolved;
}

export function describeWindow(window: Window | undefined): string {
  if (!window || (window.from === undefined && window.until === undefined && window.for === undefined)) {
    return 'over the whole trace';
  }
  const from = `from ${describeAnchor(window.from)}`;
  if (window.for !== undefined) return `for ${window.for} ${from}`;
  const until =
    window.until === undefined || window.until === 'end' ? 'the end' : describeAnchor(window.until);
  return `${from} until ${until}`;
}
