import { expect } from 'chai';
import { defaultKubernetesMinor, kindVersion, nodeImageFor, nodeImages } from './node-images.ts';
import { toolPins } from './tools.ts';

describe('kind node images', () => {
  it('belong to the kind release tools.ts pins', () => {
    expect(kindVersion).to.equal(toolPins.kind.version);
  });

  it('are each pinned by a sha256 digest to the patch release they name', () => {
    for (const [minor, pin] of Object.entries(nodeImages)) {
      expect(pin.image).to.match(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
      expect(pin.image).to.include(`:${pin.kubernetes}@`);
      expect(pin.kubernetes.startsWith(`v${minor}.`)).to.equal(true);
    }
  });

  it('resolves a minor written as 1.36, v1.36 or the pinned v1.36.4', () => {
    for (const version of ['1.36', 'v1.36', 'v1.36.4', ' 1.36.4 ']) {
      expect(nodeImageFor(version).image).to.equal(nodeImages['1.36'].image);
      expect(nodeImageFor(version).minor).to.equal('1.36');
    }
    expect(nodeImageFor(defaultKubernetesMinor).kubernetes).to.equal('v1.37.0');
  });

  it('refuses an unpinned minor, another patch and nonsense, naming what it knows', () => {
    expect(() => nodeImageFor('1.30')).to.throw(
      /no kind v0\.33\.0 node image is pinned for Kubernetes 1\.30: known minors are 1\.37, 1\.36, 1\.35, 1\.34/,
    );
    expect(() => nodeImageFor('1.36.1')).to.throw(/not the pinned 1\.36 node image \(v1\.36\.4\)/);
    expect(() => nodeImageFor('latest')).to.throw(/"latest" is not a minor like 1\.36/);
  });
});
