/** Judging: expectations (docs/expectations.md), the timeline model, timing bounds, views of a verdict. */
export { kpcChai, type TraceSubject } from './chai.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { describeExpectation, judge, judgeTrace, kindOf } from './judge.ts';
export {
  type BoundContext,
  defaultSlackMs,
  describeBound,
  type EffectiveProbe,
  effectiveProbe,
  kubernetesProbeDefaults,
  probeBounds,
  type TransitionBound,
} from './probe-bounds.ts';
export * from './schema.ts';
export * from './timeline.ts';
export { renderTimelineSvg, type TimelineSvgOptions } from './timeline-svg.ts';
export * from './verdict.ts';
