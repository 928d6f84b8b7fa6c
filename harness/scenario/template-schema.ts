/**
 * Schema building blocks for places where a template may stand in for a value before rendering.
 * The same schema then validates the rendered document, where the template alternatives no longer occur.
 */
import { z } from 'zod';
import { mergeKey, spreadTemplatePattern, wholeTemplatePattern } from './template.ts';

const templateString = z.string().regex(wholeTemplatePattern, 'a template such as {{ params.period }}').meta({
  id: 'Template',
  description: 'a template, replaced by the value it names when a case is rendered',
});

const spreadString = z
  .string()
  .regex(spreadTemplatePattern, 'a spread such as {{ ...params.sidecars }}')
  .describe('splices the list a parameter holds into this list');

/** `schema`, or one template that will produce it; `what` names the value for messages. */
export function templated<T extends z.ZodType>(schema: T, what: string) {
  const expected = `${what}, or a template such as {{ params.name }}`;
  return z.union([schema, z.string().regex(wholeTemplatePattern, expected)], { error: expected });
}

/** A list whose items may also be `{{ ...params.x }}` spreads. */
export function spreadable<T extends z.ZodType>(item: T) {
  return z.array(z.union([item, spreadString]));
}

/** A strict mapping that may also take `<<:` (a mapping, or a template naming one) to merge in. */
export function mergeable<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject({
    [mergeKey]: z
      .union([templateString, z.record(z.string(), z.unknown())])
      .optional()
      .describe('merge a mapping (a template naming one, or a YAML alias) into this one; own keys win'),
    ...shape,
  });
}
