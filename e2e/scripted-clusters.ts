/**
 * What the end-to-end tests share: fake API servers scripted as a Knative release
 * (harness/testing/knative-script.ts), `kpc run` against them in-process, and readers for the three
 * views a run writes (results.json, junit.xml, summary.md), so tests can check that they agree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { runKpc } from '../harness/cli/in-process.ts';
import { readResults } from '../harness/report/results-file.ts';
import { type CaseResult, type CaseStatus, caseStatus, caseTestName } from '../harness/report/verdict.ts';
import {
  type FakeApiServer,
  type KnativeScriptOptions,
  type ScriptHandle,
  scriptKnative,
  startFakeApiServer,
} from '../harness/testing/index.ts';

export const workloadImage = 'dev.local/kpc/workload:e2e';

export interface ScriptedCluster {
  server: FakeApiServer;
  script: ScriptHandle;
  kubeconfig: string;
  close(): Promise<void>;
}

/** A fake cluster with Knative's namespace, scripted as `options.version`; `setup` runs before the script is added. */
export async function scriptedCluster(
  options: KnativeScriptOptions,
  setup?: (server: FakeApiServer) => void,
): Promise<ScriptedCluster> {
  const server = await startFakeApiServer({ namespaces: ['knative-serving'] });
  setup?.(server);
  const script = scriptKnative(server, options);
  return {
    server,
    script,
    kubeconfig: await server.writeKubeconfig(),
    close: async () => {
      script.stop();
      await server.close();
    },
  };
}

/** The views a results directory holds. */
export interface RunViews {
  dir: string;
  results: CaseResult[];
  /** JUnit test name → status and failure message, as junit.xml says. */
  junit: Map<string, { status: CaseStatus; message?: string }>;
  /** `<variant> <case title>` → the status cell of summary.md. */
  summary: Map<string, string>;
}

export interface RunOutput extends RunViews {
  code: number;
  stdout: string;
  stderr: string;
  tookMs: number;
}

/** `kpc run` on existing (fake) clusters, one per variant, then everything it wrote. */
export async function kpcRun(options: {
  clusters: Record<string, ScriptedCluster>;
  scenarios: string[];
  out: string;
  grep?: string;
  ingressUrl?: string;
  concurrency?: number;
}): Promise<RunOutput> {
  const args = ['run', '--no-install', '--skip-probe-lint', '--image', `workload=${workloadImage}`];
  for (const [variant, cluster] of Object.entries(options.clusters))
    args.push('--kubeconfig', `${variant}=${cluster.kubeconfig}`);
  args.push('--variant', ...Object.keys(options.clusters));
  args.push('--scenarios', ...options.scenarios, '--out', options.out);
  args.push('--concurrency', String(options.concurrency ?? 12));
  if (options.grep) args.push('--grep', options.grep);
  if (options.ingressUrl) args.push('--ingress-url', options.ingressUrl);
  const started = Date.now();
  const result = await runKpc(args);
  const tookMs = Date.now() - started;
  return { ...result, tookMs, ...(await readRunViews(options.out)) };
}

/** results.json, junit.xml and summary.md of a results directory. */
export async function readRunViews(
  dir: string,
): Promise<Pick<RunOutput, 'dir' | 'results' | 'junit' | 'summary'>> {
  const results = await readResults(dir);
  const xml = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  }).parse(await readFile(join(dir, 'junit.xml'), 'utf8'));
  const junit = new Map<string, { status: CaseStatus; message?: string }>();
  for (const suite of xml.testsuites.testsuite ?? []) {
    for (const tc of suite.testcase ?? []) {
      const [status, element] = (
        [
          ['failed', tc.failure],
          ['broken', tc.error],
          ['skipped', tc.skipped],
          ['flaky', tc.flakyFailure],
        ] as const
      ).find(([, e]) => e !== undefined) ?? ['passed', undefined];
      junit.set(tc['@_name'], {
        status,
        ...(element?.['@_message'] ? { message: element['@_message'] } : {}),
      });
    }
  }
  const summary = new Map<string, string>();
  let variant = '';
  for (const line of (await readFile(join(dir, 'summary.md'), 'utf8')).split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) variant = heading[1]!;
    const row = /^\| (.+?) \| (MUST|SHOULD|MAY) \| (.+?) \|/.exec(line);
    if (variant && row) summary.set(`${variant} ${row[1]!.replace(/\\\|/g, '|')}`, row[3]!);
  }
  return { dir, results, junit, summary };
}

/** The case's status, or a message that names what is missing (so a failing assertion says which case). */
export function statusOf(run: Pick<RunViews, 'results'>, id: string, variant: string): CaseStatus | string {
  const result = run.results.find((r) => r.id === id && r.variant === variant);
  return result ? caseStatus(result) : `no result for ${id} [${variant}]`;
}

export const junitName = (r: CaseResult): string => caseTestName(r.title, r.variant, r.level, r.tags);

/** The status cell summary.md shows for each case status. */
export const summaryCell: Record<CaseStatus, string> = {
  passed: 'passed',
  flaky: '**flaky** (passed on retry)',
  failed: '**FAILED**',
  broken: '**BROKEN** (infrastructure)',
  skipped: 'skipped',
};
