import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { issueLines } from './issues.ts';

/**
 * What kpc writes down when it creates a kind cluster, in `.kpc/clusters/<name>.json`. The record is
 * the proof of ownership: a cluster counts as kpc's only while the record's control-plane container id
 * is the id of the running node container, so a cluster someone deleted and re-created by hand under
 * the same name is never reused or deleted. The config hash in it decides reuse.
 */
export const clusterRecordSchema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    provider: z.literal('kind'),
    /** The run that created the cluster; cleanup of that run may delete it. */
    runId: z.string(),
    configHash: z.string().regex(/^[0-9a-f]{64}$/),
    nodeImage: z.string(),
    createdAt: z.string(),
    /** `creating` from just before `kind create` until its node container id is known. */
    status: z.enum(['creating', 'ready']),
    controlPlaneContainerId: z.string().optional(),
    kubeconfigPath: z.string(),
  })
  .strict();

export type ClusterRecord = z.infer<typeof clusterRecordSchema>;

export class ClusterRecords {
  constructor(readonly dir: string) {}

  recordPath(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  kubeconfigPath(name: string): string {
    return join(this.dir, `${name}.kubeconfig`);
  }

  configPath(name: string): string {
    return join(this.dir, `${name}.kind.yaml`);
  }

  async read(name: string): Promise<ClusterRecord | undefined> {
    const path = this.recordPath(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${path}: not JSON (${(error as Error).message}); remove it if the cluster is gone`);
    }
    const parsed = clusterRecordSchema.safeParse(json);
    if (!parsed.success)
      throw new Error(`${path}: not a kpc cluster record: ${issueLines(parsed.error).join('; ')}`);
    return parsed.data;
  }

  async write(record: ClusterRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.recordPath(record.name), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Forgets a cluster: its record and the kubeconfig kpc wrote for it. */
  async remove(name: string): Promise<void> {
    await rm(this.recordPath(name), { force: true });
    await rm(this.kubeconfigPath(name), { force: true });
    await rm(this.configPath(name), { force: true });
  }

  async list(): Promise<ClusterRecord[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names = files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
    const records = await Promise.all(names.sort().map((n) => this.read(n)));
    return records.filter((r): r is ClusterRecord => r !== undefined);
  }
}
