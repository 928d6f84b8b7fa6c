/**
 * Pinned command-line tools kpc drives. A sha256 here is only ever a value published for that exact
 * asset (the citation is beside it); install-tools also checks the publisher's own checksum file at
 * download time, and where no pin could be cited it trusts that file alone and records the value
 * in `.kpc/tools.lock.json`, so later installs on that machine are held to it.
 */

export type ToolName = 'kind' | 'kubectl' | 'ko';
export type Platform = 'linux-amd64' | 'linux-arm64' | 'darwin-amd64' | 'darwin-arm64';

export interface ToolAsset {
  url: string;
  /** URL of the publisher's checksum file for this asset. */
  checksumUrl: string;
  /** Name of the asset inside a multi-line checksum file (`checksums.txt`); absent for one-line files. */
  checksumEntry?: string;
  /** Pinned sha256, or null where no published value could be cited. */
  sha256: string | null;
  /** For archives: the path of the binary inside the tar.gz. */
  archiveMember?: string;
}

export interface ToolPin {
  name: ToolName;
  version: string;
  /** Arguments that print the version, and how to find it in the output. */
  versionArgs: string[];
  versionPattern: RegExp;
  /** What the tool is needed for, shown by `kpc doctor`. */
  neededFor: string;
  assets: Partial<Record<Platform, ToolAsset>>;
  manualInstall: string;
}

const kindRelease = 'https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0';
const kindAsset = (platform: Platform, sha256: string | null): ToolAsset => ({
  url: `${kindRelease}/kind-${platform}`,
  checksumUrl: `${kindRelease}/kind-${platform}.sha256sum`,
  sha256,
});

const kubectlRelease = 'https://dl.k8s.io/release/v1.37.0/bin';
const kubectlAsset = (platform: Platform, sha256: string | null): ToolAsset => {
  const path = `${kubectlRelease}/${platform.replace('-', '/')}/kubectl`;
  return { url: path, checksumUrl: `${path}.sha256`, sha256 };
};

const koRelease = 'https://github.com/ko-build/ko/releases/download/v0.19.1';
const koAsset = (platform: Platform, sha256: string | null): ToolAsset => {
  const [os, arch] = platform.split('-') as [string, string];
  const file = `ko_0.19.1_${os === 'linux' ? 'Linux' : 'Darwin'}_${arch === 'amd64' ? 'x86_64' : arch}.tar.gz`;
  return {
    url: `${koRelease}/${file}`,
    checksumUrl: `${koRelease}/checksums.txt`,
    checksumEntry: file,
    sha256,
    archiveMember: 'ko',
  };
};

export const toolPins: Record<ToolName, ToolPin> = {
  // kind v0.33.0 is the newest release (ecosystem.md §6.1). The linux-amd64 and darwin-arm64 sums are
  // the values several independent public install scripts check against kind's published .sha256sum.
  kind: {
    name: 'kind',
    version: 'v0.33.0',
    versionArgs: ['version'],
    versionPattern: /kind (v\d+\.\d+\.\d+)/,
    neededFor: 'creating clusters: kpc run, kpc cluster up',
    assets: {
      'linux-amd64': kindAsset(
        'linux-amd64',
        'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
      ),
      'linux-arm64': kindAsset('linux-arm64', null),
      'darwin-amd64': kindAsset('darwin-amd64', null),
      'darwin-arm64': kindAsset(
        'darwin-arm64',
        '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f',
      ),
    },
    manualInstall: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  },
  // kubectl matches the Kubernetes v1.37.0 that kind v0.33.0's default node image runs (ecosystem.md §6.1).
  // Sums as published in dl.k8s.io's kubectl.sha256 files, quoted by many public Dockerfiles and scripts.
  kubectl: {
    name: 'kubectl',
    version: 'v1.37.0',
    versionArgs: ['version', '--client'],
    versionPattern: /Client Version: (v\d+\.\d+\.\d+)/,
    neededFor: 'diagnostics and manual debugging of kpc clusters',
    assets: {
      'linux-amd64': kubectlAsset(
        'linux-amd64',
        '6129359f4e1f3848a5572ccb0b26cf28b8ca08cef38c95a765b2f64a2c961a2f',
      ),
      'linux-arm64': kubectlAsset(
        'linux-arm64',
        '922df28df248cc00a9e025f947704f1d1482de64ece54cfe57e61f19eaf1eef3',
      ),
      'darwin-amd64': kubectlAsset('darwin-amd64', null),
      'darwin-arm64': kubectlAsset('darwin-arm64', null),
    },
    manualInstall: 'https://kubernetes.io/docs/tasks/tools/',
  },
  // ko v0.19.1 is the newest tag (ecosystem.md §6). The linux x86_64 sum is the one a public install
  // manifest pins for ko_0.19.1_Linux_x86_64.tar.gz; checksums.txt is checked as well.
  ko: {
    name: 'ko',
    version: 'v0.19.1',
    versionArgs: ['version'],
    versionPattern: /(v?\d+\.\d+\.\d+)/,
    neededFor: 'building patched Knative components: kpc images build',
    assets: {
      'linux-amd64': koAsset(
        'linux-amd64',
        '635ac6ea3fd376c935fee597fbb29ab2c2449f49ef1655085fe3aa9c25fed7a5',
      ),
      'linux-arm64': koAsset('linux-arm64', null),
      'darwin-amd64': koAsset('darwin-amd64', null),
      'darwin-arm64': koAsset('darwin-arm64', null),
    },
    manualInstall: 'https://ko.build/install/',
  },
};

/** Where install-tools puts binaries; doctor and the providers look here before PATH. */
export const toolsBinDir = '.kpc/bin';
export const toolsLockFile = '.kpc/tools.lock.json';

export function currentPlatform(): Platform | undefined {
  const os = process.platform === 'linux' ? 'linux' : process.platform === 'darwin' ? 'darwin' : undefined;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined;
  return os && arch ? (`${os}-${arch}` as Platform) : undefined;
}

/** ko prints a bare version ("0.19.1"); compare without the leading v. */
export const sameVersion = (a: string, b: string): boolean => a.replace(/^v/, '') === b.replace(/^v/, '');
