import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { parse } from 'yaml';
import { scenarioJsonSchema, scenarioSchemaPath } from './json-schema.ts';
import { catalogueFiles } from './load.ts';

const root = new URL('../../', import.meta.url);

describe('the published JSON Schema', () => {
  it('is exactly what the code generates (regenerate: npx tsx scripts/generate-scenario-schema.ts)', async () => {
    const committed = await readFile(new URL(scenarioSchemaPath, root), 'utf8');
    expect(committed === scenarioJsonSchema(), `${scenarioSchemaPath} is stale`).to.equal(true);
  });

  it('accepts every catalogue scenario and rejects an unknown key, as editors will', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(scenarioJsonSchema()));
    const files = await catalogueFiles(new URL('scenarios', root).pathname);
    expect(files.length).to.be.greaterThan(0);
    for (const file of files) {
      const doc = parse(await readFile(file, 'utf8'));
      expect(validate(doc), `${file}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      expect(validate({ ...doc, colour: 'blue' })).to.equal(false);
    }
  });
});
