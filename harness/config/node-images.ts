/**
 * kind node images, pinned by digest per Kubernetes minor. A node image is supported only with the
 * kind release it was built for, and a tag alone is not enough (ecosystem.md §6.1), so each entry is
 * the image kind v0.33.0 publishes for that minor, with its digest, as listed in ecosystem.md §6.1.
 */

/** The kind release these images belong to; must equal the kind pin in tools.ts (a test checks it). */
export const kindVersion = 'v0.33.0';

export interface NodeImage {
  /** Kubernetes patch release the image runs. */
  kubernetes: string;
  /** `kindest/node:<version>@sha256:<digest>`, passed to kind as a node's `image`. */
  image: string;
}

export const nodeImages = {
  '1.37': {
    kubernetes: 'v1.37.0',
    image: 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
  },
  '1.36': {
    kubernetes: 'v1.36.4',
    image: 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  },
  '1.35': {
    kubernetes: 'v1.35.8',
    image: 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
  },
  '1.34': {
    kubernetes: 'v1.34.11',
    image: 'kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
  },
} as const satisfies Record<string, NodeImage>;

export type KubernetesMinor = keyof typeof nodeImages;

/** kind v0.33.0's own default node image is v1.37.0 (its release notes' Breaking Changes, ecosystem.md §6.1). */
export const defaultKubernetesMinor: KubernetesMinor = '1.37';

/** The node image for a minor given as `1.36`, `v1.36` or `v1.36.4` (the patch must then match the pin). */
export function nodeImageFor(version: string): NodeImage & { minor: KubernetesMinor } {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version.trim());
  const known = Object.keys(nodeImages).join(', ');
  if (!match) {
    throw new Error(
      `Kubernetes version "${version}" is not a minor like 1.36 (kind ${kindVersion} images: ${known})`,
    );
  }
  const minor = `${match[1]}.${match[2]}`;
  const pinned = (nodeImages as Record<string, NodeImage>)[minor];
  if (!pinned) {
    throw new Error(
      `no kind ${kindVersion} node image is pinned for Kubernetes ${minor}: known minors are ${known} (harness/config/node-images.ts)`,
    );
  }
  if (match[3] !== undefined && `v${minor}.${match[3]}` !== pinned.kubernetes) {
    throw new Error(
      `Kubernetes ${version} is not the pinned ${minor} node image (${pinned.kubernetes}); pass the minor ${minor} instead`,
    );
  }
  return { ...pinned, minor: minor as KubernetesMinor };
}
