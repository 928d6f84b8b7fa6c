import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { knative118SidecarExecTrace, TraceScript } from './fixtures.ts';
import { judge } from './judge.ts';
import { expectationSchema } from './schema.ts';
import { timelineOf } from './timeline.ts';
import { renderTimelineSvg } from './timeline-svg.ts';

describe('renderTimelineSvg', () => {
  const script = knative118SidecarExecTrace({ flap: true });
  const timeline = timelineOf(script.lines);
  const failing = expectationSchema.parse({
    name: 'pod never <unready> & "flapping"',
    never: { condition: { object: { kind: 'Pod' }, type: 'Ready', status: 'False' } },
    during: { from: { note: 'serving' } },
  });
  const svg = renderTimelineSvg(timeline, judge([failing], timeline));

  it('is well-formed XML with escaped text', () => {
    expect(XMLValidator.validate(svg)).to.equal(true);
    expect(svg).to.contain('pod never &lt;unready&gt; &amp; &quot;flapping&quot;');
  });

  it('draws a lane per object condition and per container, and a marker per action', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    const groups = [doc.svg.g].flat() as { class: string; 'data-lane'?: string }[];
    const lanes = groups
      .filter((g) => g.class?.startsWith('lane') && g['data-lane'])
      .map((g) => g['data-lane']);
    expect(lanes).to.include.members([
      'serving.knative.dev/Revision/kpc-test/hello-00001#Ready',
      '/Pod/kpc-test/hello-00001-deployment-7d9c-abcde#Ready',
      '/Pod/kpc-test/hello-00001-deployment-7d9c-abcde/sidecar',
      '/Pod/kpc-test/hello-00001-deployment-7d9c-abcde/queue-proxy',
    ]);
    expect(groups.filter((g) => g.class === 'action')).to.have.length(2);
    expect(svg).to.contain('Warning events');
  });

  it('highlights the failing expectation: its lane, its evidence and its window', () => {
    expect(svg).to.match(
      /class="lane failing" data-lane="\/Pod\/kpc-test\/hello-00001-deployment-7d9c-abcde#Ready"/,
    );
    expect(svg).to.contain('class="evidence"');
    expect(svg).to.contain('class="failing-window"');
    expect(svg).to.contain('class="failing-expectation"');
  });

  it('draws the sum a `never exists` is about as a lane of its own, failing when it failed', () => {
    const t = new TraceScript();
    t.at(100).watch('ADDED', t.revision('hello-00001', [{ type: 'Ready', status: 'Unknown' }]));
    t.at(2_000).watch('ADDED', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello-00001-deployment', namespace: t.namespace },
    });
    t.at(3_000).watch('MODIFIED', t.revision('hello-00001', [{ type: 'Ready', status: 'True' }]));
    const lines = timelineOf(t.lines);
    const drawn = renderTimelineSvg(
      lines,
      judge([expectationSchema.parse({ never: { exists: { kind: 'Deployment' } } })], lines),
    );
    expect(drawn).to.contain('class="lane failing" data-lane="exists:any Deployment"');
    expect(drawn).to.contain('any Deployment: present (hello-00001-deployment) from +1.9s');
  });

  it('keeps a 200 ms state visible as at least 2 px', () => {
    const flap =
      /<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="18" fill="#c62828"><title>[^<]*Ready: False[^<]*from \+20\.1s until \+20\.3s/.exec(
        svg,
      );
    expect(flap, 'the flap segment').to.not.equal(null);
    expect(Number(flap![1])).to.be.at.least(2);
  });
});
