import { expect } from 'chai';
import { runKpc } from '../in-process.ts';

describe('kpc lock', () => {
  it('rejects an unknown Knative version with the known ones, before any download', async () => {
    const { code, stderr } = await runKpc(['lock', '--knative', 'v1.99.0']);
    expect(code).to.equal(2);
    expect(stderr).to.include('unknown Knative release v1.99.0').and.include('v1.17.2, v1.18.0, v1.23.0');
  });
});
