/**
 * Loading scenario files: YAML with positions → strict schema → variant and matrix checks →
 * every case rendered once with placeholder names, so a file that loads will render for any run.
 * Never throws on any input: every problem is a located issue.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { type CaseContext, caseServiceName, type RenderResult, renderCase } from './case.ts';
import { type ScenarioIssue, sortUnique } from './issues.ts';
import { expandCases, type ScenarioCase } from './matrix.ts';
import { type Level, type ScenarioDocument, scenarioSchema, standardVariants } from './schema.ts';
import { explainIssues } from './schema-issues.ts';
import { parseYamlSource, type YamlSource } from './source.ts';
import { didYouMean } from './suggest.ts';

/** Image names every run's image set provides (see images/). */
export const defaultImageNames = ['workload'] as const;

export interface LoadOptions {
  /** Names the run's image set provides; `{{ images.<name> }}` must use one. */
  readonly imageNames?: readonly string[];
  /** The name the scenario must have (its file name without .yaml). */
  readonly expectedName?: string;
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly sources: readonly string[];
  /** As written, templates unrendered. */
  readonly document: ScenarioDocument;
  readonly cases: readonly ScenarioCase[];
  /** baseline, candidate, then the declared ones. */
  readonly variants: readonly string[];
  /** Image names the templates use. */
  readonly images: readonly string[];
  readonly source: YamlSource;
}

export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

/** Placeholder names and images, for validating and planning without a run. */
export function planContext(
  scenarioCase: ScenarioCase,
  imageNames: readonly string[] = defaultImageNames,
): CaseContext {
  return {
    service: caseServiceName(scenarioCase.id),
    namespace: 'kpc-plan',
    images: Object.fromEntries(imageNames.map((n) => [n, `<image:${n}>`])),
  };
}

export function parseScenario(text: string, file: string, options: LoadOptions = {}): LoadResult {
  try {
    return parse(text, file, options);
  } catch (error) {
    // A bug in kpc, not in the file; still reported as a located issue rather than a crash.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [{ file, line: 1, column: 1, path: [], message: `internal error: ${message}` }],
    };
  }
}

function parse(text: string, file: string, options: LoadOptions): LoadResult {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok) return parsed;
  const { source } = parsed;
  const validated = scenarioSchema.safeParse(source.value);
  if (!validated.success) {
    const problems = explainIssues(validated.error.issues, scenarioSchema, source.value);
    return fail(problems.map((p) => source.issue(p.path, p.message, { key: p.atKey === true })));
  }
  const doc = validated.data;
  const issues: ScenarioIssue[] = [];

  if (options.expectedName !== undefined && doc.name !== options.expectedName) {
    issues.push(
      source.issue(
        ['name'],
        `expected ${JSON.stringify(options.expectedName)} (the file name), got ${JSON.stringify(doc.name)}`,
      ),
    );
  }

  const declared = Object.keys(doc.variants ?? {});
  const variants = [...new Set([...standardVariants, ...declared])];
  if (declared.includes('shared')) {
    issues.push(source.issue(['variants', 'shared'], '`shared` is not a variant name', { key: true }));
  }
  const unknownVariant = (name: string) =>
    `unknown variant \`${name}\`${didYouMean(name, variants)}; declare it under \`variants\` (known: ${variants.join(', ')})`;
  for (const key of Object.keys(doc.expectations)) {
    if (key !== 'shared' && !variants.includes(key)) {
      issues.push(source.issue(['expectations', key], unknownVariant(key), { key: true }));
    }
  }
  doc.steps.forEach((step, i) => {
    step.variants?.forEach((v, j) => {
      if (!variants.includes(v)) issues.push(source.issue(['steps', i, 'variants', j], unknownVariant(v)));
    });
  });

  const expansion = expandCases(doc.name, doc);
  issues.push(...expansion.problems.map((p) => source.issue(p.path, p.message, { key: p.atKey === true })));
  if (issues.length > 0) return fail(issues);

  const imageNames = options.imageNames ?? defaultImageNames;
  const images = new Set<string>();
  for (const scenarioCase of expansion.cases) {
    const context = planContext(scenarioCase, imageNames);
    const result = renderCase(source, doc, scenarioCase, context, variants);
    if (!result.ok) issues.push(...result.issues);
    else for (const name of usedImages(result, context)) images.add(name);
  }
  if (issues.length > 0) return fail(issues);

  return {
    ok: true,
    scenario: {
      file,
      name: doc.name,
      description: doc.description,
      level: doc.level,
      tags: doc.tags ?? [],
      sources: doc.sources ?? [],
      document: doc,
      cases: expansion.cases,
      variants,
      images: [...images].sort(),
      source,
    },
  };
}

/** Image names whose placeholder appears in the rendered case. */
function usedImages(result: Extract<RenderResult, { ok: true }>, context: CaseContext): string[] {
  const text = JSON.stringify({ service: result.case.service, steps: result.case.steps });
  return Object.entries(context.images).flatMap(([name, ref]) =>
    text.includes(JSON.stringify(ref)) ? [name] : [],
  );
}

const fail = (issues: ScenarioIssue[]): LoadResult => ({ ok: false, issues: sortUnique(issues) });

/** Renders one case of a loaded scenario for a run. */
export function renderScenarioCase(
  scenario: Scenario,
  scenarioCase: ScenarioCase,
  context: CaseContext,
): RenderResult {
  const result = renderCase(scenario.source, scenario.document, scenarioCase, context, scenario.variants);
  return result.ok ? result : { ok: false, issues: sortUnique(result.issues) };
}

/** Reads and loads one file; `displayFile` is how issues name it (default: the path as given). */
export async function loadScenarioFile(
  path: string,
  options: LoadOptions & { displayFile?: string } = {},
): Promise<LoadResult> {
  const file = options.displayFile ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    return {
      ok: false,
      issues: [{ file, line: 1, column: 1, path: [], message: `cannot read the file (${reason})` }],
    };
  }
  return parseScenario(text, file, { expectedName: basename(path, extname(path)), ...options });
}

/** The scenario files of a catalogue directory, sorted: `*.yaml` and `*.yml`. */
export async function catalogueFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(directory, e.name))
    .sort();
}

/** Loads several files; issues name them relative to `cwd`. */
export async function loadScenarios(
  paths: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<{ scenarios: Scenario[]; issues: ScenarioIssue[] }> {
  const scenarios: Scenario[] = [];
  const issues: ScenarioIssue[] = [];
  for (const path of paths) {
    const result = await loadScenarioFile(path, { ...options, displayFile: relative(cwd, path) || path });
    if (result.ok) scenarios.push(result.scenario);
    else issues.push(...result.issues);
  }
  const byName = new Map<string, Scenario>();
  for (const scenario of scenarios) {
    const other = byName.get(scenario.name);
    if (other) {
      issues.push(
        scenario.source.issue(['name'], `${JSON.stringify(scenario.name)} is also used by ${other.file}`),
      );
    }
    byName.set(scenario.name, scenario);
  }
  return { scenarios, issues };
}
