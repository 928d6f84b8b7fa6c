/**
 * The scenario document: the one definition from which the loader validates, TypeScript types
 * are inferred and docs/schema/scenario.schema.json is generated. Every mapping is strict.
 */
import { z } from 'zod';
import { expectationSchema } from '../expect/schema.ts';
import { deploymentSchema, featuresSchema } from './knative-config.ts';
import { serviceTemplateSchema } from './service-schema.ts';
import { slugSchema, stepSchema, variantNameSchema } from './step-schema.ts';
import { parseRange } from './versions.ts';

export const scenarioApiVersion = 'kpc/v1';
export const levels = ['MUST', 'SHOULD', 'MAY'] as const;
export type Level = (typeof levels)[number];
/** Variants every run knows; others must be declared under `variants`. */
export const standardVariants = ['baseline', 'candidate'] as const;

const knativeRange = z
  .string()
  .refine((r) => parseRange(r) !== undefined, 'a version range such as >=1.18.0 or >=1.14.0 <1.18.0')
  .describe('Knative versions, e.g. >=1.18.0; `||` separates alternatives');

const requirementsSchema = z.strictObject({
  knative: knativeRange.optional(),
  features: featuresSchema.optional(),
  deployment: deploymentSchema.optional(),
});

const variantSchema = z.strictObject({
  description: z.string().optional(),
  ...requirementsSchema.shape,
});

const parameterName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a parameter name such as period or handler');
const axisLabel = z.string().regex(/^-?[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a case label such as exec or p1');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One matrix axis: a list of scalars (labelled by their text) or labelled values of any shape. */
const axisSchema = z.union(
  [
    z.array(scalar).min(1),
    z
      .record(axisLabel, z.unknown())
      .refine((r) => Object.keys(r).length > 0, 'at least one labelled value')
      .describe('label → value; the label names the case'),
  ],
  { error: 'a list of values, or a mapping of label → value' },
);

/** C's expectation, named so the JSON Schema holds it once under $defs. */
const expectationList = z.array(expectationSchema.meta({ id: 'Expectation' }));

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal(scenarioApiVersion),
    name: slugSchema.describe('the file name without .yaml'),
    description: z.string().min(1).describe('what the scenario proves; say which facts are (inferred)'),
    level: z.enum(levels),
    tags: z.array(slugSchema).optional(),
    sources: z
      .array(z.string().min(1))
      .optional()
      .describe('facts-sheet sections the expectations come from, e.g. knative-facts.md §2.4'),
    requires: requirementsSchema.optional().describe('what every variant needs'),
    variants: z
      .record(variantNameSchema, variantSchema)
      .optional()
      .describe('per-variant needs; declares variants other than baseline and candidate'),
    parameters: z.record(parameterName, z.unknown()).optional().describe('constants: {{ params.<name> }}'),
    matrix: z.record(parameterName, axisSchema).optional().describe('axes; every combination is a case'),
    exclude: z
      .array(z.record(parameterName, scalar))
      .optional()
      .describe('combinations to leave out, by axis label'),
    service: serviceTemplateSchema,
    steps: z.array(stepSchema).min(1),
    expectations: z
      .strictObject({
        shared: expectationList.optional().describe('for every variant'),
        baseline: expectationList.optional(),
        candidate: expectationList.optional(),
      })
      .catchall(expectationList)
      .describe('shared, and per variant (a declared variant name)'),
  })
  .describe('A kpc scenario: one Knative Service, steps, and expectations per variant');

export type ScenarioDocument = z.infer<typeof scenarioSchema>;
export type Requirements = z.infer<typeof requirementsSchema>;
export type VariantRequirements = z.infer<typeof variantSchema>;
