import * as chai from 'chai';
import { kpcChai } from './chai.ts';
import { knative117SidecarExecTrace, knative118SidecarExecTrace } from './fixtures.ts';
import { timelineOf } from './timeline.ts';

chai.use(kpcChai);
const { expect } = chai;

describe('chai plugin', () => {
  const baseline = knative117SidecarExecTrace(3).lines;
  const candidate = timelineOf(knative118SidecarExecTrace().lines);
  const revisionReady = {
    reach: {
      condition: {
        object: { kind: 'Revision', name: 'hello-00001' },
        type: 'Ready',
        status: 'True' as const,
      },
    },
  };

  it('passes on a trace that meets the expectation (lines or a timeline)', () => {
    expect(candidate).to.meetExpectation(revisionReady);
    expect(baseline).not.to.meetExpectation(revisionReady);
    expect(baseline).to.meetExpectations([
      { event: { reason: 'InternalError', type: 'Warning' }, times: { atLeast: 3 } },
      { never: revisionReady.reach },
    ]);
  });

  it("fails with the judge's explanation", () => {
    expect(() => expect(baseline).to.meetExpectation({ name: 'revision ready', ...revisionReady })).to.throw(
      chai.AssertionError,
      /FAIL {2}revision ready\n {6}Revision hello-00001 condition Ready was never True after the start\n.*Unknown\/Deploying/,
    );
  });

  it('rejects a malformed expectation as the scenario schema would', () => {
    expect(() => expect(candidate).to.meetExpectation({ reach: {} } as never)).to.throw(
      /exactly one of condition, container, exists or endpoints/,
    );
  });
});
