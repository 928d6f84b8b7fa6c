import { resolve } from 'node:path';

/** Where release manifests are cached (per machine) and locked (committed with the repo). */
export function manifestStore(root: string) {
  return {
    cacheDir: resolve(root, '.kpc/cache/knative'),
    lockFile: resolve(root, 'harness/config/knative.lock.json'),
  };
}
