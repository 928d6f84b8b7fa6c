import { expect } from 'chai';
import { render, scanTemplates, type TemplateScope } from './template.ts';

const scope: TemplateScope = {
  service: 'svc-1',
  namespace: 'ns',
  images: { workload: 'registry.local/workload@sha256:abc' },
  params: {
    period: { value: 5, origin: ['matrix', 'period', 1] },
    probe: { value: { exec: { command: ['true'] }, periodSeconds: 1 }, origin: ['matrix', 'probe', 'exec'] },
    sidecars: {
      value: [{ name: 'a', image: '{{ images.workload }}' }, { name: 'b' }],
      origin: ['matrix', 'sidecars', 'two'],
    },
    loop: { value: '{{ params.period }}', origin: ['parameters', 'loop'] },
  },
};

describe('templates', () => {
  it('finds templates and malformed openings', () => {
    expect(
      scanTemplates('a {{ x.y }} b {{ ...z }}').tokens.map((t) => [t.expression, t.spread]),
    ).to.deep.equal([
      ['x.y', false],
      ['z', true],
    ]);
    expect(scanTemplates('a {{ x y }} b').malformed).to.deep.equal(['{{ x y }}']);
  });

  it('keeps the type of a whole-value template and interpolates inside text', () => {
    const out = render(
      { p: '{{ params.period }}', s: 'x-{{ service }}-{{ params.period }}', n: '{{ namespace }}' },
      [],
      scope,
    );
    expect(out.problems).to.deep.equal([]);
    expect(out.value).to.deep.equal({ p: 5, s: 'x-svc-1-5', n: 'ns' });
  });

  it('merges a mapping with <<, own keys winning, and records where each value came from', () => {
    const out = render({ probe: { '<<': '{{ params.probe }}', periodSeconds: 3 } }, ['service'], scope);
    expect(out.value).to.deep.equal({ probe: { exec: { command: ['true'] }, periodSeconds: 3 } });
    expect(out.origins.get(JSON.stringify(['probe', 'exec', 'command', 0]))).to.deep.equal({
      path: ['matrix', 'probe', 'exec', 'exec', 'command', 0],
      substituted: true,
    });
    expect(out.origins.get(JSON.stringify(['probe', 'periodSeconds']))?.path).to.deep.equal([
      'service',
      'probe',
      'periodSeconds',
    ]);
  });

  it('splices a list with {{ ...x }} and renders images inside parameter values', () => {
    const out = render({ containers: [{ name: 'app' }, '{{ ...params.sidecars }}'] }, [], scope);
    expect(out.problems).to.deep.equal([]);
    expect(out.value).to.deep.equal({
      containers: [
        { name: 'app' },
        { name: 'a', image: 'registry.local/workload@sha256:abc' },
        { name: 'b' },
      ],
    });
    expect([...out.images]).to.deep.equal(['workload']);
    expect(out.origins.get(JSON.stringify(['containers', 2, 'name']))?.path).to.deep.equal([
      'matrix',
      'sidecars',
      'two',
      1,
      'name',
    ]);
  });

  it('looks into parameter mappings by key', () => {
    expect(render('{{ params.probe.periodSeconds }}', [], scope).value).to.equal(1);
    const missing = render('{{ params.probe.periodSecond }}', ['x'], scope).problems;
    expect(missing[0]!.message).to.match(/no key `periodSecond` \(did you mean `periodSeconds`\?\)/);
  });

  it('reports unknown variables, non-recursive parameters and misplaced spreads and objects', () => {
    const messages = (raw: unknown) => render(raw, ['at'], scope).problems.map((p) => p.message);
    expect(messages('{{ servce }}')[0]).to.match(
      /unknown template variable `servce` \(did you mean `service`\?\)/,
    );
    expect(messages('{{ images.worklod }}')[0]).to.match(
      /unknown image `worklod` \(did you mean `workload`\?\)/,
    );
    expect(messages('{{ params.loop }}')[0]).to.match(/cannot use `params`/);
    expect(messages({ a: '{{ ...params.sidecars }}' })[0]).to.match(/only be a whole list item/);
    expect(messages('x {{ params.probe }}')[0]).to.match(/is a mapping; only a whole value can take it/);
    expect(messages(['{{ ...params.period }}'])[0]).to.match(/must name a list to splice/);
    expect(messages({ '<<': '{{ params.period }}' })[0]).to.match(/must name a mapping to merge/);
    expect(messages('{{ service.name }}')[0]).to.match(/is a string; it has no key/);
    const problem = render('a {{ nope }}', ['steps', 0], scope).problems[0]!;
    expect(problem).to.include({ needle: '{{ nope }}' });
    expect(problem.path).to.deep.equal(['steps', 0]);
  });

  it('leaves text without templates alone, including lone braces', () => {
    expect(render({ a: 'x }} y', b: 3, c: null, d: [true] }, [], scope).value).to.deep.equal({
      a: 'x }} y',
      b: 3,
      c: null,
      d: [true],
    });
  });
});
