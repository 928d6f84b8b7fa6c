import { expect } from 'chai';
import {
  knative117SidecarExecTrace,
  knative118SidecarExecTrace,
  TraceScript,
  traceStart,
} from './fixtures.ts';
import { timelineOf } from './timeline.ts';

describe('timeline', () => {
  it('keeps condition states only when they change, with when seen and lastTransitionTime', () => {
    const t = new TraceScript();
    const rev = (status: 'True' | 'Unknown', reason?: string) =>
      t.revision('r-00001', [{ type: 'Ready', status, reason }]);
    t.at(1_000).watch('ADDED', rev('Unknown', 'Deploying'));
    t.at(1_500).watch('MODIFIED', rev('Unknown', 'Deploying')); // same state, e.g. observedGeneration bumped
    t.at(2_200).watch('MODIFIED', rev('True'));
    t.at(2_500).watch('DELETED', rev('True'));
    const history = timelineOf(t.lines).objects.get('serving.knative.dev/Revision/kpc-test/r-00001')!;
    const ready = history.conditions.get('Ready')!;
    expect(ready.map((c) => [c.at - traceStart, c.status, c.reason])).to.deep.equal([
      [1_000, 'Unknown', 'Deploying'],
      [2_200, 'True', undefined],
      [2_500, null, undefined],
    ]);
    expect(ready[1]!.lastTransitionTime).to.equal('2025-06-01T10:00:02Z');
    expect(history.deletedAt).to.equal(traceStart + 2_500);
    expect(history.labels).to.deep.equal({ 'serving.knative.dev/service': 'r' });
  });

  it('follows each container of each pod: readiness, restarts, and disappearance', () => {
    const t = new TraceScript();
    t.at(0).watch('ADDED', t.pod('p', 'r', [{ name: 'sidecar', ready: false }]));
    t.at(100).watch('MODIFIED', t.pod('p', 'r', [{ name: 'sidecar', ready: true }]));
    t.at(200).watch('MODIFIED', t.pod('p', 'r', [{ name: 'sidecar', ready: false, restarts: 1 }]));
    t.at(300).watch('DELETED', t.pod('p', 'r', [{ name: 'sidecar', ready: false, restarts: 1 }]));
    const timeline = timelineOf(t.lines);
    const sidecar = timeline.containers.get('/Pod/kpc-test/p/sidecar')!;
    expect(sidecar.observations.map((o) => [o.present, o.ready, o.restartCount])).to.deep.equal([
      [true, false, 0],
      [true, true, 0],
      [true, false, 1],
      [false, false, 0],
    ]);
    expect(sidecar.pod.probes?.get('sidecar')?.readinessProbe?.periodSeconds).to.equal(1);
  });

  it('follows Events by their count, reason, type, message and involved object', () => {
    const timeline = timelineOf(knative117SidecarExecTrace(4).lines);
    const [internal] = [...timeline.events.values()];
    expect(internal).to.deep.include({
      type: 'Warning',
      reason: 'InternalError',
      source: 'revision-controller',
    });
    expect(internal!.involved).to.include({ kind: 'Revision', name: 'hello-00001' });
    expect(internal!.observations.map((o) => o.count)).to.deep.equal([1, 2, 3, 4]);
    expect(internal!.firstTimestamp).to.equal('2025-06-01T10:00:01Z');
  });

  it("keeps the harness's actions with the applied pod template's probes, not the whole object", () => {
    const timeline = timelineOf(knative118SidecarExecTrace().lines);
    const [apply, exec] = timeline.actions;
    expect(apply!.applied?.containers.get('sidecar')?.readinessProbe).to.deep.equal({
      exec: { command: ['test', '-f', '/tmp/ready'] },
      periodSeconds: 1,
    });
    expect(apply!.detail).to.deep.equal({});
    expect(exec).to.deep.include({ action: 'exec', step: 'touch-ready', startedAt: traceStart + 7_440 });
    expect(exec!.detail).to.deep.include({ exitCode: 0 });
    expect(timeline.header).to.deep.include({ variant: 'candidate' });
    expect(timeline.end - timeline.start).to.equal(30_000);
  });
});
