import { expect } from 'chai';
import fc from 'fast-check';
import { type EmittedStates, isReplay, recordEmitted, relistChanges } from './relist-diff.ts';
import { type KubernetesObject, objectKey } from './types.ts';

const obj = (
  name: string,
  resourceVersion: string,
  uid = `uid-${name}`,
  namespace = 'ns',
): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, uid, resourceVersion },
});

const emittedOf = (...objects: KubernetesObject[]): EmittedStates =>
  new Map(objects.map((o) => [objectKey(o), o]));

const summary = (changes: { type: string; object: KubernetesObject }[]) =>
  changes.map((c) => `${c.type} ${c.object.metadata?.name}@${c.object.metadata?.resourceVersion}`);

describe('relistChanges', () => {
  it('emits nothing when the list matches what was emitted', () => {
    const a = obj('a', '5');
    expect(relistChanges(emittedOf(a), [obj('a', '5')])).to.deep.equal([]);
  });

  it('emits ADDED for new, MODIFIED for changed resourceVersion, DELETED for vanished objects', () => {
    const changes = relistChanges(emittedOf(obj('a', '5'), obj('b', '6'), obj('c', '7')), [
      obj('a', '5'),
      obj('b', '9'),
      obj('d', '10'),
    ]);
    expect(summary(changes)).to.deep.equal(['DELETED c@7', 'MODIFIED b@9', 'ADDED d@10']);
  });

  it('treats a new uid under the same name as delete + add (recreated during the gap)', () => {
    const changes = relistChanges(emittedOf(obj('a', '5', 'old')), [obj('a', '8', 'new')]);
    expect(summary(changes)).to.deep.equal(['DELETED a@5', 'ADDED a@8']);
    expect(changes[0]!.object.metadata?.uid).to.equal('old');
    expect(changes[1]!.object.metadata?.uid).to.equal('new');
  });

  it('keeps namespaces apart', () => {
    const changes = relistChanges(emittedOf(obj('a', '1', 'u1', 'one')), [
      obj('a', '1', 'u1', 'one'),
      obj('a', '2', 'u2', 'two'),
    ]);
    expect(summary(changes)).to.deep.equal(['ADDED a@2']);
    expect(changes[0]!.object.metadata?.namespace).to.equal('two');
  });

  it('brings the emitted states exactly to the listed ones, emitting only real differences (property)', () => {
    const state = fc.record({ rv: fc.integer({ min: 1, max: 4 }), gen: fc.integer({ min: 0, max: 1 }) });
    const world = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), state);
    fc.assert(
      fc.property(world, world, (before, after) => {
        const make = (name: string, s: { rv: number; gen: number }) =>
          obj(name, String(s.rv), `${name}-${s.gen}`);
        const emitted = emittedOf(...Object.entries(before).map(([n, s]) => make(n, s)));
        const listed = Object.entries(after).map(([n, s]) => make(n, s));
        const changes = relistChanges(emitted, listed);
        for (const change of changes) {
          expect(isReplay(emitted, change), `replay: ${summary([change])}`).to.equal(false);
          recordEmitted(emitted, change);
        }
        expect([...emitted.values()].sort((x, y) => objectKey(x).localeCompare(objectKey(y)))).to.deep.equal(
          [...listed].sort((x, y) => objectKey(x).localeCompare(objectKey(y))),
        );
        const unchanged = Object.entries(after).filter(
          ([n, s]) => before[n]?.rv === s.rv && before[n]?.gen === s.gen,
        );
        expect(changes.length).to.be.at.most(
          Object.keys(before).length + listed.length - 2 * unchanged.length,
        );
        for (const [name] of unchanged)
          expect(changes.some((c) => c.object.metadata?.name === name)).to.equal(false);
      }),
    );
  });
});

describe('isReplay', () => {
  const emitted = emittedOf(obj('a', '5'));

  it('recognises a repeated state and a DELETED of an unknown object', () => {
    expect(isReplay(emitted, { type: 'MODIFIED', object: obj('a', '5') })).to.equal(true);
    expect(isReplay(emitted, { type: 'ADDED', object: obj('a', '5') })).to.equal(true);
    expect(isReplay(emitted, { type: 'DELETED', object: obj('z', '9') })).to.equal(true);
  });

  it('lets new states, new objects and real deletions through', () => {
    expect(isReplay(emitted, { type: 'MODIFIED', object: obj('a', '6') })).to.equal(false);
    expect(isReplay(emitted, { type: 'ADDED', object: obj('a', '5', 'other-uid') })).to.equal(false);
    expect(isReplay(emitted, { type: 'ADDED', object: obj('b', '1') })).to.equal(false);
    expect(isReplay(emitted, { type: 'DELETED', object: obj('a', '7') })).to.equal(false);
  });
});
