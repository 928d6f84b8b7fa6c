/**
 * Writes docs/schema/scenario.schema.json from the scenario schema in code.
 * Usage: npx tsx scripts/generate-scenario-schema.ts   (a test fails when the committed file is stale)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema, scenarioSchemaPath } from '../harness/scenario/json-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, scenarioSchemaPath);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, scenarioJsonSchema());
process.stdout.write(`wrote ${scenarioSchemaPath}\n`);
