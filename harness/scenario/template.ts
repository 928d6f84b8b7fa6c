/**
 * A small, safe templating for scenario documents: `{{ path }}` looks a value up, nothing runs.
 *
 * - A string that is exactly one template takes the value's own type: `'{{ params.period }}'`
 *   becomes the number 1, `'{{ params.sidecar }}'` a whole mapping.
 * - A template inside longer text is interpolated and must name a string, number or boolean.
 * - In a list, `'{{ ...params.sidecars }}'` splices a list in place.
 * - In a mapping, `<<: '{{ params.probe }}'` (or a YAML alias) merges a mapping; the mapping's own keys win.
 *
 * Variables: `params.<name>[.<key>…]`, `service`, `namespace`, `images.<name>`. Parameter values may
 * use every variable except `params` (no recursion). Every rendered node remembers the source path it
 * came from, so problems found after rendering are still reported at the author's line and column.
 */
import type { FieldPath } from './issues.ts';
import { didYouMean } from './suggest.ts';

/** A parameter's raw (unrendered) value and where it was written. */
export interface Param {
  readonly value: unknown;
  readonly origin: FieldPath;
}

export interface TemplateScope {
  readonly service: string;
  readonly namespace: string;
  readonly images: Readonly<Record<string, string>>;
  /** Undefined while rendering a parameter's own value. */
  readonly params: Readonly<Record<string, Param>> | undefined;
}

/** Where an output node came from; `substituted` when a template put it there. */
export interface Origin {
  readonly path: FieldPath;
  readonly substituted: boolean;
}

/** A template problem at a source path; `needle` is the template text inside that scalar. */
export interface TemplateProblem {
  readonly path: FieldPath;
  readonly message: string;
  readonly needle?: string;
}

export interface Rendering {
  readonly value: unknown;
  /** Output path (JSON of the path array) → source origin, for every output node. */
  readonly origins: Map<string, Origin>;
  readonly problems: TemplateProblem[];
  /** Names used through `images.<name>`. */
  readonly images: Set<string>;
}

const name = '[A-Za-z_][A-Za-z0-9_-]*';
const expressionAt = new RegExp(`\\{\\{\\s*(\\.\\.\\.)?\\s*(${name}(?:\\.${name})*)\\s*\\}\\}`, 'y');
/** A whole-value template, for the schema: `{{ params.period }}`. */
export const wholeTemplatePattern = new RegExp(`^\\{\\{\\s*${name}(?:\\.${name})*\\s*\\}\\}$`);
/** A list item that splices a list: `{{ ...params.sidecars }}`. */
export const spreadTemplatePattern = new RegExp(`^\\{\\{\\s*\\.\\.\\.\\s*${name}(?:\\.${name})*\\s*\\}\\}$`);
/** The mapping key that merges a mapping into its own. */
export const mergeKey = '<<';

interface Token {
  readonly text: string;
  readonly expression: string;
  readonly spread: boolean;
  readonly start: number;
}

/** The templates in a string, or the malformed `{{ …` text. */
export function scanTemplates(text: string): { tokens: Token[]; malformed: string[] } {
  const tokens: Token[] = [];
  const malformed: string[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) break;
    expressionAt.lastIndex = start;
    const match = expressionAt.exec(text);
    if (match === null) {
      const close = text.indexOf('}}', start);
      malformed.push(text.slice(start, close < 0 ? Math.min(text.length, start + 24) : close + 2));
      from = start + 2;
      continue;
    }
    tokens.push({ text: match[0], spread: match[1] !== undefined, expression: match[2]!, start });
    from = start + match[0].length;
  }
  return { tokens, malformed };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const pathKey = (path: FieldPath) => JSON.stringify(path);

const roots = ['params', 'service', 'namespace', 'images'];

type Resolved = { kind: 'text'; value: string } | { kind: 'param'; value: unknown; origin: FieldPath };

/** Renders `raw` (found at `origin`) with `scope`. Never throws. */
export function render(raw: unknown, origin: FieldPath, scope: TemplateScope): Rendering {
  const out: Rendering = { value: undefined, origins: new Map(), problems: [], images: new Set() };
  (out as { value: unknown }).value = renderNode(raw, origin, [], scope, false, out);
  return out;
}

function renderNode(
  raw: unknown,
  origin: FieldPath,
  at: FieldPath,
  scope: TemplateScope,
  substituted: boolean,
  out: Rendering,
): unknown {
  out.origins.set(pathKey(at), { path: origin, substituted });
  if (typeof raw === 'string') return renderString(raw, origin, at, scope, substituted, out);
  if (Array.isArray(raw)) {
    const items: unknown[] = [];
    raw.forEach((item, index) => {
      const spread = typeof item === 'string' ? spreadOf(item) : undefined;
      if (spread === undefined) {
        items.push(renderNode(item, [...origin, index], [...at, items.length], scope, substituted, out));
        return;
      }
      const resolved = resolve(spread.expression, [...origin, index], spread.text, scope, out);
      if (resolved === undefined) return;
      if (resolved.kind !== 'param' || !Array.isArray(resolved.value)) {
        out.problems.push({
          path: [...origin, index],
          needle: spread.text,
          message: `\`${spread.text}\` must name a list to splice`,
        });
        return;
      }
      const inner = { ...scope, params: undefined };
      resolved.value.forEach((element, i) => {
        items.push(renderNode(element, [...resolved.origin, i], [...at, items.length], inner, true, out));
      });
    });
    return items;
  }
  if (isPlainObject(raw)) {
    const result: Record<string, unknown> = {};
    // Keys come from the YAML source, which refuses __proto__, so plain assignment is safe.
    const put = (key: string, value: unknown) => {
      result[key] = value;
    };
    if (Object.hasOwn(raw, mergeKey)) {
      const merged = mergeSource(raw[mergeKey], [...origin, mergeKey], scope, out);
      if (merged !== undefined) {
        for (const [key, value] of Object.entries(merged.value)) {
          if (Object.hasOwn(raw, key)) continue;
          put(
            key,
            renderNode(value, [...merged.origin, key], [...at, key], merged.scope, merged.substituted, out),
          );
        }
      }
    }
    for (const [key, value] of Object.entries(raw)) {
      if (key === mergeKey) continue;
      put(key, renderNode(value, [...origin, key], [...at, key], scope, substituted, out));
    }
    return result;
  }
  return raw;
}

function spreadOf(text: string): Token | undefined {
  const { tokens } = scanTemplates(text);
  const only = tokens[0];
  return tokens.length === 1 && only!.spread && only!.text === text.trim() && text.trim() === text
    ? only
    : undefined;
}

/** The mapping a `<<` key brings in: a literal mapping (e.g. an alias) or a template naming one. */
function mergeSource(
  raw: unknown,
  origin: FieldPath,
  scope: TemplateScope,
  out: Rendering,
):
  | { value: Record<string, unknown>; origin: FieldPath; scope: TemplateScope; substituted: boolean }
  | undefined {
  if (isPlainObject(raw)) return { value: raw, origin, scope, substituted: false };
  const { tokens } = typeof raw === 'string' ? scanTemplates(raw) : { tokens: [] };
  const only = tokens[0];
  if (typeof raw !== 'string' || tokens.length !== 1 || only!.text !== raw || only!.spread) {
    out.problems.push({ path: origin, message: '`<<` takes a mapping or one template naming a mapping' });
    return undefined;
  }
  const resolved = resolve(only!.expression, origin, only!.text, scope, out);
  if (resolved === undefined) return undefined;
  if (resolved.kind !== 'param' || !isPlainObject(resolved.value)) {
    out.problems.push({
      path: origin,
      needle: only!.text,
      message: `\`${only!.text}\` must name a mapping to merge`,
    });
    return undefined;
  }
  return {
    value: resolved.value,
    origin: resolved.origin,
    scope: { ...scope, params: undefined },
    substituted: true,
  };
}

function renderString(
  text: string,
  origin: FieldPath,
  at: FieldPath,
  scope: TemplateScope,
  substituted: boolean,
  out: Rendering,
): unknown {
  const { tokens, malformed } = scanTemplates(text);
  for (const bad of malformed) {
    out.problems.push({
      path: origin,
      needle: bad,
      message: `malformed template \`${bad}\`: expected {{ name }} or {{ name.key }}`,
    });
  }
  if (tokens.length === 0 || malformed.length > 0) return text;
  const only = tokens[0]!;
  if (tokens.some((t) => t.spread)) {
    const spread = tokens.find((t) => t.spread)!;
    out.problems.push({
      path: origin,
      needle: spread.text,
      message: `\`${spread.text}\` may only be a whole list item`,
    });
    return text;
  }

  if (tokens.length === 1 && only.text === text) {
    const resolved = resolve(only.expression, origin, only.text, scope, out);
    if (resolved === undefined) return text;
    if (resolved.kind === 'text') return resolved.value;
    return renderNode(resolved.value, resolved.origin, at, { ...scope, params: undefined }, true, out);
  }

  let result = '';
  let from = 0;
  for (const token of tokens) {
    result += text.slice(from, token.start);
    from = token.start + token.text.length;
    const resolved = resolve(token.expression, origin, token.text, scope, out);
    if (resolved === undefined) continue;
    const value =
      resolved.kind === 'text'
        ? resolved.value
        : renderNode(resolved.value, resolved.origin, at, { ...scope, params: undefined }, true, out);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      result += String(value);
    } else {
      out.problems.push({
        path: origin,
        needle: token.text,
        message: `\`${token.text}\` is ${Array.isArray(value) ? 'a list' : value === null ? 'null' : 'a mapping'}; only a whole value can take it`,
      });
    }
  }
  out.origins.set(pathKey(at), { path: origin, substituted });
  return result + text.slice(from);
}

function resolve(
  expression: string,
  origin: FieldPath,
  needle: string,
  scope: TemplateScope,
  out: Rendering,
): Resolved | undefined {
  const problem = (message: string) => {
    out.problems.push({ path: origin, needle, message });
    return undefined;
  };
  const [root, ...rest] = expression.split('.');
  switch (root) {
    case 'service':
    case 'namespace':
      if (rest.length > 0) return problem(`\`${root}\` is a string; it has no key \`${rest[0]}\``);
      return { kind: 'text', value: scope[root] };
    case 'images': {
      const imageNames = Object.keys(scope.images);
      if (rest.length !== 1) return problem('expected {{ images.<name> }}');
      const image = rest[0]!;
      if (!Object.hasOwn(scope.images, image)) {
        return problem(
          `unknown image \`${image}\`${didYouMean(image, imageNames)} (the image set has: ${imageNames.join(', ') || 'none'})`,
        );
      }
      out.images.add(image);
      return { kind: 'text', value: scope.images[image]! };
    }
    case 'params': {
      if (scope.params === undefined) {
        return problem(
          'a parameter value cannot use `params` (parameters are not templated with each other)',
        );
      }
      const [param, ...keys] = rest;
      if (param === undefined) return problem('expected {{ params.<name> }}');
      if (!Object.hasOwn(scope.params, param)) {
        const known = Object.keys(scope.params);
        return problem(
          `unknown parameter \`${param}\`${didYouMean(param, known)} (declared: ${known.join(', ') || 'none'})`,
        );
      }
      let { value, origin: at } = scope.params[param]!;
      for (const key of keys) {
        if (!isPlainObject(value) || !Object.hasOwn(value, key)) {
          const known = isPlainObject(value) ? Object.keys(value) : [];
          return problem(
            `\`${[param, ...keys].join('.')}\`: no key \`${key}\`${didYouMean(key, known)} at this point`,
          );
        }
        value = value[key];
        at = [...at, key];
      }
      return { kind: 'param', value, origin: at };
    }
    default:
      return problem(
        `unknown template variable \`${root}\`${didYouMean(root!, roots)} (known: ${roots.join(', ')})`,
      );
  }
}
