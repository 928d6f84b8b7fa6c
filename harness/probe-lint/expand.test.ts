import { expect } from 'chai';
import { expandStatic } from './expand.ts';

describe('probe command $(VAR) expansion', () => {
  const env = { DIR: '/tmp', EMPTY: '' };
  it('substitutes defined variables and keeps undefined ones as written', () => {
    expect(expandStatic(['test', '-f', '$(DIR)/ready', '$(NOPE)', '$(EMPTY)x'], env)).to.deep.equal([
      'test',
      '-f',
      '/tmp/ready',
      '$(NOPE)',
      'x',
    ]);
  });

  it('treats $$ as an escaped $ and other $ as literal, like Kubernetes', () => {
    expect(expandStatic(['$$(DIR)', '$HOME', 'a$', '$$$(DIR)', '$()'], env)).to.deep.equal([
      '$(DIR)',
      '$HOME',
      'a$',
      '$/tmp',
      '$()',
    ]);
  });

  it('leaves an unterminated reference and goes on scanning after it', () => {
    expect(expandStatic(['$(DIR', '$(A $$', '$(A $(DIR)'], env)).to.deep.equal([
      '$(DIR',
      '$(A $',
      '$(A $(DIR)',
    ]);
  });
});
