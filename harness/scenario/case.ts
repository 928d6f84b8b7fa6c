/**
 * One case of a scenario, rendered for a run: templates resolved with the case's Service name,
 * namespace, parameters and the run's images, validated again, and cross-checked. Problems are
 * reported at the author's line and column, even when they come from a substituted parameter.
 */
import { createHash } from 'node:crypto';
import type { Expectation } from '../expect/schema.ts';
import { checkCase, rejectionName, stepId } from './check.ts';
import { type FieldPath, formatPath, type ScenarioIssue } from './issues.ts';
import type { ScenarioCase } from './matrix.ts';
import {
  type Level,
  type Requirements,
  type ScenarioDocument,
  scenarioSchema,
  type VariantRequirements,
} from './schema.ts';
import { explainIssues, type SchemaProblem } from './schema-issues.ts';
import type { ServiceTemplate } from './service-schema.ts';
import { serviceTimeline } from './service-state.ts';
import type { YamlSource } from './source.ts';
import type { Step, StepKind } from './step-schema.ts';
import { stepKinds } from './step-schema.ts';
import { type Origin, render } from './template.ts';

/** What a run decides for each case: names and images. */
export interface CaseContext {
  readonly service: string;
  readonly namespace: string;
  readonly images: Readonly<Record<string, string>>;
}

export interface RenderedStep {
  readonly id: string;
  readonly index: number;
  readonly kind: StepKind;
  readonly step: Step;
}

export interface RenderedCase {
  readonly id: string;
  readonly scenario: string;
  readonly file: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly context: CaseContext;
  /** The template with metadata.name and metadata.namespace set to the case's. */
  readonly service: ServiceTemplate;
  readonly steps: readonly RenderedStep[];
  /** As written: `shared` and per variant. */
  readonly expectations: Readonly<Record<string, readonly Expectation[]>>;
  readonly requires: Requirements;
  readonly variants: Readonly<Record<string, VariantRequirements>>;
  /** Variants this case knows: baseline, candidate and the declared ones. */
  readonly knownVariants: readonly string[];
  /** The Service as step i leaves it (undefined before the first apply or after a delete). */
  readonly serviceAfterStep: readonly (ServiceTemplate | undefined)[];
}

export type RenderResult = { ok: true; case: RenderedCase } | { ok: false; issues: ScenarioIssue[] };

/** The parts of a document that templates may appear in. */
const templatedKeys = ['requires', 'variants', 'service', 'steps', 'expectations'] as const;

/** A Knative Service name for a case: readable, stable, unique per case, short enough for revision names. */
export function caseServiceName(caseId: string): string {
  const hash = createHash('sha256').update(caseId).digest('hex').slice(0, 6);
  const stem = caseId.replace(/\[.*$/, '').slice(0, 33).replace(/-+$/, '');
  return `${stem}-${hash}`;
}

export function renderCase(
  source: YamlSource,
  document: ScenarioDocument,
  scenarioCase: ScenarioCase,
  context: CaseContext,
  knownVariants: readonly string[],
): RenderResult {
  const subset = Object.fromEntries(
    templatedKeys.map((k) => [k, document[k]]).filter(([, v]) => v !== undefined),
  );
  const rendering = render(subset, [], { ...context, params: scenarioCase.params });
  const issues: ScenarioIssue[] = rendering.problems.map((p) =>
    source.issue(p.path, p.message, p.needle === undefined ? {} : { needle: p.needle }),
  );
  if (issues.length > 0) return { ok: false, issues };

  const locate = (problems: SchemaProblem[]) =>
    problems.map((p) => locateRendered(source, rendering.origins, p));
  const rendered = { ...document, ...(rendering.value as object) };
  const parsed = scenarioSchema.safeParse(rendered);
  if (!parsed.success)
    return { ok: false, issues: locate(explainIssues(parsed.error.issues, scenarioSchema, rendered)) };
  const doc = parsed.data;

  const identity = identityProblems(doc, context);
  const service = withIdentity(doc.service, context);
  const steps = doc.steps.map((step) => withStepIdentity(step, context));
  const timeline = serviceTimeline(service, context.service, steps);
  const problems = [...identity, ...checkCase({ ...doc, steps }, knownVariants, timeline)];
  if (problems.length > 0) return { ok: false, issues: locate(problems) };

  return {
    ok: true,
    case: {
      id: scenarioCase.id,
      scenario: doc.name,
      file: source.file,
      level: doc.level,
      tags: doc.tags ?? [],
      labels: scenarioCase.labels,
      context,
      service,
      steps: steps.map((step, index) => ({ id: stepId(step, index), index, kind: kindOf(step), step })),
      expectations: doc.expectations as Record<string, Expectation[]>,
      requires: doc.requires ?? {},
      variants: doc.variants ?? {},
      knownVariants,
      serviceAfterStep: timeline.after,
    },
  };
}

function kindOf(step: Step): StepKind {
  return stepKinds.find((k) => k in step)!;
}

/** A problem found on the rendered document, placed where the author wrote the offending text. */
function locateRendered(
  source: YamlSource,
  origins: Map<string, Origin>,
  problem: SchemaProblem,
): ScenarioIssue {
  const path = problem.path;
  for (let n = path.length; n >= 0; n--) {
    const origin = origins.get(JSON.stringify(path.slice(0, n)));
    if (origin === undefined) continue;
    const at: FieldPath = [...origin.path, ...path.slice(n)];
    const moved = formatPath(at) !== formatPath(path);
    let message = problem.message;
    if (origin.substituted && n === path.length && /^expected string, got (number|boolean)/.test(message)) {
      message +=
        '; a template that is the whole value keeps the parameter’s type, so quote the parameter value';
    }
    if (moved) message += ` (used at ${formatPath(path)})`;
    return source.issue(at, message, { key: problem.atKey === true });
  }
  return source.issue(path, problem.message, { key: problem.atKey === true });
}

/** metadata.name/namespace, when written, must be the case's: the runner owns the names. */
function identityProblems(doc: ScenarioDocument, context: CaseContext): SchemaProblem[] {
  const manifests: [FieldPath, ServiceTemplate][] = [[['service'], doc.service]];
  doc.steps.forEach((step, i) => {
    if ('apply' in step && step.apply.manifest)
      manifests.push([['steps', i, 'apply', 'manifest'], step.apply.manifest]);
    if ('expectRejection' in step && step.expectRejection.manifest) {
      manifests.push([['steps', i, 'expectRejection', 'manifest'], step.expectRejection.manifest]);
    }
  });
  const problems: SchemaProblem[] = [];
  for (const [at, manifest] of manifests) {
    const { name, namespace } = manifest.metadata ?? {};
    if (name !== undefined && name !== context.service) {
      problems.push({
        path: [...at, 'metadata', 'name'],
        message: 'must be {{ service }} (or left out): each case names its own Service',
      });
    }
    if (namespace !== undefined && namespace !== context.namespace) {
      problems.push({
        path: [...at, 'metadata', 'namespace'],
        message: 'must be {{ namespace }} (or left out)',
      });
    }
  }
  return problems;
}

function withIdentity(service: ServiceTemplate, context: CaseContext): ServiceTemplate {
  return {
    ...service,
    metadata: { ...service.metadata, name: context.service, namespace: context.namespace },
  };
}

function withStepIdentity(step: Step, context: CaseContext): Step {
  if ('apply' in step && step.apply.manifest) {
    return { ...step, apply: { manifest: withIdentity(step.apply.manifest, context) } };
  }
  if ('expectRejection' in step && step.expectRejection.manifest) {
    return {
      ...step,
      expectRejection: {
        ...step.expectRejection,
        manifest: withIdentity(step.expectRejection.manifest, context),
      },
    };
  }
  return step;
}

/** The steps that run on `variant`, in order. */
export function stepsFor(rendered: RenderedCase, variant: string): RenderedStep[] {
  return rendered.steps.filter((s) => s.step.variants === undefined || s.step.variants.includes(variant));
}

/** Shared, then the variant's own expectations, then one `rejected` per expectRejection step that runs. */
export function expectationsFor(rendered: RenderedCase, variant: string): Expectation[] {
  const implicit: Expectation[] = stepsFor(rendered, variant).flatMap((s) =>
    'expectRejection' in s.step
      ? [
          {
            name: rejectionName(s.id),
            rejected: {
              action: { step: s.id },
              webhook: s.step.expectRejection.webhook,
              message: s.step.expectRejection.message,
            },
          },
        ]
      : [],
  );
  return [...(rendered.expectations.shared ?? []), ...(rendered.expectations[variant] ?? []), ...implicit];
}

/** What a variant needs: the scenario's requirements, overridden key by key by the variant's. */
export interface VariantNeeds {
  /** Every range must hold. */
  readonly knative: readonly string[];
  readonly features: Readonly<Record<string, string>>;
  readonly deployment: Readonly<Record<string, string>>;
}

export function requirementsFor(rendered: RenderedCase, variant: string): VariantNeeds {
  const own = rendered.variants[variant] ?? {};
  const base = rendered.requires;
  return {
    knative: [base.knative, own.knative].filter((r): r is string => r !== undefined),
    features: { ...base.features, ...own.features } as Record<string, string>,
    deployment: { ...base.deployment, ...own.deployment } as Record<string, string>,
  };
}
