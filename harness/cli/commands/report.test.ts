import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fixtureProvenance, writeFixtureRun } from '../../report/fixtures.ts';
import { writeProvenance } from '../../report/provenance.ts';
import { writeResults } from '../../report/results-file.ts';
import { runKpc } from '../in-process.ts';

describe('kpc report', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-report-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('renders JUnit, summary.md and Allure results again from results.json and run.json', async () => {
    await writeResults(dir, await writeFixtureRun(dir));
    await writeProvenance(dir, {
      ...fixtureProvenance(),
      cases: { planned: 12, reported: 9 },
      interrupted: 'SIGTERM',
    });
    const { code, stdout } = await runKpc(['report', join(dir, 'results.json'), '--no-html']);
    expect(code).to.equal(0);
    expect(stdout).to.include('9 cases: 2 passed, 1 flaky, 3 failed, 1 broken, 2 skipped (run exit code 1)');
    expect(stdout).to.include(`wrote junit.xml, summary.md, allure-results in ${dir}`);
    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(summary.split('\n').slice(0, 3)).to.deep.equal([
      '# kpc conformance summary',
      '',
      '**INCOMPLETE RUN**: 9 of 12 planned cases have a result (interrupted: SIGTERM); cases that did not finish appear in no view.',
    ]);
    expect(summary).to.include(
      '- baseline: Knative v1.17.2 on Kubernetes v1.37.0 (kind cluster kpc-baseline',
    );
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).to.include('<testsuites name="kpc" tests="9"');
    expect((await stat(join(dir, 'allure-results', 'categories.json'))).isFile()).to.equal(true);
  });

  it('says in one line that there is no HTML report without Java, and still succeeds', async () => {
    await writeResults(dir, await writeFixtureRun(dir));
    const { code, stderr } = await runKpc(['report', dir], { env: { PATH: join(dir, 'no-bin') } });
    expect(code).to.equal(0);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(/^no HTML report: Java was not found/);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).to.include('no HTML report: Java was not found');
  });

  it('exits 2 naming the file and field of a damaged results file, before rewriting anything', async () => {
    await writeFile(join(dir, 'results.json'), JSON.stringify({ version: 1, results: [{ id: 'x' }] }));
    const { code, stderr } = await runKpc(['report', dir]);
    expect(code).to.equal(2);
    expect(stderr).to.include(join(dir, 'results.json')).and.include('results.0.');
    await stat(join(dir, 'junit.xml')).then(
      () => expect.fail('junit.xml was written'),
      () => undefined,
    );
  });
});
