import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type ImageSet, loadImageSet, writeImageSet } from './image-set.ts';
import { DocumentError } from './located-parse.ts';

const hex = (c: string) => c.repeat(64);
const valid: ImageSet = {
  version: 1,
  components: {
    controller: `kind.local/controller:${hex('a')}`,
    'queue-proxy': `localhost:5001/knative/queue@sha256:${hex('b')}`,
  },
  source: { serving: '/src/serving', commit: 'c'.repeat(40) },
  target: { kind: 'kind', cluster: 'kpc-candidate' },
  platform: 'linux/amd64',
  builtAt: '2026-11-27T10:00:00.000Z',
};

describe('image-set file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpc-imageset-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const problems = async (path: string) => {
    const error = await loadImageSet(path).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DocumentError);
    return (error as DocumentError).problems;
  };

  it('round-trips through write and load', async () => {
    const path = join(dir, 'out', 'set.json');
    await writeImageSet(path, valid);
    expect(await loadImageSet(path)).to.deep.equal(valid);
  });

  it('locates each problem by line, column and field path', async () => {
    const path = file(
      'bad.json',
      `{
  "version": 1,
  "components": {
    "controller": "kind.local/controller:latest",
    "queue": "x@sha256:${hex('a')}"
  },
  "source": { "serving": "/src", "commit": "abc" },
  "colour": "blue"
}
`,
    );
    expect(await problems(path)).to.deep.equal([
      `${path}:4:19: components.controller: not pinned: expected \`<repo>@sha256:<64 hex>\` or ko's \`kind.local/<name>:<64 hex>\``,
      `${path}:5:14: components.queue: unknown component "queue": expected one of controller, webhook, activator, autoscaler, queue-proxy`,
      `${path}:7:44: source.commit: expected a 40-hex git commit`,
      `${path}:1:1: (root): Unrecognized key: "colour"`,
    ]);
  });

  it('points at the parent of a missing field and at broken syntax', async () => {
    const missing = file('missing.json', '{\n  "version": 1,\n  "components": {}\n}\n');
    expect(await problems(missing)).to.deep.equal([
      `${missing}:3:17: components: names no component`,
      `${missing}:1:1: source: Invalid input: expected object, received undefined`,
    ]);
    const broken = file('broken.json', '{\n  "version": 1,\n  "components": {\n');
    const [first] = await problems(broken);
    expect(first).to.match(new RegExp(`^${broken}:\\d+:\\d+: `));
  });

  it('names an unreadable file', async () => {
    expect(await problems(join(dir, 'nope.json'))).to.deep.equal([
      `${join(dir, 'nope.json')}: cannot read it (ENOENT)`,
    ]);
  });

  it('refuses to write an invalid set', async () => {
    const bad = { ...valid, components: { controller: 'controller:latest' } };
    expect(await writeImageSet(join(dir, 'w.json'), bad).catch((e: Error) => e.message)).to.match(
      /not pinned/,
    );
  });
});
