import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { localRegistryDefaults } from '../config/images.ts';
import type { CommandRunner } from './command.ts';
import { runLabels } from './labels.ts';
import type { RunScope } from './run-scope.ts';

export interface LocalRegistryOptions {
  /** `registry:3` by default (config/images.ts `registryImage(env)` reads KPC_REGISTRY_IMAGE). */
  image?: string;
  /** Container name, also the host name nodes reach it by on the kind network. */
  name?: string;
  /** Host port on 127.0.0.1 (default 5001); 0 picks a free one. */
  hostPort?: number;
  runId: string;
  /** Removes the registry when the run ends; it is keepable, since kept clusters pull from it. */
  scope?: RunScope;
  startupTimeoutMs?: number;
}

export interface LocalRegistry {
  /** Container name, e.g. kpc-registry. */
  name: string;
  /** `localhost:<port>`: where Docker here pushes and, through hosts.toml, where nodes pull. */
  host: string;
  /** Where nodes really fetch from, on the kind network: `http://<name>:5000`. */
  endpoint: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
}

/** Binds the registry to 127.0.0.1 as the kind recipe does; testcontainers would bind every interface. */
class LoopbackRegistryContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const binding of bindings) binding.HostIp = '127.0.0.1';
    }
  }
}

/** Step 1 of the kind local-registry recipe (ecosystem.md §6.4), with testcontainers. */
export async function startLocalRegistry(options: LocalRegistryOptions): Promise<LocalRegistry> {
  const name = options.name ?? localRegistryDefaults.name;
  const port = localRegistryDefaults.containerPort;
  const hostPort = options.hostPort ?? localRegistryDefaults.hostPort;
  const container = await new LoopbackRegistryContainer(options.image ?? localRegistryDefaults.image)
    .withName(name)
    .withLabels(runLabels(options.runId, 'registry'))
    .withExposedPorts(hostPort === 0 ? port : { container: port, host: hostPort })
    .withWaitStrategy(Wait.forHttp('/v2/', port).forStatusCode(200))
    .withStartupTimeout(options.startupTimeoutMs ?? 60_000)
    .start();
  const stop = async () => {
    await container.stop({ remove: true, removeVolumes: true });
  };
  options.scope?.defer(`registry container ${name}`, stop, { keepable: true });
  return {
    name,
    host: `localhost:${container.getMappedPort(port)}`,
    endpoint: `http://${name}:${port}`,
    container,
    stop,
  };
}

/** The KEP-1755 ConfigMap telling tools where the cluster's local registry is (recipe step 5). */
export interface LocalRegistryHostingConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: 'local-registry-hosting'; namespace: 'kube-public' };
  data: { 'localRegistryHosting.v1': string };
}

export function localRegistryHosting(host: string): LocalRegistryHostingConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
    data: {
      'localRegistryHosting.v1': `host: "${host}"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n`,
    },
  };
}

export interface ConnectRegistryOptions {
  runner: CommandRunner;
  cluster: string;
  /** The Docker network kind puts its nodes on (`kind`). */
  network?: string;
  kind?: string;
  docker?: string;
  signal?: AbortSignal;
}

/**
 * Steps 3–4 of the recipe: on every node, a containerd `certs.d/<host>/hosts.toml` aliasing
 * `localhost:<port>` to the registry container, then the registry joins the kind network. Returns the
 * ConfigMap of step 5 for the caller to apply through the kube layer.
 */
export async function connectRegistryToKind(
  registry: Pick<LocalRegistry, 'name' | 'host' | 'endpoint'>,
  options: ConnectRegistryOptions,
): Promise<LocalRegistryHostingConfigMap> {
  const { runner, signal } = options;
  const docker = options.docker ?? 'docker';
  const network = options.network ?? 'kind';
  const nodes = (
    await runner.run(options.kind ?? 'kind', ['get', 'nodes', '--name', options.cluster], { signal })
  ).stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (nodes.length === 0) throw new Error(`kind cluster ${options.cluster} has no nodes`);
  const dir = `/etc/containerd/certs.d/${registry.host}`;
  for (const node of nodes) {
    await runner.run(docker, ['exec', node, 'mkdir', '-p', dir], { signal });
    await runner.run(docker, ['exec', '-i', node, 'cp', '/dev/stdin', `${dir}/hosts.toml`], {
      input: `[host."${registry.endpoint}"]\n`,
      signal,
    });
  }
  const joined = await runner.run(
    docker,
    // `index` rather than `.Networks.kind`: network names may contain dashes.
    ['inspect', `--format={{json (index .NetworkSettings.Networks "${network}")}}`, registry.name],
    { signal },
  );
  if (joined.stdout.trim() === 'null')
    await runner.run(docker, ['network', 'connect', network, registry.name], { signal });
  return localRegistryHosting(registry.host);
}
