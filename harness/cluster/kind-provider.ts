import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { CommandCanceled, type CommandRunner } from './command.ts';
import { type ClusterSpec, type KindClusterPlan, planKindCluster } from './kind-config.ts';
import {
  ClusterCreateError,
  type ClusterInfo,
  ClusterOwnershipError,
  type ClusterProvider,
  type CreateOptions,
  type DestroyResult,
  type ExportLogsResult,
  type KubeconfigRef,
  type LoadedImages,
} from './provider.ts';
import { type ClusterRecord, ClusterRecords } from './records.ts';
import type { RunScope } from './run-scope.ts';

export interface KindProviderOptions {
  runner: CommandRunner;
  /** Where cluster records, kubeconfigs and generated configs live: `<cwd>/.kpc/clusters`. */
  stateDir: string;
  /** Where node logs go when creation fails: `<logsDir>/<name>-create-failed`. */
  logsDir: string;
  /** The run this provider works for; clusters it creates are recorded with it. */
  runId: string;
  /** Registers deletion of clusters this run creates (kept with `--keep`). */
  scope?: RunScope;
  kind?: string;
  docker?: string;
  /** `kind create cluster --wait` (ecosystem.md §6.3: needs a unit). */
  wait?: string;
  now?: () => Date;
}

export class KindProvider implements ClusterProvider {
  readonly type = 'kind';
  readonly records: ClusterRecords;
  private readonly runner: CommandRunner;
  private readonly kind: string;
  private readonly docker: string;

  constructor(private readonly options: KindProviderOptions) {
    this.runner = options.runner;
    this.records = new ClusterRecords(options.stateDir);
    this.kind = options.kind ?? 'kind';
    this.docker = options.docker ?? 'docker';
  }

  /**
   * Creates the cluster of a spec, or reuses the one kpc made earlier when its recorded config hash
   * matches. A cluster of that name that kpc cannot prove it created is an error, never reused.
   */
  async create(spec: ClusterSpec, options: CreateOptions = {}): Promise<ClusterInfo> {
    const plan = planKindCluster(spec);
    const { name } = plan;
    const record = await this.records.read(name);
    if (await this.exists(name)) {
      const proof = await this.ownership(name, record);
      if (!proof.owned) throw new ClusterOwnershipError(name, proof.why);
      const reusable = (options.reuse ?? true) && record?.configHash === plan.configHash;
      if (reusable) return this.reuse(plan, record!);
      const why =
        options.reuse === false
          ? 'reuse is off'
          : `its config changed (hash ${record!.configHash.slice(0, 12)} → ${plan.configHash.slice(0, 12)})`;
      await this.deleteOwned(name);
      return this.createNew(plan, options, `re-created kind cluster ${name}: ${why}`);
    }
    if (record) await this.records.remove(name); // the cluster is gone; its record is stale
    return this.createNew(plan, options, `created kind cluster ${name}`);
  }

  async kubeconfig(name: string): Promise<KubeconfigRef> {
    const path = this.records.kubeconfigPath(name);
    const { stdout } = await this.runner.run(this.kind, ['get', 'kubeconfig', '--name', name]);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, stdout, { mode: 0o600 });
    await chmod(path, 0o600);
    return { path, context: `kind-${name}` };
  }

  async loadImages(
    name: string,
    images: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<LoadedImages> {
    if (images.length === 0) return {};
    await this.runner.run(this.kind, ['load', 'docker-image', ...images, '--name', name], {
      signal: options.signal,
    });
    return Object.fromEntries(images.map((image) => [image, image]));
  }

  async exportLogs(name: string, dir: string): Promise<ExportLogsResult> {
    if (!(await this.exists(name))) return { exported: false, reason: `no kind cluster named ${name}` };
    await this.runner.run(this.kind, ['export', 'logs', dir, '--name', name]);
    return { exported: true, dir };
  }

  /** Deletes a cluster kpc created; refuses any other. A cluster that is already gone is not an error. */
  destroy(name: string): Promise<DestroyResult> {
    return this.destroyAs(name, this.options.runId);
  }

  /** Deletes the clusters a run created (cleanup after a crash); returns their names. */
  async destroyCreatedBy(runId: string): Promise<string[]> {
    const deleted: string[] = [];
    for (const record of await this.records.list()) {
      if (record.runId !== runId) continue;
      const result = await this.destroyAs(record.name, runId);
      if (result.deleted) deleted.push(record.name);
    }
    return deleted;
  }

  /** Every cluster kpc has a record of, and whether it still exists and is still the one recorded. */
  async list(): Promise<{ record: ClusterRecord; present: boolean; owned: boolean }[]> {
    const records = await this.records.list();
    // Without records there is nothing to ask kind about (and kind need not be installed).
    if (!records.length) return [];
    const present = new Set(await this.clusterNames());
    return Promise.all(
      records.map(async (record) => ({
        record,
        present: present.has(record.name),
        owned: present.has(record.name) && (await this.ownership(record.name, record)).owned,
      })),
    );
  }

  private async createNew(plan: KindClusterPlan, options: CreateOptions, note: string): Promise<ClusterInfo> {
    const { scope } = this.options;
    scope?.throwIfStopping();
    const { name } = plan;
    const configPath = this.records.configPath(name);
    const kubeconfigPath = this.records.kubeconfigPath(name);
    await mkdir(this.records.dir, { recursive: true });
    await writeFile(configPath, stringify(plan.config));
    // Written before kind runs, so an interrupted create can still be cleaned up as ours.
    const record: ClusterRecord = {
      version: 1,
      name,
      provider: 'kind',
      runId: this.options.runId,
      configHash: plan.configHash,
      nodeImage: plan.nodeImage,
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      status: 'creating',
      kubeconfigPath,
    };
    await this.records.write(record);
    scope?.defer(
      `kind cluster ${name}`,
      async () => {
        await this.destroy(name);
      },
      { keepable: true },
    );
    try {
      await this.runner.run(
        this.kind,
        // --retain keeps the nodes of a failed create so their logs can be exported before deletion.
        [
          ...['create', 'cluster', '--name', name, '--config', configPath],
          ...['--wait', this.options.wait ?? '5m', '--kubeconfig', kubeconfigPath, '--retain'],
        ],
        { signal: options.signal ?? scope?.signal, onOutput: options.onOutput },
      );
    } catch (error) {
      const canceled = error instanceof CommandCanceled;
      // Interrupted: the scope's cleanup, already under way, deletes the half-made cluster.
      if (canceled && scope) throw error;
      throw new ClusterCreateError(name, error, await this.salvageFailedCreate(name, !canceled));
    }
    record.controlPlaneContainerId = await this.controlPlaneId(name);
    record.status = 'ready';
    await this.records.write(record);
    await chmod(kubeconfigPath, 0o600);
    return this.info(plan, { created: true, reused: false, note, kubeconfigPath });
  }

  private async reuse(plan: KindClusterPlan, record: ClusterRecord): Promise<ClusterInfo> {
    const { path } = await this.kubeconfig(plan.name);
    const note = `reused kind cluster ${plan.name} (created ${record.createdAt}, same config)`;
    return this.info(plan, { created: false, reused: true, note, kubeconfigPath: path });
  }

  private async info(
    plan: KindClusterPlan,
    outcome: Pick<ClusterInfo, 'created' | 'reused' | 'note' | 'kubeconfigPath'>,
  ): Promise<ClusterInfo> {
    const mapping = plan.config.nodes?.[0]?.extraPortMappings?.[0];
    const address = mapping ? await this.hostAddress(plan.name, mapping.containerPort) : undefined;
    return {
      name: plan.name,
      provider: 'kind',
      context: plan.context,
      configHash: plan.configHash,
      nodeImage: plan.nodeImage,
      ...outcome,
      ...(mapping && address ? { ingress: { nodePort: mapping.containerPort, address } } : {}),
    };
  }

  /** Node logs of a failed create, then the half-made cluster is deleted (it is this run's). */
  private async salvageFailedCreate(name: string, withLogs: boolean): Promise<string | undefined> {
    const dir = join(this.options.logsDir, `${name}-create-failed`);
    let exported: string | undefined;
    try {
      const result = withLogs ? await this.exportLogs(name, dir) : undefined;
      exported = result?.exported ? result.dir : undefined;
    } catch {
      // The create error is the one worth reporting; missing logs are mentioned by their absence.
    }
    await this.runner.run(this.kind, ['delete', 'cluster', '--name', name], { reject: false });
    await this.records.remove(name);
    return exported;
  }

  private async destroyAs(name: string, runId: string): Promise<DestroyResult> {
    const record = await this.records.read(name);
    if (!(await this.exists(name))) {
      await this.records.remove(name);
      return { deleted: false, note: `no kind cluster named ${name}` };
    }
    const proof = await this.ownership(name, record, runId);
    if (!proof.owned) throw new ClusterOwnershipError(name, proof.why);
    await this.deleteOwned(name);
    return { deleted: true, note: `deleted kind cluster ${name}` };
  }

  private async deleteOwned(name: string): Promise<void> {
    await this.runner.run(this.kind, ['delete', 'cluster', '--name', name]);
    await this.records.remove(name);
  }

  /**
   * A cluster is kpc's when its record names the running control-plane container, or, while that id
   * is not yet known (create in progress or interrupted), when the record is of the asking run.
   */
  private async ownership(
    name: string,
    record: ClusterRecord | undefined,
    runId = this.options.runId,
  ): Promise<{ owned: true } | { owned: false; why: string }> {
    if (!record) return { owned: false, why: `no record ${this.records.recordPath(name)}` };
    if (record.status === 'creating') {
      return record.runId === runId
        ? { owned: true }
        : { owned: false, why: `its record is from an unfinished create by run ${record.runId}` };
    }
    const current = await this.controlPlaneId(name);
    return current === record.controlPlaneContainerId
      ? { owned: true }
      : { owned: false, why: `its control-plane container is not the one kpc recorded at creation` };
  }

  private async exists(name: string): Promise<boolean> {
    return (await this.clusterNames()).includes(name);
  }

  private async clusterNames(): Promise<string[]> {
    // "No kind clusters found." goes to stderr, so stdout holds names only.
    const { stdout } = await this.runner.run(this.kind, ['get', 'clusters']);
    return stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }

  private async controlPlaneId(name: string): Promise<string | undefined> {
    const result = await this.runner.run(
      this.docker,
      ['inspect', '--format', '{{.Id}}', `${name}-control-plane`],
      {
        reject: false,
      },
    );
    return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
  }

  /** `docker port` of the control-plane node: where kind bound a mapped container port on the host. */
  private async hostAddress(name: string, containerPort: number): Promise<string | undefined> {
    const result = await this.runner.run(
      this.docker,
      ['port', `${name}-control-plane`, `${containerPort}/tcp`],
      {
        reject: false,
      },
    );
    return result.exitCode === 0 ? result.stdout.trim().split('\n')[0] || undefined : undefined;
  }
}
