import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CaseResult } from './verdict.ts';

const attemptSchema = z
  .object({
    status: z.enum(['passed', 'failed', 'broken', 'skipped']),
    message: z.string().optional(),
    details: z.string().optional(),
    startedAt: z.string(),
    durationMs: z.number().nonnegative(),
    attachments: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const caseSchema = z
  .object({
    id: z.string().min(1),
    scenario: z.string(),
    title: z.string(),
    variant: z.string().min(1),
    level: z.enum(['MUST', 'SHOULD', 'MAY']),
    tags: z.array(z.string()),
    parameters: z.record(z.string(), z.string()),
    attempts: z.array(attemptSchema),
  })
  .strict();

/** `results.json`: every case verdict of a run, the source every report view is rendered from. */
export const resultsFileSchema = z.object({ version: z.literal(1), results: z.array(caseSchema) }).strict();

export const resultsFileName = 'results.json';

export async function writeResults(dir: string, results: CaseResult[]): Promise<string> {
  const path = join(dir, resultsFileName);
  await writeFile(path, `${JSON.stringify({ version: 1, results }, null, 2)}\n`);
  return path;
}

/** Reads a results directory (or a results.json itself); errors name the file and the field. */
export async function readResults(path: string): Promise<CaseResult[]> {
  const file = (await stat(path).catch(() => undefined))?.isDirectory() ? join(path, resultsFileName) : path;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      `${file}: cannot read results (${error.code ?? error.message}); expected a kpc results directory or ${resultsFileName}`,
    );
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = resultsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data.results as CaseResult[];
}
