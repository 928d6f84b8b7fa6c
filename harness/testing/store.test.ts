import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ApiStatusError,
  defaultResources,
  FakeStore,
  PatchType,
  ResourceRegistry,
  type StoreChange,
} from './index.ts';
import { mergePatch } from './patch.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { jsonOf } from './store.ts';
import { TimerSet } from './timers.ts';

const registry = new ResourceRegistry(defaultResources);
const revRef = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', namespace: 'default', name: 'r' };

function newStore(options = {}) {
  const timers = new TimerSet();
  const store = new FakeStore(registry, timers, options);
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const changes: StoreChange[] = [];
  store.onChange((c) => changes.push(c));
  return { store, timers, changes };
}

const revision = (extra: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name: 'r', namespace: 'default' },
    spec: { containerConcurrency: 0 },
    ...extra,
  }) as KubernetesObject;

function thrown(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiStatusError) return err;
    throw err;
  }
  throw new Error('expected an ApiStatusError');
}

describe('FakeStore', () => {
  it('drops status on create; withStatus adds it as a second write (two events)', () => {
    const { store, timers, changes } = newStore();
    const plain = store.create(revision({ status: { observedGeneration: 1 } }));
    expect((plain as { status?: unknown }).status).to.equal(undefined);
    store.delete(revRef);
    const withStatus = store.create(revision({ status: { observedGeneration: 1 } }), { withStatus: true });
    expect((withStatus as { status?: unknown }).status).to.deep.equal({ observedGeneration: 1 });
    expect(changes.map((c) => `${c.type}${c.subresource ? '/status' : ''}`)).to.deep.equal([
      'ADDED',
      'DELETED',
      'ADDED',
      'MODIFIED/status',
    ]);
    timers.close();
  });

  it('does not bump resourceVersion or emit for a write that changes nothing', () => {
    const { store, timers, changes } = newStore();
    const created = store.create(revision());
    const again = store.update(created);
    expect(again.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);
    expect(changes).to.have.length(1);
    timers.close();
  });

  it('hands out copies, and shares one frozen object per change whose JSON every watcher sends', () => {
    const { store, timers, changes } = newStore();
    const created = store.create(revision());
    created.metadata!.labels = { changed: 'by the caller' };
    const read = store.get(revRef)!;
    read.metadata!.labels = { changed: 'by a reader' };
    expect(store.get(revRef)!.metadata?.labels).to.equal(undefined);

    const updated = store.mutateStatus(revRef, (o) => ({ ...o, status: { ok: true } }) as KubernetesObject);
    const change = changes.at(-1)!;
    expect(change.object).to.deep.equal(updated);
    expect(change.oldObject?.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);
    expect(() => Object.assign(change.object.metadata!, { labels: {} })).to.throw(TypeError);
    expect(jsonOf(change.object)).to.equal(JSON.stringify(change.object));

    // `undefined` keys are not content: this status write changes nothing.
    store.updateStatus({ ...updated, status: { ok: true, gone: undefined } } as KubernetesObject);
    expect(changes).to.have.length(2);
    timers.close();
  });

  it('bumps generation for spec changes only, never for metadata or status', () => {
    const { store, timers } = newStore();
    const created = store.create(revision());
    const labelled = store.update({ ...created, metadata: { ...created.metadata, labels: { a: 'b' } } });
    expect(labelled.metadata?.generation).to.equal(1);
    const withStatus = store.updateStatus({ ...labelled, status: { ok: true } } as KubernetesObject);
    expect(withStatus.metadata?.generation).to.equal(1);
    const respec = store.patch(revRef, { spec: { containerConcurrency: 5 } }, PatchType.merge);
    expect(respec.metadata?.generation).to.equal(2);
    expect((respec as { status?: unknown }).status).to.deep.equal({ ok: true });
    timers.close();
  });

  it('rejects a stale resourceVersion with Conflict and an unknown status subresource with 404', () => {
    const { store, timers } = newStore();
    const created = store.create(revision());
    store.update({ ...created, metadata: { ...created.metadata, labels: { v: '1' } } });
    expect(thrown(() => store.update(created)).status.reason).to.equal('Conflict');
    const cm = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
    });
    expect(thrown(() => store.updateStatus(cm)).code).to.equal(404);
    timers.close();
  });

  it('holds an object with finalizers until they are removed', () => {
    const { store, timers, changes } = newStore();
    store.create(
      revision({ metadata: { name: 'r', namespace: 'default', finalizers: ['example.dev/hold'] } }),
    );
    const marked = store.delete(revRef);
    expect(marked.metadata?.deletionTimestamp).to.be.a('string');
    expect(store.get(revRef)).to.not.equal(undefined);
    const current = store.get(revRef)!;
    store.update({ ...current, metadata: { ...current.metadata, finalizers: [] } });
    expect(store.get(revRef)).to.equal(undefined);
    expect(changes.map((c) => c.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
    timers.close();
  });

  it('apply removes fields the same manager stops applying, but keeps fields set by others', () => {
    const { store, timers } = newStore();
    const applied = (labels: Record<string, string>) =>
      store.patch(
        revRef,
        revision({ metadata: { name: 'r', namespace: 'default', labels } }),
        PatchType.apply,
        { fieldManager: 'kpc' },
      );
    applied({ a: '1', b: '2' });
    store.patch(revRef, { metadata: { labels: { other: 'x' } } }, PatchType.merge, {
      fieldManager: 'someone',
    });
    const after = applied({ a: '1' });
    expect(after.metadata?.labels).to.deep.equal({ a: '1', other: 'x' });
    expect(after.metadata?.managedFields?.map((m) => `${m.manager}:${m.operation}`)).to.deep.equal([
      'kpc:Apply',
      'someone:Update',
    ]);
    timers.close();
  });

  it('compacts history past its limit, so older resourceVersions are reported as gone', () => {
    const { store, timers } = newStore({ historyLimit: 2 });
    const type = registry.requireKind('v1', 'ConfigMap');
    const first = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default' },
    });
    for (const n of ['b', 'c', 'd'])
      store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default' } });
    expect(store.changesSince(type, Number(first.metadata!.resourceVersion))).to.equal(undefined);
    expect(
      store.changesSince(type, store.resourceVersion - 1)?.map((c) => c.object.metadata?.name),
    ).to.deep.equal(['d']);
    timers.close();
  });

  it('refuses objects it cannot place, with errors that say why', () => {
    const { store, timers } = newStore();
    expect(() => store.create({ apiVersion: 'nope/v1', kind: 'X', metadata: { name: 'x' } })).to.throw(
      /no resource registered for nope\/v1 X/,
    );
    expect(() => store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).to.throw(
      /needs metadata.namespace/,
    );
    expect(
      thrown(() => store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }))
        .status,
    ).to.deep.include({
      code: 422,
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
    });
    timers.close();
  });
});

describe('selectors', () => {
  const cmType = registry.requireKind('v1', 'ConfigMap');
  const obj = (labels: Record<string, string>, name = 'n'): KubernetesObject => ({
    metadata: { name, namespace: 'ns', labels },
  });

  it('parses every label selector operator', () => {
    const cases: [string, Record<string, string>, boolean][] = [
      ['a=1', { a: '1' }, true],
      ['a==1', { a: '2' }, false],
      ['a!=1', {}, true],
      ['a in (1, 2),b', { a: '2', b: '' }, true],
      ['a notin (1,2)', { a: '3' }, true],
      ['a notin (1,2)', {}, true],
      ['!a', { a: 'x' }, false],
      ['a', {}, false],
      ['a>5', { a: '6' }, true],
    ];
    for (const [selector, labels, expected] of cases) {
      expect(parseLabelSelector(selector)(obj(labels)), selector).to.equal(expected);
    }
    expect(() => parseLabelSelector('a in 1')).to.throw(/unable to parse requirement/);
  });

  it('accepts the field selectors each resource supports and refuses others', () => {
    expect(parseFieldSelector('metadata.name=n,metadata.namespace!=x', cmType)(obj({}))).to.equal(true);
    expect(() => parseFieldSelector('spec.x=1', cmType)).to.throw('field label not supported: spec.x');
    const coreEvent = registry.requireKind('v1', 'Event');
    const newEvent = registry.requireKind('events.k8s.io/v1', 'Event');
    const ev = {
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'p' },
      regarding: { kind: 'Pod', name: 'p' },
    } as KubernetesObject;
    expect(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=p', coreEvent)(ev)).to.equal(true);
    expect(parseFieldSelector('regarding.name=p', newEvent)(ev)).to.equal(true);
    expect(() => parseFieldSelector('regarding.name=p', coreEvent)).to.throw(/not supported/);
  });
});

describe('merge patch', () => {
  it('is idempotent and null removes keys (RFC 7386)', () => {
    const json = fc.dictionary(
      fc.string({ maxLength: 3 }),
      fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const once = mergePatch(target, patch);
        expect(mergePatch(once, patch)).to.deep.equal(once);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) expect(once).to.not.have.own.property(k);
        }
      }),
    );
  });
});
