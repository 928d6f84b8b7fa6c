/**
 * Property tests of the loader: whatever the input, a scenario loads or comes back as located
 * issues; the loader never throws and never falls back to its internal-error path.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import type { ScenarioIssue } from './issues.ts';
import { parseScenario } from './load.ts';
import { minimalScenario } from './testdata/minimal.ts';

/** Checks one input; returns true so it can be a fast-check predicate. */
function loadsOrLocates(text: string): boolean {
  const result = parseScenario(text, 'prop.yaml');
  if (result.ok) return true;
  const lines = text.split(/\r\n|\r|\n/).length;
  expect(result.issues.length).to.be.greaterThan(0);
  for (const issue of result.issues as ScenarioIssue[]) {
    expect(issue.file).to.equal('prop.yaml');
    expect(issue.line, issue.message).to.be.within(1, lines + 1);
    expect(issue.column, issue.message).to.be.at.least(1);
    expect(issue.message.length).to.be.greaterThan(0);
    expect(issue.message).not.to.match(/internal error/);
  }
  return true;
}

const options = { numRuns: 200, seed: 20251127, endOnFailure: true };

/** Characters that make YAML interesting. */
const yamlish = fc.string({
  unit: fc.constantFrom(
    ...'ab:-{}[],&*!|>#\'"%@`?~ \n\t\\0123.'.split(''),
    'name',
    'steps',
    '{{ ',
    ' }}',
    '<<',
    '---',
  ),
  maxLength: 120,
});

type Path = (string | number)[];

function paths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (typeof value === 'object' && value !== null) {
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  }
  return [at];
}

/** The minimal scenario with the value at one path replaced, removed, or its key misspelled. */
function mutate(path: Path, action: 'replace' | 'remove' | 'rename', replacement: unknown): unknown {
  const doc = parse(minimalScenario) as Record<string, unknown>;
  if (path.length === 0) return action === 'replace' ? replacement : doc;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc) as
    | Record<string, unknown>
    | unknown[];
  const key = path.at(-1)!;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (action === 'remove') parent.splice(key, 1);
    else parent[key] = replacement;
  } else {
    const object = parent as Record<string, unknown>;
    const value = object[key as string];
    delete object[key as string];
    if (action === 'rename') object[`${String(key).slice(1)}${String(key)[0] ?? 'x'}`] = value;
    else if (action === 'replace') object[key as string] = replacement;
  }
  return doc;
}

describe('loader properties', () => {
  it('locates a problem in any string, never throwing', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), loadsOrLocates), options);
    fc.assert(fc.property(yamlish, loadsOrLocates), options);
  });

  it('locates a problem in any JSON-like value written as YAML', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(value, (v) => loadsOrLocates(stringify(v))),
      options,
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), (v) => loadsOrLocates(stringify(v))),
      options,
    );
  });

  it('locates the problem in any one-place corruption of a valid scenario', () => {
    const all = paths(parse(minimalScenario));
    const corruption = fc.tuple(
      fc.constantFrom(...all),
      fc.constantFrom('replace' as const, 'remove' as const, 'rename' as const),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('{{ params.nope }}', '{{ ...params.period }}', '{{', -1),
      ),
    );
    let rejected = 0;
    fc.assert(
      fc.property(corruption, ([path, action, replacement]) => {
        const text = stringify(mutate(path, action, replacement));
        if (!parseScenario(text, 'prop.yaml').ok) rejected++;
        return loadsOrLocates(text);
      }),
      options,
    );
    // most single corruptions of a strict document must be caught
    expect(rejected).to.be.greaterThan(options.numRuns * 0.6);
  });
});
