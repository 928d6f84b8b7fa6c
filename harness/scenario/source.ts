/**
 * YAML text → a plain value, remembering where every node came from so that any later problem
 * (schema, template, cross-reference) can be reported at its line and column. One scenario per
 * file: several documents, syntax errors, duplicate keys, unknown tags and alias bombs are all
 * located errors, never exceptions.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import type { FieldPath, ScenarioIssue } from './issues.ts';

/** Offsets into the text: where a mapping entry's key and its value start and end. */
interface Span {
  readonly key?: readonly [number, number];
  readonly value: readonly [number, number];
}

export interface LocateOptions {
  /** Point at the mapping key rather than its value (unknown keys). */
  readonly key?: boolean;
  /** Point at this text inside the value when it occurs there (a template inside a string). */
  readonly needle?: string;
}

export interface YamlSource {
  readonly file: string;
  readonly text: string;
  /** JSON-like: objects, arrays, strings, numbers, booleans and null only. */
  readonly value: unknown;
  /** Line and column (1-based) of the deepest recorded node on `path`. */
  locate(path: FieldPath, options?: LocateOptions): { line: number; column: number };
  /** An issue at `path`. */
  issue(path: FieldPath, message: string, options?: LocateOptions): ScenarioIssue;
}

export type SourceResult = { ok: true; source: YamlSource } | { ok: false; issues: ScenarioIssue[] };

/** Beyond these, a document is an attack or a mistake, not a scenario. */
const maxNodes = 100_000;
const maxDepth = 100;

class ConversionError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const pathKey = (path: FieldPath): string => JSON.stringify(path);

export function parseYamlSource(text: string, file: string): SourceResult {
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const issueAt = (offset: number, message: string, path: FieldPath = []): ScenarioIssue => ({
    file,
    ...at(offset),
    path,
    message,
  });

  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [];
  const first = list[0];
  if (first === undefined || first.contents === null) {
    return { ok: false, issues: [issueAt(0, 'empty document: expected a scenario (a YAML mapping)')] };
  }
  const issues: ScenarioIssue[] = [
    ...first.errors.map((e) => issueAt(e.pos[0], yamlMessage(e.message, e.code))),
    ...first.warnings.map((w) => issueAt(w.pos[0], yamlMessage(w.message, w.code))),
  ];
  const second = list[1];
  if (second !== undefined) {
    issues.push(issueAt(second.range[0], 'one scenario per file: a second YAML document starts here'));
  }
  if (issues.length > 0) return { ok: false, issues };

  const spans = new Map<string, Span>();
  let value: unknown;
  try {
    value = convert(first, first.contents, [], spans);
  } catch (error) {
    if (error instanceof ConversionError)
      return { ok: false, issues: [issueAt(error.offset, error.message)] };
    throw error;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, issues: [issueAt(first.contents.range[0], 'expected a scenario (a YAML mapping)')] };
  }

  const locate = (path: FieldPath, options: LocateOptions = {}) => {
    for (let n = path.length; n >= 0; n--) {
      const span = spans.get(pathKey(path.slice(0, n)));
      if (span === undefined) continue;
      const range = options.key && n === path.length && span.key ? span.key : span.value;
      const found =
        options.needle === undefined ? -1 : text.slice(range[0], range[1]).indexOf(options.needle);
      return at(range[0] + Math.max(0, found));
    }
    return at(0);
  };
  const source: YamlSource = {
    file,
    text,
    value,
    locate,
    issue: (path, message, options) => ({ file, ...locate(path, options), path, message }),
  };
  return { ok: true, source };
}

/** The yaml package's messages, without its caret drawings, and a plain word for the common ones. */
function yamlMessage(message: string, code: string): string {
  const firstLine = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return code === 'DUPLICATE_KEY' ? 'duplicate key: each key may appear once in a mapping' : firstLine;
}

function convert(
  document: Document.Parsed,
  root: Node,
  rootPath: FieldPath,
  spans: Map<string, Span>,
): unknown {
  let nodes = 0;
  const active = new Set<Node>();

  const walk = (
    node: unknown,
    path: FieldPath,
    fallbackOffset: number,
    keyRange?: [number, number],
  ): unknown => {
    if (++nodes > maxNodes)
      throw new ConversionError(fallbackOffset, `document too large (over ${maxNodes} nodes)`);
    if (path.length > maxDepth)
      throw new ConversionError(fallbackOffset, `nested deeper than ${maxDepth} levels`);
    if (node === null || node === undefined) {
      spans.set(pathKey(path), {
        value: [fallbackOffset, fallbackOffset],
        ...(keyRange && { key: keyRange }),
      });
      return null;
    }
    const range = (node as Node).range;
    const start = range?.[0] ?? fallbackOffset;
    const end = range?.[1] ?? start;
    spans.set(pathKey(path), { value: [start, end], ...(keyRange && { key: keyRange }) });

    if (isAlias(node)) {
      const target = node.resolve(document);
      if (target === undefined) throw new ConversionError(start, `unknown alias *${node.source}`);
      if (active.has(target)) throw new ConversionError(start, `alias *${node.source} refers to itself`);
      active.add(target);
      try {
        return walk(target, path, start, keyRange);
      } finally {
        active.delete(target);
      }
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'number') return v;
      throw new ConversionError(start, `unsupported YAML value${node.tag ? ` (tag ${node.tag})` : ''}`);
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyStart = keyNode?.range?.[0] ?? start;
        if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
          throw new ConversionError(keyStart, 'mapping keys must be plain strings');
        }
        const key = String(keyNode.value);
        // Never a legitimate key here, and JavaScript objects treat it specially.
        if (key === '__proto__') throw new ConversionError(keyStart, '`__proto__` cannot be a key');
        const keyEnd = keyNode.range?.[1] ?? keyStart;
        const valueOffset = keyNode.range?.[2] ?? keyEnd;
        const child = walk(pair.value, [...path, key], valueOffset, [keyStart, keyEnd]);
        out[key] = child;
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, index) => walk(item, [...path, index], end));
    }
    throw new ConversionError(start, 'unsupported YAML node');
  };
  return walk(root, rootPath, 0);
}
