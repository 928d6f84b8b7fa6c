/** Rewrites the CLI reference section of README.md from the command definitions. */
import { readFile, writeFile } from 'node:fs/promises';
import { processIo } from '../harness/cli/io.ts';
import { buildProgram } from '../harness/cli/program.ts';
import { renderCliReference, spliceReference } from '../harness/cli/reference.ts';

const readme = new URL('../README.md', import.meta.url);
const updated = spliceReference(
  await readFile(readme, 'utf8'),
  renderCliReference(buildProgram(processIo())),
);
await writeFile(readme, updated);
process.stdout.write('README.md CLI reference regenerated\n');
