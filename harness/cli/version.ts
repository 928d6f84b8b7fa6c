import { readFileSync } from 'node:fs';

/** The version in package.json, read once; the CLI and run provenance both report it. */
export function kpcVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
