import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { knativeRelease, releaseManifests } from '../config/knative-releases.ts';
import { miniRelease } from './fixtures.ts';
import { loadReleaseManifests, ManifestChecksumError } from './manifests.ts';

describe('Knative release manifests', () => {
  let dir: string;
  const release = knativeRelease('v1.17.2');
  const files = miniRelease();
  const served = () =>
    new Map(
      releaseManifests(release).map((m, i) => [m.url, [files.crds, files.core, files.kourier][i] ?? '']),
    );
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-manifests-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const options = (texts: Map<string, string>, fetched: string[] = []) => ({
    cacheDir: join(dir, 'cache'),
    lockFile: join(dir, 'knative.lock.json'),
    fetchText: async (url: string) => {
      fetched.push(url);
      const text = texts.get(url);
      if (text === undefined) throw new Error(`cannot download ${url}`);
      return text;
    },
  });

  it('downloads the release files from their release URLs and records their sha256 on first use', async () => {
    const fetched: string[] = [];
    const loaded = await loadReleaseManifests(release, options(served(), fetched));
    expect(fetched).to.deep.equal([
      'https://github.com/knative/serving/releases/download/knative-v1.17.2/serving-crds.yaml',
      'https://github.com/knative/serving/releases/download/knative-v1.17.2/serving-core.yaml',
      'https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.17.0/kourier.yaml',
    ]);
    const lock = JSON.parse(await readFile(join(dir, 'knative.lock.json'), 'utf8'));
    expect(Object.values(lock.manifests)).to.deep.equal(loaded.map((m) => m.sha256));
    expect(loaded[1]?.objects.some((o) => o.kind === 'Deployment')).to.equal(true);
  });

  it('serves a second run from the cache without any download', async () => {
    await loadReleaseManifests(release, options(served()));
    const fetched: string[] = [];
    await loadReleaseManifests(release, options(new Map(), fetched));
    expect(fetched).to.deep.equal([]);
  });

  it('stops with a clear error when a download does not match the lockfile', async () => {
    await loadReleaseManifests(release, options(served()));
    await rm(join(dir, 'cache'), { recursive: true });
    const tampered = served();
    const core = releaseManifests(release)[1]!.url;
    tampered.set(core, `${files.core}# changed\n`);
    const error = await loadReleaseManifests(release, options(tampered)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ManifestChecksumError);
    expect((error as Error).message)
      .to.include(core)
      .and.include('Nothing was applied');
  });
});
