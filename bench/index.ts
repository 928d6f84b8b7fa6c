/**
 * `npm run bench`: runs every benchmark in turn (each in its own process so one's memory cannot skew
 * another's) and ends with their JSON summaries. Benchmarks report figures; they are not pass/fail tests.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benches = ['watch-ingestion', 'judge-trace', 'runner-concurrency'];
const only = process.argv.slice(2);
const summaries: unknown[] = [];

for (const name of benches.filter((b) => !only.length || only.includes(b))) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) {
    process.stdout.write(`\n== ${name}: not present in this checkout (bench/${name}.ts)\n`);
    summaries.push({ bench: name, missing: true });
    continue;
  }
  process.stdout.write(`\n== ${name}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    summaries.push(JSON.parse(last));
  } catch {
    summaries.push({ bench: name, exitCode: run.status, error: 'no JSON summary on the last line' });
  }
}

process.stdout.write(`\n== summaries\n${summaries.map((s) => JSON.stringify(s)).join('\n')}\n`);
