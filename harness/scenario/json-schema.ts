/**
 * The JSON Schema of scenario files, generated from the zod schema (never written by hand), for
 * editor completion through `# yaml-language-server: $schema=../docs/schema/scenario.schema.json`.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export const scenarioSchemaPath = 'docs/schema/scenario.schema.json';

/** The committed file's exact text: stable key order, two-space indent, final newline. */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    io: 'input',
  });
  return `${JSON.stringify({ ...schema, title: 'kpc scenario' }, null, 2)}\n`;
}
