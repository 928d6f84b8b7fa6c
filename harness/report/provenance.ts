/**
 * `run.json`: where a run's verdicts came from — kpc's version and commit, the tools, every cluster's
 * node image, every variant's Knative release, manifests, feature flags and the component images that
 * were actually running, the scenario files' hashes, and when the run started and ended. Never a
 * kubeconfig, token or key: the schema has no place for one, and every string is passed through the
 * kube layer's redaction before it is written.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type ToolName, toolPins, toolsBinDir } from '../config/tools.ts';
import { findExecutable, type Host, localHost } from '../doctor/host.ts';
import type { InstallRecord } from '../knative/install.ts';
import { redact } from '../kube/redact.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 hex digits');
const stringMap = z.record(z.string(), z.string());

const runningImageSchema = z.strictObject({ pod: z.string(), image: z.string(), imageID: z.string() });

export const installRecordSchema = z.strictObject({
  variant: z.string(),
  serving: z.string(),
  kourier: z.string(),
  manifests: z.array(z.strictObject({ url: z.string(), sha256: sha256Hex })),
  components: z.record(
    z.string(),
    z.strictObject({ configured: z.string().optional(), running: z.array(runningImageSchema) }),
  ),
  features: stringMap,
  deployment: stringMap,
}) satisfies z.ZodType<InstallRecord>;

const toolSchema = z.strictObject({
  version: z.string().optional(),
  path: z.string().optional(),
  /** Why there is no version: not found, no version printed. */
  problem: z.string().optional(),
});

export const provenanceSchema = z.strictObject({
  version: z.literal(1),
  kpc: z.strictObject({
    version: z.string(),
    commit: z.string().optional(),
    /** Tracked files differ from the commit. */
    dirty: z.boolean().optional(),
    /** Why there is no commit (e.g. kpc installed from npm, not a git checkout). */
    commitUnavailable: z.string().optional(),
  }),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  host: z.strictObject({ node: z.string(), platform: z.string(), arch: z.string() }),
  tools: z.record(z.string(), toolSchema),
  clusters: z.array(
    z.strictObject({
      name: z.string(),
      provider: z.enum(['kind', 'existing']),
      kubernetes: z.string().optional(),
      /** `kindest/node:<version>@sha256:<digest>` for kind clusters. */
      nodeImage: z.string().optional(),
      variants: z.array(z.string()),
    }),
  ),
  variants: z.array(
    z.strictObject({
      name: z.string(),
      cluster: z.string().optional(),
      /** What the installer applied and read back; absent when Knative was already there (`--no-install`). */
      install: installRecordSchema.optional(),
    }),
  ),
  /** Cluster-wide Knative configurations the run switched between (harness/run/schedule.ts). */
  clusterConfigs: z.array(z.strictObject({ features: stringMap, deployment: stringMap })).optional(),
  /** Workload images the scenarios ran. */
  images: z
    .array(z.strictObject({ name: z.string(), ref: z.string(), digest: z.string().optional() }))
    .optional(),
  scenarios: z.array(z.strictObject({ path: z.string(), sha256: sha256Hex })),
  /** A run that did not report every planned case says so here and in every view. */
  cases: z.strictObject({
    planned: z.number().int().nonnegative(),
    reported: z.number().int().nonnegative(),
  }),
  interrupted: z.string().optional(),
});

export type Provenance = z.infer<typeof provenanceSchema>;
export type ClusterProvenance = Provenance['clusters'][number];
export type ToolVersion = z.infer<typeof toolSchema>;

export const provenanceFileName = 'run.json';

/** The kpc checkout (or installed package) this code runs from. */
export const kpcRoot = (): string => fileURLToPath(new URL('../../', import.meta.url));

/** `git rev-parse HEAD` of kpc itself, or why there is none. */
export async function gitCommit(
  host: Host,
  root = kpcRoot(),
): Promise<Pick<Provenance['kpc'], 'commit' | 'dirty' | 'commitUnavailable'>> {
  const head = await host.run('git', ['-C', root, 'rev-parse', 'HEAD']);
  if (!head) return { commitUnavailable: 'git is not installed' };
  if (head.exitCode !== 0) {
    return { commitUnavailable: `not a git checkout: ${head.stderr.trim().split('\n')[0] ?? ''}`.trim() };
  }
  const status = await host.run('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']);
  return {
    commit: head.stdout.trim(),
    ...(status && status.exitCode === 0 ? { dirty: status.stdout.trim() !== '' } : {}),
  };
}

/** kind, kubectl and ko as `kpc doctor` finds them, and Java for the HTML report. */
export async function toolVersions(host: Host): Promise<Record<string, ToolVersion>> {
  const tools: Record<string, ToolVersion> = {};
  for (const name of Object.keys(toolPins) as ToolName[]) {
    const pin = toolPins[name];
    const path = await findExecutable(host, name, toolsBinDir);
    if (!path) {
      tools[name] = { problem: 'not found' };
      continue;
    }
    const out = await host.run(path, pin.versionArgs);
    const version = out && pin.versionPattern.exec(`${out.stdout}\n${out.stderr}`)?.[1];
    tools[name] = version ? { version, path } : { path, problem: 'did not report a version' };
  }
  const java = await host.run('java', ['-version']);
  const javaVersion = java && /version "([^"]+)"/.exec(`${java.stderr}\n${java.stdout}`)?.[1];
  tools.java = javaVersion ? { version: javaVersion } : { problem: 'not found' };
  return tools;
}

export async function hashFiles(paths: string[], cwd: string): Promise<Provenance['scenarios']> {
  return Promise.all(
    [...new Set(paths.map((p) => resolve(cwd, p)))].sort().map(async (path) => ({
      path: relative(cwd, path),
      sha256: createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    })),
  );
}

export interface ProvenanceInput {
  kpcVersion: string;
  startedAt: Date;
  endedAt?: Date;
  clusters: ClusterProvenance[];
  /** variant name → the cluster it ran on and the installer's record (absent when not installed by kpc). */
  variants: { name: string; cluster?: string; install?: InstallRecord }[];
  scenarioFiles: string[];
  cases: Provenance['cases'];
  clusterConfigs?: Provenance['clusterConfigs'];
  images?: Provenance['images'];
  interrupted?: string;
}

/** Gathers what the run itself cannot know (commit, tools, file hashes) around what it passes in. */
export async function collectProvenance(
  input: ProvenanceInput,
  host: Host = localHost(),
  root = kpcRoot(),
): Promise<Provenance> {
  const [commit, tools, scenarios] = await Promise.all([
    gitCommit(host, root),
    toolVersions(host),
    hashFiles(input.scenarioFiles, host.cwd),
  ]);
  return {
    version: 1,
    kpc: { version: input.kpcVersion, ...commit },
    startedAt: input.startedAt.toISOString(),
    ...(input.endedAt ? { endedAt: input.endedAt.toISOString() } : {}),
    host: { node: host.nodeVersion, platform: platform(), arch: arch() },
    tools,
    clusters: input.clusters,
    variants: input.variants,
    ...(input.clusterConfigs ? { clusterConfigs: input.clusterConfigs } : {}),
    ...(input.images ? { images: input.images } : {}),
    scenarios,
    cases: input.cases,
    ...(input.interrupted ? { interrupted: input.interrupted } : {}),
  };
}

/** Every string redacted the way the kube layer redacts errors; returns the paths that changed. */
function scrub(value: unknown, path: string, changed: string[]): unknown {
  if (typeof value === 'string') {
    const clean = redact(value);
    if (clean !== value) changed.push(path);
    return clean;
  }
  if (Array.isArray(value)) return value.map((v, i) => scrub(v, `${path}.${i}`, changed));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, `${path}.${k}`, changed)]));
  }
  return value;
}

const issueText = (file: string, error: z.ZodError) => {
  const issue = error.issues[0];
  return `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
};

/**
 * Writes run.json after checking it against the schema. Returns the fields that looked like
 * credentials and were redacted (there should be none; the caller reports them).
 */
export async function writeProvenance(
  dir: string,
  provenance: Provenance,
): Promise<{ path: string; redacted: string[] }> {
  const path = join(dir, provenanceFileName);
  const redacted: string[] = [];
  const clean = scrub(provenance, '', redacted);
  const parsed = provenanceSchema.safeParse(clean);
  if (!parsed.success) throw new Error(issueText(`${path} (not written)`, parsed.error));
  await writeFile(path, `${JSON.stringify(parsed.data, null, 2)}\n`);
  return { path, redacted: redacted.map((p) => p.slice(1)) };
}

/** Reads a results directory's run.json (or the file itself); errors name the file and the field. */
export async function readProvenance(path: string): Promise<Provenance> {
  const file = (await stat(path).catch(() => undefined))?.isDirectory()
    ? join(path, provenanceFileName)
    : path;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read run provenance (${error.code ?? error.message})`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = provenanceSchema.safeParse(json);
  if (!parsed.success) throw new Error(issueText(file, parsed.error));
  return parsed.data;
}

/** The Kubernetes and Knative versions a variant ran on, for labels and environment.properties. */
export function variantVersions(p: Provenance, variant: string): { kubernetes?: string; knative?: string } {
  const v = p.variants.find((x) => x.name === variant);
  const cluster = p.clusters.find((c) => c.name === v?.cluster || c.variants.includes(variant));
  return {
    ...(cluster?.kubernetes ? { kubernetes: cluster.kubernetes } : {}),
    ...(v?.install ? { knative: v.install.serving } : {}),
  };
}
