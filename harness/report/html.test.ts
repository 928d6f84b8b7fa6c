import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { describeHtmlStatus, executorInfo, findJava, generateHtmlReport } from './html.ts';

describe('HTML report without Java', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpc-html-'));
    await mkdir(join(dir, 'allure-results'));
    await mkdir(join(dir, 'allure-history'));
    await writeFile(join(dir, 'allure-history', 'history.json'), '{"candidate/x":{}}');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const options = (env: NodeJS.ProcessEnv) => ({
    allureResultsDir: join(dir, 'allure-results'),
    reportDir: join(dir, 'allure-report'),
    historyDir: join(dir, 'allure-history'),
    env,
  });

  it('says so in one line, and still carries the history into the Allure results', async () => {
    const status = await generateHtmlReport(options({ PATH: join(dir, 'no-bin') }));
    expect(status.status).to.equal('no-java');
    const line = describeHtmlStatus(status);
    expect(line).to.not.include('\n');
    expect(line).to.match(/^no HTML report: Java was not found \(no java on PATH and JAVA_HOME is not set\)/);
    expect(line).to.include('kpc report');
    expect(await readFile(join(dir, 'allure-results', 'history', 'history.json'), 'utf8')).to.include(
      'candidate/x',
    );
  });

  it('names a JAVA_HOME without a java in it', async () => {
    const java = await findJava({ JAVA_HOME: join(dir, 'jdk'), PATH: process.env.PATH });
    expect(java).to.deep.equal({
      found: false,
      reason: `JAVA_HOME=${join(dir, 'jdk')} has no working bin/java`,
    });
  });
});

describe('Allure executor info', () => {
  it('links the report to the GitHub Actions run, and is absent elsewhere', () => {
    expect(
      executorInfo({
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/kpc',
        GITHUB_RUN_ID: '99',
        GITHUB_RUN_NUMBER: '7',
        GITHUB_WORKFLOW: 'nightly',
      }),
    ).to.deep.equal({
      name: 'GitHub Actions',
      type: 'github',
      url: 'https://github.com',
      buildOrder: 7,
      buildName: 'nightly #7',
      buildUrl: 'https://github.com/acme/kpc/actions/runs/99',
    });
    expect(executorInfo({})).to.equal(undefined);
  });
});
