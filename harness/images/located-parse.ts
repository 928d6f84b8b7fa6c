import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatIssuePath } from '../cluster/issues.ts';

/** A document that failed to parse or validate; each problem reads `file:line:col: path: message`. */
export class DocumentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n  ${problems.join('\n  ')}`);
    this.name = 'DocumentError';
  }
}

/**
 * Parses JSON (or YAML) text and validates it with a zod schema, reporting every problem at the line
 * and column of the offending value, or of its nearest parent that exists.
 */
export function parseLocated<T>(text: string, file: string, schema: z.ZodType<T>): T {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new DocumentError(
      file,
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message}`),
    );
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  throw new DocumentError(
    file,
    result.error.issues.map((issue) => {
      const where = locate(doc, lineCounter, issue.path);
      return `${file}:${where.line}:${where.col}: ${formatIssuePath(issue.path) || '(root)'}: ${issue.message}`;
    }),
  );
}

function locate(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}
