/** The scenario language: load, validate, expand, render and plan scenario files. */
export {
  type CaseContext,
  caseServiceName,
  expectationsFor,
  type RenderedCase,
  type RenderedStep,
  type RenderResult,
  requirementsFor,
  stepsFor,
  type VariantNeeds,
} from './case.ts';
export { rejectionName, stepId } from './check.ts';
export { scenarioFiles } from './files.ts';
export { type FieldPath, formatIssue, formatPath, type ScenarioIssue } from './issues.ts';
export { scenarioJsonSchema } from './json-schema.ts';
export {
  catalogueFiles,
  defaultImageNames,
  type LoadOptions,
  type LoadResult,
  loadScenarioFile,
  loadScenarios,
  parseScenario,
  planContext,
  renderScenarioCase,
  type Scenario,
} from './load.ts';
export { caseId, maxCases, type ScenarioCase } from './matrix.ts';
export { formatPlan, type PlannedExpectation, type PlannedStep, planCase, type VariantPlan } from './plan.ts';
export {
  type Level,
  levels,
  type Requirements,
  type ScenarioDocument,
  scenarioApiVersion,
  scenarioSchema,
  standardVariants,
  type VariantRequirements,
} from './schema.ts';
export type { ContainerTemplate, ProbeTemplate, ServiceTemplate } from './service-schema.ts';
export { type Step, type StepKind, stepKinds, type Target } from './step-schema.ts';
export { parseRange, parseVersion, satisfiesRange } from './versions.ts';
