/**
 * Located problems in scenario files. Every issue names the file, the 1-based line and column,
 * the field path and what was expected, so it reads like a compiler error:
 * `scenarios/x.yaml:12:5: steps[2].exec.container: expected string, got number`.
 */

/** A path into a YAML document: mapping keys and sequence indices. */
export type FieldPath = readonly (string | number)[];

export interface ScenarioIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: FieldPath;
  readonly message: string;
}

const plainKey = /^[A-Za-z_$][\w$-]*$/;

/** `steps[2].exec.container`; keys that are not identifiers are quoted: `annotations["a.b/c"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (plainKey.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function formatIssue(issue: ScenarioIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path.length > 0
    ? `${where}: ${formatPath(issue.path)}: ${issue.message}`
    : `${where}: ${issue.message}`;
}

/** Issues in file, line, column order, each reported once (matrix cases repeat the same problem). */
export function sortUnique(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  const unique: ScenarioIssue[] = [];
  for (const issue of issues) {
    const key = formatIssue(issue);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(issue);
  }
  return unique.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** How a value looks in a message: strings quoted, collections named by type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${String(value)}`;
}
