import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { catalogueFiles } from './load.ts';

/** The scenario files named (directories: their *.yaml), default the catalogue in scenarios/. */
export async function scenarioFiles(cwd: string, args: readonly string[]): Promise<string[]> {
  const targets = args.length > 0 ? args : ['scenarios'];
  const files: string[] = [];
  for (const target of targets) {
    const path = resolve(cwd, target);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new Error(`no such file or directory: ${target}`);
    files.push(...(info.isDirectory() ? await catalogueFiles(path) : [path]));
  }
  if (files.length === 0) throw new Error(`no scenario files in ${targets.join(', ')}`);
  return files;
}
