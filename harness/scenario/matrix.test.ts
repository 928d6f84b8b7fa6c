import { expect } from 'chai';
import { caseId, expandCases, maxCases } from './matrix.ts';

describe('matrix expansion', () => {
  it('expands axes in declaration order into stably named cases', () => {
    const { cases, problems } = expandCases('s', {
      parameters: { file: '/tmp/ready' },
      matrix: { handler: { exec: { exec: {} }, http: { httpGet: {} } }, period: [1, 5] },
    });
    expect(problems).to.deep.equal([]);
    expect(cases.map((c) => c.id)).to.deep.equal([
      's[handler=exec,period=1]',
      's[handler=exec,period=5]',
      's[handler=http,period=1]',
      's[handler=http,period=5]',
    ]);
    const first = cases[0]!;
    expect(first.params.file).to.deep.equal({ value: '/tmp/ready', origin: ['parameters', 'file'] });
    expect(first.params.handler).to.deep.equal({
      value: { exec: {} },
      origin: ['matrix', 'handler', 'exec'],
    });
    expect(first.params.period).to.deep.equal({ value: 1, origin: ['matrix', 'period', 0] });
  });

  it('is a single case named after the scenario without a matrix', () => {
    expect(expandCases('s', {}).cases.map((c) => c.id)).to.deep.equal(['s']);
    expect(caseId('s', {})).to.equal('s');
  });

  it('leaves out excluded combinations and checks the exclusions', () => {
    const matrix = { a: [1, 2], b: ['x', 'y'] };
    const { cases } = expandCases('s', { matrix, exclude: [{ a: 2, b: 'y' }] });
    expect(cases.map((c) => c.id)).to.deep.equal(['s[a=1,b=x]', 's[a=1,b=y]', 's[a=2,b=x]']);
    const bad = expandCases('s', { matrix, exclude: [{ c: 1 }, { a: 3 }] }).problems;
    expect(bad.map((p) => [p.path, p.message])).to.deep.equal([
      [['exclude', 0, 'c'], 'unknown matrix axis `c`'],
      [['exclude', 1, 'a'], '`a` has no value `3` (values: 1, 2)'],
    ]);
    expect(expandCases('s', { matrix: { a: [1] }, exclude: [{ a: 1 }] }).problems[0]!.message).to.match(
      /no case/,
    );
  });

  it('rejects labels that cannot name a case, duplicates, name clashes and explosions', () => {
    expect(expandCases('s', { matrix: { p: ['/tmp/x'] } }).problems[0]!.message).to.match(
      /mapping of label → value/,
    );
    expect(expandCases('s', { matrix: { p: [1, 1] } }).problems[0]!.message).to.match(/appears twice/);
    expect(expandCases('s', { parameters: { p: 1 }, matrix: { p: [1] } }).problems[0]!.message).to.match(
      /also a parameter/,
    );
    const wide = Array.from({ length: 17 }, (_, i) => i);
    expect(expandCases('s', { matrix: { a: wide, b: wide } }).problems[0]!.message).to.equal(
      `289 combinations; at most ${maxCases} cases`,
    );
  });
});
