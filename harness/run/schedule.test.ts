import { expect } from 'chai';
import fc from 'fast-check';
import { configChanges, groupByClusterConfig, type Schedulable } from './schedule.ts';

const c = (
  id: string,
  features: Record<string, string> = {},
  deployment: Record<string, string> = {},
): Schedulable => ({
  id,
  needs: { features, deployment },
});

describe('grouping cases by cluster-wide configuration', () => {
  it('never puts cases with conflicting flag values in one group', () => {
    const groups = groupByClusterConfig([
      c('mcp-on', { 'multi-container-probing': 'Enabled' }),
      c('mcp-off', { 'multi-container-probing': 'Disabled' }),
      c('indifferent'),
      c('mcp-on-2', { 'multi-container-probing': 'enabled' }),
    ]);
    expect(
      groups.map((g) => [g.config.features['multi-container-probing'], g.cases.map((x) => x.id)]),
    ).to.deep.equal([
      ['Disabled', ['mcp-off', 'indifferent']],
      ['Enabled', ['mcp-on', 'mcp-on-2']],
    ]);
  });

  it('holds for any mix of requirements: within a group every case sees its own values', () => {
    const value = fc.constantFrom('Enabled', 'Disabled');
    const needs = fc.record({
      a: fc.option(value, { nil: undefined }),
      b: fc.option(value, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(needs, { maxLength: 30 }), (list) => {
        const cases = list.map((n, i) =>
          c(
            `case-${i}`,
            Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)) as Record<
              string,
              string
            >,
          ),
        );
        const groups = groupByClusterConfig(cases);
        expect(groups.flatMap((g) => g.cases)).to.have.length(cases.length);
        for (const g of groups) {
          for (const x of g.cases)
            for (const [k, v] of Object.entries(x.needs.features)) expect(g.config.features[k]).to.equal(v);
        }
        expect(groups.length).to.be.at.most(4);
      }),
    );
  });

  it('lists exactly the keys a switch must change', () => {
    expect(
      configChanges(
        { features: { 'multi-container-probing': 'Enabled', x: 'Enabled' }, deployment: {} },
        {
          features: { 'multi-container-probing': 'Disabled', x: 'enabled' },
          deployment: { 'progress-deadline': '30s' },
        },
      ),
    ).to.deep.equal([
      { configMap: 'config-features', key: 'multi-container-probing', value: 'Disabled' },
      { configMap: 'config-deployment', key: 'progress-deadline', value: '30s' },
    ]);
  });
});
