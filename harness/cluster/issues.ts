import type { z } from 'zod';

/** `nodes[0].extraPortMappings[1].hostPort`: a zod issue path as a reader would write it. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** One `path: message` line per issue. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path) || '(root)'}: ${issue.message}`);
}
