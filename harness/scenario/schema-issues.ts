/**
 * Turns zod's issues into precise, human problems: one per mistake, at the deepest path that
 * explains it. Unions are resolved to the alternative the author meant (the one whose key is
 * present), so a typo inside `reach:` is reported there rather than as "invalid input".
 */
import type { z } from 'zod';
import { describeValue, type FieldPath } from './issues.ts';
import { didYouMean, nearest } from './suggest.ts';
import { mergeKey, wholeTemplatePattern } from './template.ts';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** A schema problem at a path of the validated value; `atKey` points at a mapping key. */
export interface SchemaProblem {
  readonly path: FieldPath;
  readonly message: string;
  readonly atKey?: boolean;
}

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  innerType?: Schema;
  in?: Schema;
  getter?: () => Schema;
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;

/** Strips wrappers that do not change the shape (optional, default, pipe, lazy…). */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = defOf(current);
    const next = def.innerType ?? def.in ?? (def.type === 'lazy' ? def.getter?.() : undefined);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

/** The schemas that may describe the value at `path` (several when a union is crossed). */
function schemasAt(schema: Schema, path: readonly PropertyKey[]): Schema[] {
  let current = [unwrap(schema)];
  for (const segment of path) {
    const next: Schema[] = [];
    const visit = (s: Schema) => {
      const def = defOf(s);
      if (def.type === 'union') for (const option of def.options ?? []) visit(unwrap(option));
      else if (def.type === 'object') {
        const child = def.shape?.[String(segment)] ?? def.catchall;
        if (child) next.push(unwrap(child));
      } else if (def.type === 'array' && def.element) next.push(unwrap(def.element));
      else if (def.type === 'record' && def.valueType) next.push(unwrap(def.valueType));
    };
    for (const s of current) visit(s);
    current = next;
  }
  return current;
}

/** Keys an object schema (or the object alternatives of a union) accepts. */
function knownKeys(schemas: Schema[]): string[] {
  const keys = new Set<string>();
  const visit = (s: Schema) => {
    const def = defOf(s);
    if (def.type === 'union') for (const option of def.options ?? []) visit(unwrap(option));
    else if (def.type === 'object') for (const key of Object.keys(def.shape ?? {})) keys.add(key);
  };
  for (const s of schemas) visit(s);
  return [...keys];
}

function requiredKeys(schema: Schema): string[] {
  const def = defOf(unwrap(schema));
  if (def.type !== 'object') return [];
  return Object.entries(def.shape ?? {})
    .filter(([, s]) => s._zod.optin !== 'optional')
    .map(([k]) => k);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current) && Object.hasOwn(current, String(segment)))
      current = current[String(segment)];
    else return undefined;
  }
  return current;
}

const typeWords: Record<string, string> = {
  int: 'integer',
  object: 'mapping',
  array: 'list',
  record: 'mapping',
};
const typeWord = (expected: string) => typeWords[expected] ?? expected;

const toPath = (path: readonly PropertyKey[]): FieldPath =>
  path.map((s) => (typeof s === 'number' ? s : String(s)));

/** A problem plus what it says about keys, so one typo is reported once. */
interface Explained extends SchemaProblem {
  /** A required key that is absent. */
  readonly missingKey?: boolean;
  /** The known key an unknown key is probably a typo of. */
  readonly suggests?: string;
}

/** Every problem in `issues`, for a value `data` validated against `schema`. */
export function explainIssues(issues: readonly Issue[], schema: Schema, data: unknown): SchemaProblem[] {
  return withoutTypoEchoes(issues.flatMap((issue) => explain(issue, [], schema, data))).map(
    ({ path, message, atKey }) => (atKey ? { path, message, atKey } : { path, message }),
  );
}

/**
 * `raech:` where `reach:` is required gives two zod issues (unknown key, missing key) for one typo;
 * keep the unknown-key problem, which already suggests the missing key.
 */
function withoutTypoEchoes(problems: Explained[]): Explained[] {
  const suggested = new Set(
    problems.flatMap((p) => (p.suggests ? [JSON.stringify([...p.path.slice(0, -1), p.suggests])] : [])),
  );
  return problems.filter((p) => !(p.missingKey && suggested.has(JSON.stringify(p.path))));
}

function explain(issue: Issue, base: readonly PropertyKey[], baseSchema: Schema, data: unknown): Explained[] {
  const full = [...base, ...issue.path];
  const input = valueAt(data, full);
  const path = toPath(full);
  if (input === undefined && full.length > 0 && issue.path.length > 0) {
    return [
      {
        path,
        missingKey: true,
        message: `missing required key \`${String(full.at(-1))}\`${missingHint(issue)}`,
      },
    ];
  }
  switch (issue.code) {
    case 'invalid_union':
      return explainUnion(issue, full, schemasAt(baseSchema, issue.path), data);
    case 'unrecognized_keys': {
      const known = knownKeys(schemasAt(baseSchema, issue.path));
      return issue.keys.map((key) => {
        const suggests = nearest(key, known);
        return {
          path: [...path, key],
          atKey: true,
          message: `unknown key \`${key}\`${didYouMean(key, known) || expectedKeys(known)}`,
          ...(suggests && { suggests }),
        };
      });
    }
    case 'invalid_type':
      return [
        {
          path,
          message: `expected ${typeWord(issue.expected)}, got ${describeValue(input)}${templateHint(issue.expected, input)}`,
        },
      ];
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      const hint =
        typeof input === 'string'
          ? didYouMean(
              input,
              issue.values.filter((v): v is string => typeof v === 'string'),
            )
          : '';
      return [{ path, message: `expected ${expected}, got ${describeValue(input)}${hint}` }];
    }
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? 'an invalid key';
      return [
        {
          path,
          atKey: true,
          message: `invalid key ${JSON.stringify(String(full.at(-1)))}: expected ${reason}`,
        },
      ];
    }
    case 'invalid_format':
      return [
        {
          path,
          message: /^Invalid/.test(issue.message)
            ? issue.message
            : `expected ${issue.message}, got ${describeValue(input)}`,
        },
      ];
    case 'too_small':
    case 'too_big':
      return [{ path, message: sizeMessage(issue, input) }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** A whole-value template where a mapping or list goes: say how to bring one in. */
function templateHint(expected: string, input: unknown): string {
  if (typeof input !== 'string' || !wholeTemplatePattern.test(input)) return '';
  if (expected === 'object') return `; to take a mapping from a parameter, write \`${mergeKey}: '${input}'\``;
  if (expected === 'array')
    return `; to take a list from a parameter, write ['${input.replace(/^\{\{\s*/, '{{ ...')}']`;
  return '';
}

/** What a missing key should hold, when the issue says. */
function missingHint(issue: Issue): string {
  if (issue.code === 'invalid_type') return ` (${typeWord(issue.expected)})`;
  if (issue.code === 'invalid_value')
    return ` (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
  return '';
}

const expectedKeys = (known: string[]) =>
  known.length > 0 && known.length <= 12 ? ` (expected one of: ${known.join(', ')})` : '';

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, input: unknown): string {
  const small = issue.code === 'too_small';
  const limit = Number(
    small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum,
  );
  const op = small ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  if (issue.origin === 'array')
    return `expected ${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
  if (issue.origin === 'string') {
    return small && limit === 1
      ? 'expected a non-empty string'
      : `expected ${small ? 'at least' : 'at most'} ${limit} characters`;
  }
  return `expected a number ${op} ${limit}, got ${describeValue(input)}`;
}

/**
 * A union failed. For a mapping, pick the alternative that fits its keys and report that one's
 * problems; if no alternative fits, say which keys select one. For a scalar, say what was expected.
 */
function explainUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  full: readonly PropertyKey[],
  schemas: Schema[],
  data: unknown,
): Explained[] {
  const input = valueAt(data, full);
  const path = toPath(full);
  const union = schemas.find((s) => defOf(s).type === 'union');
  const options = union ? (defOf(union).options ?? []) : [];
  const branches = issue.errors;
  if (branches.length === 0) return [{ path, message: issue.message }];

  if (isPlainObject(input)) {
    const mismatch = (branch: Issue[]) =>
      branch.reduce((n, i) => {
        if (i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')) return n + 1000;
        if (i.path.length === 0 && i.code === 'unrecognized_keys') return n + i.keys.length;
        if (i.path.length === 1 && input[String(i.path[0])] === undefined) return n + 1;
        return n;
      }, 0);
    const scores = branches.map(mismatch);
    const best = Math.min(...scores);
    const tied = scores.flatMap((s, i) => (s === best ? [i] : []));
    if (best < 1000 && (best === 0 || tied.length === 1)) {
      const depth = (b: Issue[]) => Math.max(0, ...b.map((i) => i.path.length));
      const chosen = tied.sort(
        (a, b) => depth(branches[b]!) - depth(branches[a]!) || branches[a]!.length - branches[b]!.length,
      )[0]!;
      const branchSchema = options[chosen];
      if (branchSchema) return branches[chosen]!.flatMap((i) => explain(i, full, branchSchema, data));
    }
    return [whichAlternative(path, input, options, issue.message)];
  }

  // A scalar or a list: the union's own message when it has one, else the expected types.
  if (!/^Invalid input/.test(issue.message)) {
    return [{ path, message: `expected ${issue.message}, got ${describeValue(input)}` }];
  }
  const expected = new Set<string>();
  for (const branch of branches) {
    for (const i of branch) {
      if (i.path.length > 0) continue;
      if (i.code === 'invalid_type') expected.add(typeWord(i.expected));
      else if (i.code === 'invalid_value') for (const v of i.values) expected.add(JSON.stringify(v));
    }
  }
  const words = expected.size > 0 ? [...expected].join(' or ') : 'a different value';
  return [{ path, message: `expected ${words}, got ${describeValue(input)}` }];
}

/** A mapping fits no alternative: name the keys that choose one, and the likely typo. */
function whichAlternative(
  path: FieldPath,
  input: Record<string, unknown>,
  options: Schema[],
  unionMessage: string,
): SchemaProblem {
  const required = options.map(requiredKeys);
  const allRequired = new Set(required.flat());
  const selecting = [...allRequired].filter((k) => !required.every((r) => r.includes(k)));
  if (selecting.length === 0) return { path, message: unionMessage };
  const present = selecting.filter((k) => Object.hasOwn(input, k));
  if (present.length > 1) {
    return { path, message: `give exactly one of ${selecting.join(', ')} (found ${present.join(' and ')})` };
  }
  const known = knownKeys(options);
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  const typo = unknown.find((k) => didYouMean(k, selecting) !== '');
  if (typo !== undefined) {
    return {
      path: [...path, typo],
      atKey: true,
      message: `unknown key \`${typo}\`${didYouMean(typo, selecting)}; expected one of the keys ${selecting.join(', ')}`,
    };
  }
  const found = Object.keys(input);
  return {
    path,
    message: `expected one of the keys ${selecting.join(', ')}${found.length > 0 ? `; found ${found.join(', ')}` : ''}`,
  };
}
