import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { processIo } from './io.ts';
import { buildProgram } from './program.ts';
import { renderCliReference, spliceReference } from './reference.ts';

describe('CLI reference', () => {
  const reference = renderCliReference(buildProgram(processIo()));

  it('has a section for every command and subcommand with its options', () => {
    expect(reference).to.include('### `kpc scenarios plan`');
    expect(reference).to.include('| `--kubeconfig <path>` |');
    expect(reference).to.match(/\| `--trace <file>` \| .*\(required\)/);
  });

  it('is the one in README.md (run `npm run docs:cli` after changing a command)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(spliceReference(readme, reference)).to.equal(readme);
  });

  it('refuses a document without the generated section', () => {
    expect(() => spliceReference('# no markers', reference)).to.throw(/cli-reference:start/);
  });
});
