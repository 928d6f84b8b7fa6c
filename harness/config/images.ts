/**
 * Image names and locations kpc builds, loads and overrides: the Knative Serving components a
 * candidate replaces, the workload images under images/, and the local registry.
 */

/** Where an installed component's image is set (knative-facts.md §4 "Control-plane images"). */
export type ComponentTarget =
  | { kind: 'deployment'; namespace: 'knative-serving'; deployment: string; container: string }
  | {
      kind: 'queue-sidecar';
      namespace: 'knative-serving';
      configMap: 'config-deployment';
      key: 'queue-sidecar-image';
    };

export interface ServingComponent {
  /** Go import path `ko build` takes; in the release YAML it appears as `ko://<importPath>`. */
  importPath: string;
  target: ComponentTarget;
}

const deployment = (name: string): ComponentTarget => ({
  kind: 'deployment',
  namespace: 'knative-serving',
  deployment: name,
  container: name,
});

/**
 * The five components a variant may override. The four control-plane Deployments name their container
 * after themselves; queue-proxy is no Deployment but the `queue-sidecar-image` key of config-deployment
 * (knative-facts.md §4, same in knative-v1.17.2 and knative-v1.23.0).
 */
export const servingComponents = {
  controller: { importPath: 'knative.dev/serving/cmd/controller', target: deployment('controller') },
  webhook: { importPath: 'knative.dev/serving/cmd/webhook', target: deployment('webhook') },
  activator: { importPath: 'knative.dev/serving/cmd/activator', target: deployment('activator') },
  autoscaler: { importPath: 'knative.dev/serving/cmd/autoscaler', target: deployment('autoscaler') },
  'queue-proxy': {
    importPath: 'knative.dev/serving/cmd/queue',
    target: {
      kind: 'queue-sidecar',
      namespace: 'knative-serving',
      configMap: 'config-deployment',
      key: 'queue-sidecar-image',
    },
  },
} as const satisfies Record<string, ServingComponent>;

export type ComponentName = keyof typeof servingComponents;
export const componentNames = Object.keys(servingComponents) as ComponentName[];

/**
 * ko's kind publisher: `KO_DOCKER_REPO=kind.local` side-loads into the nodes of `KIND_CLUSTER_NAME`
 * (ecosystem.md §6.5). `kind.local` is also in Knative's default `registries-skipping-tag-resolving`
 * (knative-facts.md §4 config-deployment), so the queue-proxy image is never looked up in a registry.
 */
export const koKindRepo = 'kind.local';

/**
 * Workload images are named under `dev.local`: Knative resolves a container image tag to a digest by
 * asking its registry unless the registry is in `registries-skipping-tag-resolving`, whose default is
 * `kind.local,ko.local,dev.local` (knative-facts.md §4). An image side-loaded with `kind load` exists in
 * no registry, so any other name would fail tag resolution.
 */
export const workloadRepository = 'dev.local/kpc';

/**
 * Public workload images, pinned by digest, for clusters that pull instead of having images/ built and
 * loaded (`kpc run --public-images`). BusyBox's official musl image is built with `make defconfig` plus
 * a static link (docker-library/busybox `latest-1/musl/Dockerfile.builder`), so it has every applet the
 * scenarios use (`sh`, `test`, `touch`, `rm`, `sleep`, `httpd`) and a world-writable /tmp (buildroot's
 * device table). The digest is the multi-arch OCI index docker-library/repo-info lists for
 * `busybox:1.37.0-musl` (`repos/busybox/remote/1.37.0-musl.md` at commit acdd5a4d4c31): one reference
 * for amd64 and arm64 hosts alike.
 */
export const publicWorkloadImages: Readonly<Record<string, string>> = {
  workload:
    'docker.io/library/busybox@sha256:fc6dddc4c44b1bfe37f41cae8e67d1693828e8f42a91862816d7953e2c9d3f23',
};

/** Folder of workload Dockerfiles, one image per sub-folder (relative to the repository root). */
export const workloadImagesDir = 'images';

/** The local registry of the kind recipe (ecosystem.md §6.4): `registry:3`, host port 5001. */
export const localRegistryDefaults = {
  image: 'registry:3',
  name: 'kpc-registry',
  hostPort: 5001,
  containerPort: 5000,
} as const;

/** Overrides the registry image, e.g. with a locally built or mirrored one where Docker Hub is out of reach. */
export const registryImageEnv = 'KPC_REGISTRY_IMAGE';

export function registryImage(env: NodeJS.ProcessEnv): string {
  return env[registryImageEnv]?.trim() || localRegistryDefaults.image;
}
