/**
 * Knative releases kpc installs. A Serving release is paired with the net-kourier release of the same
 * minor (net-kourier tags checked in knative-extensions/net-kourier: knative-v1.17.0, -v1.18.0, -v1.23.0).
 * Manifest sha256 sums are not pinned here: none is published, so `kpc lock` records them on the first
 * download into the lockfile and every later install is held to it.
 */

export interface KnativeRelease {
  /** Serving tag without the `knative-` prefix, e.g. v1.17.2. */
  serving: string;
  /** net-kourier tag of the same minor. */
  kourier: string;
  /** Why this release is in the set (shown in plans and reports). */
  role: string;
}

export const knativeReleases = {
  // knative-facts.md §0: the latest 1.17 tag; lacks the sidecar exec readiness fix (c7f03afb49).
  'v1.17.2': {
    serving: 'v1.17.2',
    kourier: 'v1.17.0',
    role: 'last release without the sidecar exec-probe fix',
  },
  // knative-facts.md §0: the first release with the fix.
  'v1.18.0': {
    serving: 'v1.18.0',
    kourier: 'v1.18.0',
    role: 'first release with the sidecar exec-probe fix',
  },
  // knative-facts.md §0: the newest tag.
  'v1.23.0': { serving: 'v1.23.0', kourier: 'v1.23.0', role: 'newest release' },
} as const satisfies Record<string, KnativeRelease>;

export type KnativeVersion = keyof typeof knativeReleases;

/** The default variants of the design: baseline without the fix, candidate the first release with it. */
export const defaultVariantReleases = { baseline: 'v1.17.2', candidate: 'v1.18.0' } as const satisfies Record<
  string,
  KnativeVersion
>;

export interface ManifestSource {
  /** File name in the release, also the cache and lockfile key. */
  file: 'serving-crds.yaml' | 'serving-core.yaml' | 'kourier.yaml';
  url: string;
}

/** The release files, in the order they are applied. */
export function releaseManifests(release: KnativeRelease): ManifestSource[] {
  const serving = `https://github.com/knative/serving/releases/download/knative-${release.serving}`;
  const kourier = `https://github.com/knative-extensions/net-kourier/releases/download/knative-${release.kourier}`;
  return [
    { file: 'serving-crds.yaml', url: `${serving}/serving-crds.yaml` },
    { file: 'serving-core.yaml', url: `${serving}/serving-core.yaml` },
    { file: 'kourier.yaml', url: `${kourier}/kourier.yaml` },
  ];
}

/** The version as one kpc knows, or an error listing the ones it does. */
export function knativeVersion(version: string): KnativeVersion {
  if (!(version in knativeReleases)) {
    throw new Error(
      `unknown Knative release ${version}: kpc knows ${Object.keys(knativeReleases).join(', ')} (harness/config/knative-releases.ts)`,
    );
  }
  return version as KnativeVersion;
}

export const knativeRelease = (version: string): KnativeRelease => knativeReleases[knativeVersion(version)];
