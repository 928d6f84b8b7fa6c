import { expect } from 'chai';
import { parseYamlSource } from './source.ts';

const fail = (text: string) => {
  const result = parseYamlSource(text, 'x.yaml');
  if (result.ok) throw new Error('expected issues');
  return result.issues;
};

describe('parseYamlSource', () => {
  it('keeps the position of every node, for keys and values', () => {
    const result = parseYamlSource('a: 1\nb:\n  - x\n  - { c: 2 }\n', 'x.yaml');
    if (!result.ok) throw new Error('unexpected issues');
    const { source } = result;
    expect(source.value).to.deep.equal({ a: 1, b: ['x', { c: 2 }] });
    expect(source.locate(['b', 1, 'c'])).to.deep.equal({ line: 4, column: 10 });
    expect(source.locate(['b', 1, 'c'], { key: true })).to.deep.equal({ line: 4, column: 7 });
    // a missing key is reported at the deepest node that exists
    expect(source.locate(['b', 1, 'nope'])).to.deep.equal({ line: 4, column: 10 - 5 });
  });

  it('points inside a string at a needle', () => {
    const result = parseYamlSource("a: 'xx {{ y }}'\n", 'x.yaml');
    if (!result.ok) throw new Error('unexpected issues');
    expect(result.source.locate(['a'], { needle: '{{ y }}' })).to.deep.equal({ line: 1, column: 8 });
  });

  it('reports syntax errors, duplicate keys and unknown tags with positions', () => {
    expect(fail('a: [1, 2\n')[0]).to.include({ file: 'x.yaml', line: 2 });
    const duplicate = fail('a: 1\nb: 2\na: 3\n')[0]!;
    expect(duplicate).to.include({ line: 3, column: 1 });
    expect(duplicate.message).to.match(/duplicate key/);
    expect(fail('a: !custom x\n')[0]!.message).to.match(/Unresolved tag/);
  });

  it('rejects a second document, an empty file and a non-mapping root', () => {
    const second = fail('a: 1\n---\nb: 2\n')[0]!;
    expect(second).to.include({ line: 2 });
    expect(second.message).to.match(/one scenario per file/);
    expect(fail('')[0]!.message).to.match(/empty document/);
    expect(fail('# only a comment\n')[0]!.message).to.match(/empty document/);
    expect(fail('- a\n- b\n')[0]!.message).to.match(/expected a scenario/);
  });

  it('rejects unknown aliases, self-referencing aliases, alias bombs, complex keys and binary values', () => {
    expect(fail('a: *nope\n')[0]!.message).to.match(/alias/);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      '',
    ].join('\n');
    expect(fail(bomb)[0]!.message).to.match(/too large/);
    expect(fail('? [a, b]\n: 1\n')[0]!.message).to.match(/mapping keys must be plain strings/);
    expect(fail('a: !!binary aGVsbG8=\n')[0]!.message).to.match(/unsupported YAML value/);
  });

  it('keeps aliases that expand to something reasonable, and refuses __proto__ as a key', () => {
    const result = parseYamlSource('x: &p { a: 1 }\ny: *p\n', 'x.yaml');
    if (!result.ok) throw new Error('unexpected issues');
    expect((result.source.value as Record<string, unknown>).y).to.deep.equal({ a: 1 });
    expect(fail('a:\n  __proto__: { polluted: true }\n')[0]).to.include({
      line: 2,
      column: 3,
      message: '`__proto__` cannot be a key',
    });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
