import { expect } from 'chai';
import { parseRange, satisfiesRange } from './versions.ts';

describe('Knative version ranges', () => {
  it('compares versions in the forms Knative tags use', () => {
    expect(satisfiesRange('v1.17.2', '<1.18.0')).to.equal(true);
    expect(satisfiesRange('knative-v1.18.0', '>=1.18.0')).to.equal(true);
    expect(satisfiesRange('1.23.0', '>=1.18.0 <1.23.0')).to.equal(false);
    expect(satisfiesRange('1.14.1', '<1.15 || >=1.23.0')).to.equal(true);
    expect(satisfiesRange('1.17.2', '1.17.2')).to.equal(true);
  });

  it('rejects what does not parse', () => {
    expect(parseRange('>= 1.18')).to.equal(undefined);
    expect(parseRange('latest')).to.equal(undefined);
    expect(parseRange('>=1.18.0 ||')).to.equal(undefined);
    expect(satisfiesRange('main', '>=1.0.0')).to.equal(false);
  });
});
