/**
 * Scenario steps: what the runner does, in order. Each step is a mapping with exactly one
 * action key (`apply`, `exec`, …) plus an optional `name` (its id in traces, reports and
 * expectation anchors such as `after: { step: touch }`) and `variants` (run only on these).
 * A step's own `expect…` fields are checked when it runs; expectations judge the whole trace.
 */
import { z } from 'zod';
import { durationSchema, textMatchSchema } from '../expect/schema.ts';
import { serviceTemplateSchema } from './service-schema.ts';
import { spreadable, templated } from './template-schema.ts';

const slugPattern = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const slugSchema = z
  .string()
  .regex(slugPattern, 'a lowercase name such as sidecar-ready (a-z, 0-9, -)');

export const variantNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'a variant name such as baseline or candidate');

const common = {
  name: slugSchema.optional().describe('the step id in traces and reports; expectations anchor on it'),
  variants: z.array(variantNameSchema).min(1).optional().describe('run this step only on these variants'),
};

/** One object the runner addresses; defaults to the scenario's Service. */
const targetSchema = z
  .strictObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    name: z.string().min(1),
  })
  .describe('default: the case Service');

const jsonPatchOperationSchema = z.strictObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string().regex(/^(\/.*)?$/, 'a JSON pointer such as /spec/template/spec/containers/-'),
  value: z.unknown().optional(),
  from: z.string().optional(),
});

const applyStepSchema = z.strictObject({
  ...common,
  apply: z
    .strictObject({
      manifest: serviceTemplateSchema.optional().describe('default: the scenario service template'),
    })
    .describe('create or update (server-side apply); `apply: {}` applies the scenario service'),
});

const expectRejectionStepSchema = z.strictObject({
  ...common,
  expectRejection: z
    .strictObject({
      manifest: serviceTemplateSchema.optional().describe('default: the scenario service template'),
      webhook: z.string().min(1).describe('e.g. validation.webhook.serving.knative.dev'),
      message: textMatchSchema.describe("the webhook's own text, e.g. validation failed: …"),
    })
    .describe('apply, expecting admission to deny it; becomes a `rejected` expectation'),
});

const execStepSchema = z.strictObject({
  ...common,
  exec: z.strictObject({
    container: z.string().min(1),
    command: spreadable(z.string()).min(1).describe('run directly, no shell; use [sh, -c, …] for one'),
    expectExitCode: templated(z.int().min(0).max(255), 'an exit code 0-255').optional().describe('default 0'),
    pods: z.enum(['all', 'newest']).optional().describe("the latest revision's running pods (default all)"),
    timeout: durationSchema.optional(),
  }),
});

const patchStepSchema = z.strictObject({
  ...common,
  patch: z
    .strictObject({
      target: targetSchema.optional(),
      merge: z.record(z.string(), z.unknown()).optional().describe('a JSON merge patch (lists are replaced)'),
      json: z.array(jsonPatchOperationSchema).min(1).optional().describe('JSON patch operations'),
    })
    .refine((p) => (p.merge === undefined) !== (p.json === undefined), 'give exactly one of merge or json'),
});

const deleteStepSchema = z.strictObject({
  ...common,
  delete: z.strictObject({
    target: targetSchema.optional(),
    wait: z.boolean().optional().describe('wait until it is gone (default true)'),
  }),
});

const requestStepSchema = z.strictObject({
  ...common,
  request: z
    .strictObject({
      path: z.string().regex(/^\//, 'a path starting with /').optional().describe('default /'),
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(),
      expect: z
        .strictObject({
          status: z.union([z.int(), z.array(z.int()).min(1)]).optional(),
          body: textMatchSchema.optional(),
        })
        .optional()
        .describe('what counts as an answer; default any 2xx'),
      retry: z
        .strictObject({ within: durationSchema, interval: durationSchema.optional() })
        .optional()
        .describe('repeat until the answer is as expected, for at most `within`'),
      timeout: durationSchema.optional().describe('per request'),
    })
    .describe('HTTP to the Service through the ingress, with the Host header of its URL'),
});

const waitStepSchema = z.strictObject({
  ...common,
  wait: z.union(
    [
      z.strictObject({
        until: z.array(z.string().min(1)).min(1).describe('names of expectations that must be met'),
        timeout: durationSchema,
      }),
      z.strictObject({ for: durationSchema.describe('observe for this long (a window for `never`)') }),
    ],
    { error: '{ until: [expectation names], timeout } or { for: duration }' },
  ),
});

const collectStepSchema = z.strictObject({
  ...common,
  collect: z
    .strictObject({
      events: z.boolean().optional(),
      objects: z.boolean().optional(),
      logs: z
        .union([z.boolean(), z.array(z.string().min(1)).min(1)])
        .optional()
        .describe('or container names'),
      previousLogs: z.boolean().optional().describe('also logs of restarted containers'),
    })
    .describe('diagnostics; `collect: {}` gathers everything'),
});

export const stepKinds = [
  'apply',
  'expectRejection',
  'exec',
  'patch',
  'delete',
  'request',
  'wait',
  'collect',
] as const;
export type StepKind = (typeof stepKinds)[number];

export const stepSchema = z
  .union(
    [
      applyStepSchema,
      expectRejectionStepSchema,
      execStepSchema,
      patchStepSchema,
      deleteStepSchema,
      requestStepSchema,
      waitStepSchema,
      collectStepSchema,
    ],
    { error: `a step with one of the keys ${stepKinds.join(', ')}` },
  )
  .meta({ id: 'Step' });

export type Step = z.infer<typeof stepSchema>;
export type Target = z.infer<typeof targetSchema>;
