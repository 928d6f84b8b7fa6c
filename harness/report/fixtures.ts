/**
 * A results directory as a run leaves it, for the report tests: real traces from the expectation
 * fixtures (knative-facts.md scripts), verdicts made by the real judge, and every case status.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  deniedApplyTrace,
  knative117SidecarExecTrace,
  knative118SidecarExecTrace,
  sidecarService,
  type TraceScript,
} from '../expect/fixtures.ts';
import { judge } from '../expect/judge.ts';
import { type Expectation, expectationSchema } from '../expect/schema.ts';
import { timelineOf } from '../expect/timeline.ts';
import { renderTimelineSvg } from '../expect/timeline-svg.ts';
import { formatResult } from '../expect/verdict.ts';
import type { Provenance } from './provenance.ts';
import type { Attempt, AttemptStatus, CaseResult, Level } from './verdict.ts';

const expectations = (text: string): Expectation[] =>
  (parse(text) as unknown[]).map((e) => expectationSchema.parse(e));

const revisionReadyWithin30s = expectations(`
- reach:
    condition: { object: { kind: Revision, name: hello-00001 }, type: Ready, status: 'True' }
  by: { after: { step: apply-service }, within: 30s }`);

const sidecarReadyWithinProbeBound = expectations(`
- reach:
    container: { name: sidecar, ready: true }
  by:
    after: { step: touch-ready }
    within: { probe: { container: sidecar }, transition: becomes-ready, slack: 1s }`);

const t0 = Date.parse('2026-11-27T04:00:00.000Z');

/** Writes one attempt's files the way the runner lays them out and judges its trace. */
async function attempt(
  root: string,
  where: { variant: string; slug: string; n: number },
  trace: TraceScript | undefined,
  judged: Expectation[] | { status: AttemptStatus; message?: string },
): Promise<Attempt> {
  const rel = join('cases', where.variant, where.slug, `attempt-${where.n}`);
  const dir = join(root, rel);
  await mkdir(dir, { recursive: true });
  const startedAt = new Date(t0 + where.n * 60_000).toISOString();
  const attachments: Record<string, string> = {};
  const put = async (name: string, file: string, content: string) => {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
    attachments[name] = join(rel, file);
  };
  let status: AttemptStatus;
  let message: string | undefined;
  let details: string | undefined;
  if (Array.isArray(judged)) {
    const timeline = timelineOf(trace!.lines);
    const verdict = judge(judged, timeline);
    const failed = verdict.results.filter((r) => !r.ok);
    status = failed.length ? 'failed' : 'passed';
    if (failed[0]) {
      message = `${failed[0].name}: ${failed[0].summary}`;
      details = failed.map((r) => formatResult(r, timeline.start)).join('\n');
    }
    await put('timeline', 'timeline.svg', renderTimelineSvg(timeline, verdict));
  } else {
    ({ status, message } = judged);
  }
  if (trace) await put('trace', 'trace.jsonl', trace.text);
  await put('service.yaml', 'service.yaml', stringify(sidecarService('hello')));
  if (status === 'failed' || status === 'broken') {
    await put('diagnostics', 'diagnostics/events.yaml', 'items: []\n');
    await put('diagnostics', 'diagnostics/logs/sidecar.log', 'probe: /tmp/ready missing\n');
    // The bundle is listed as its directory, the way the runner records it.
    attachments.diagnostics = join(rel, 'diagnostics');
  }
  return {
    status,
    startedAt,
    durationMs: 42_000,
    ...(message ? { message } : {}),
    ...(details ? { details } : {}),
    attachments,
  };
}

const caseOf = (
  id: string,
  variant: string,
  attempts: Attempt[],
  extra: { level?: Level; tags?: string[]; parameters?: Record<string, string> } = {},
): CaseResult => ({
  id,
  scenario: id.split('[')[0]!,
  title: id,
  variant,
  level: extra.level ?? 'MUST',
  tags: extra.tags ?? [],
  parameters: extra.parameters ?? {},
  attempts,
});

/** Lists a file the run never wrote (a crash before `kind export logs` finished). */
export const missingAttachment = {
  name: 'kind-logs',
  path: 'cases/candidate/cluster-down/attempt-1/kind-logs.tar.gz',
};
const withMissingFile = (a: Attempt): Attempt => ({
  ...a,
  attachments: { ...a.attachments, [missingAttachment.name]: missingAttachment.path },
});

/** A message naming an assertion, to prove a broken case is not re-filed as failed by its wording. */
export const brokenMessage =
  'cluster kpc-candidate unreachable: TLS assertion failed (x509: certificate expired)';

/** Every case status the views must agree on, with the files each attempt would have. */
export async function writeFixtureRun(root: string): Promise<CaseResult[]> {
  const a = (variant: string, slug: string, n: number) => ({ variant, slug, n });
  const passing = () => knative118SidecarExecTrace();
  return [
    caseOf('sidecar-exec-readiness', 'candidate', [
      await attempt(root, a('candidate', 'sidecar-exec-readiness', 1), passing(), revisionReadyWithin30s),
    ]),
    caseOf(
      'probe-timing[period=1s]',
      'candidate',
      [
        await attempt(
          root,
          a('candidate', 'probe-timing-period-1s', 1),
          knative118SidecarExecTrace({ readyAfterTouchMs: 5_000 }),
          sidecarReadyWithinProbeBound,
        ),
      ],
      { parameters: { period: '1s' } },
    ),
    caseOf('sidecar-exec-readiness', 'baseline', [
      await attempt(
        root,
        a('baseline', 'sidecar-exec-readiness', 1),
        knative117SidecarExecTrace(3),
        revisionReadyWithin30s,
      ),
    ]),
    caseOf(
      'flaky-readiness',
      'candidate',
      [
        await attempt(
          root,
          a('candidate', 'flaky-readiness', 1),
          knative117SidecarExecTrace(2),
          revisionReadyWithin30s,
        ),
        await attempt(root, a('candidate', 'flaky-readiness', 2), passing(), revisionReadyWithin30s),
      ],
      { level: 'SHOULD' },
    ),
    caseOf(
      'needs-feature',
      'candidate',
      [
        await attempt(root, a('candidate', 'needs-feature', 1), undefined, {
          status: 'skipped',
          message: 'needs kubernetes.podspec-init-containers',
        }),
      ],
      { level: 'MAY' },
    ),
    caseOf(
      'known-bug',
      'baseline',
      [
        await attempt(
          root,
          a('baseline', 'known-bug', 1),
          knative117SidecarExecTrace(2),
          revisionReadyWithin30s,
        ),
      ],
      { level: 'SHOULD', tags: ['known-upstream-bug'] },
    ),
    caseOf('cluster-down', 'candidate', [
      withMissingFile(
        await attempt(root, a('candidate', 'cluster-down', 1), undefined, {
          status: 'broken',
          message: brokenMessage,
        }),
      ),
    ]),
    caseOf(
      'denied-apply',
      'candidate',
      [await attempt(root, a('candidate', 'denied-apply', 1), deniedApplyTrace(), [])],
      { tags: ['admission'] },
    ),
    caseOf('never-ran', 'candidate', []),
  ];
}

export function fixtureProvenance(): Provenance {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  return {
    version: 1,
    kpc: { version: '0.1.0', commit: 'a'.repeat(40), dirty: false },
    startedAt: '2026-11-27T03:58:00.000Z',
    endedAt: '2026-11-27T04:20:00.000Z',
    host: { node: 'v20.20.2', platform: 'linux', arch: 'x64' },
    tools: { kind: { version: 'v0.33.0', path: '.kpc/bin/kind' }, ko: { problem: 'not found' } },
    clusters: [
      {
        name: 'kpc-baseline',
        provider: 'kind',
        kubernetes: 'v1.37.0',
        nodeImage: `kindest/node:v1.37.0@${digest('a')}`,
        variants: ['baseline'],
      },
      {
        name: 'kpc-candidate',
        provider: 'kind',
        kubernetes: 'v1.37.0',
        nodeImage: `kindest/node:v1.37.0@${digest('a')}`,
        variants: ['candidate'],
      },
    ],
    variants: [
      { name: 'baseline', cluster: 'kpc-baseline', install: install('baseline', 'v1.17.2', digest('b')) },
      { name: 'candidate', cluster: 'kpc-candidate', install: install('candidate', 'v1.18.0', digest('c')) },
    ],
    scenarios: [{ path: 'scenarios/sidecar-exec-readiness.yaml', sha256: 'd'.repeat(64) }],
    cases: { planned: 9, reported: 9 },
  };
}

function install(variant: string, serving: string, digest: string) {
  return {
    variant,
    serving,
    kourier: serving,
    manifests: [{ url: `https://example.invalid/serving-core-${serving}.yaml`, sha256: 'e'.repeat(64) }],
    components: {
      controller: {
        running: [
          {
            pod: 'controller-abc',
            image: `gcr.io/knative-releases/controller@${digest}`,
            imageID: `gcr.io/knative-releases/controller@${digest}`,
          },
        ],
      },
    },
    features: { 'multi-container-probing': 'enabled' },
    deployment: {},
  };
}
