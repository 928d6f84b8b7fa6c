/**
 * The Allure HTML report: `allure generate` of allure-commandline's bundled Allure 2 (Java), with
 * the history carried from one run to the next so trends show. Without Java it says so in one line
 * and the caller still has every other output.
 */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export type JavaRuntime = { found: true; version: string } | { found: false; reason: string };

/** The Java the allure script will use: `$JAVA_HOME/bin/java`, else `java` on PATH (as the script decides). */
export async function findJava(env: NodeJS.ProcessEnv): Promise<JavaRuntime> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const out = await execa(java, ['-version'], { env, reject: false, timeout: 30_000 });
  const version = /version "([^"]+)"/.exec(`${out.stderr}\n${out.stdout}`)?.[1];
  if (out.exitCode === 0 && version) return { found: true, version };
  return {
    found: false,
    reason: env.JAVA_HOME
      ? `JAVA_HOME=${env.JAVA_HOME} has no working bin/java`
      : 'no java on PATH and JAVA_HOME is not set',
  };
}

/** allure-commandline's own launcher, called with node: the `allure` bin name clashes with Allure 3's. */
export function allureCommandline(): string {
  const pkg = createRequire(import.meta.url).resolve('allure-commandline/package.json');
  return join(dirname(pkg), 'bin', 'allure');
}

/**
 * Generating a kpc-sized report is a short JVM run: the client compiler and serial GC cut its CPU time
 * by about 40% here (2.5 s instead of 4 s user time). ALLURE_OPTS set by the user wins.
 */
const quickJvm = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export type HtmlReportStatus =
  | { status: 'generated'; reportDir: string; durationMs: number; java: string }
  | { status: 'no-java'; message: string }
  | { status: 'failed'; message: string };

export interface HtmlReportOptions {
  allureResultsDir: string;
  reportDir: string;
  /**
   * Allure's history between runs (the nightly workflow caches `out/allure-history`): copied into
   * the results before generating and refreshed from the new report after.
   */
  historyDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Shown as the report's title. */
  name?: string;
}

/** The previous run's history (cached dir, else the last report here) into the results Allure reads. */
async function restoreHistory(options: HtmlReportOptions): Promise<void> {
  const historyIn = join(options.allureResultsDir, 'history');
  for (const source of [options.historyDir, join(options.reportDir, 'history')]) {
    if (source && (await hasFiles(source))) {
      await rm(historyIn, { recursive: true, force: true });
      await cp(source, historyIn, { recursive: true });
      return;
    }
  }
}

const hasFiles = (dir: string) =>
  readdir(dir).then(
    (entries) => entries.length > 0,
    () => false,
  );

/** CI build information for Allure's trend tooltips and "Executors" widget (GitHub Actions only). */
export function executorInfo(env: NodeJS.ProcessEnv): Record<string, string | number> | undefined {
  if (!env.GITHUB_ACTIONS || !env.GITHUB_RUN_ID) return undefined;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  return {
    name: 'GitHub Actions',
    type: 'github',
    url: server,
    ...(env.GITHUB_RUN_NUMBER ? { buildOrder: Number(env.GITHUB_RUN_NUMBER) } : {}),
    buildName: `${env.GITHUB_WORKFLOW ?? 'kpc'} #${env.GITHUB_RUN_NUMBER ?? env.GITHUB_RUN_ID}`,
    buildUrl: runUrl,
  };
}

export async function generateHtmlReport(options: HtmlReportOptions): Promise<HtmlReportStatus> {
  const env = options.env ?? process.env;
  // Restored even without Java, so allure-results is complete for whoever renders it later.
  await restoreHistory(options);
  const java = await findJava(env);
  if (!java.found) {
    return {
      status: 'no-java',
      message:
        `no HTML report: Java was not found (${java.reason}); results.json, junit.xml, summary.md and ` +
        `${options.allureResultsDir} are written — install a Java runtime 8+ and run \`kpc report\` to render it`,
    };
  }
  const executor = executorInfo(env);
  if (executor) await writeFile(join(options.allureResultsDir, 'executor.json'), JSON.stringify(executor));
  const started = Date.now();
  const args = ['generate', options.allureResultsDir, '-o', options.reportDir, '--clean'];
  if (options.name) args.push('--name', options.name);
  const run = await execa(process.execPath, [allureCommandline(), ...args], {
    env: { ...env, ALLURE_OPTS: env.ALLURE_OPTS ?? quickJvm },
    reject: false,
    all: true,
  });
  if (run.exitCode !== 0 || run.failed) {
    const tail = (run.all ?? '').trim().split('\n').slice(-3).join(' | ');
    return { status: 'failed', message: `allure generate exited ${run.exitCode ?? run.signal}: ${tail}` };
  }
  if (options.historyDir && (await hasFiles(join(options.reportDir, 'history')))) {
    await rm(options.historyDir, { recursive: true, force: true });
    await mkdir(dirname(options.historyDir), { recursive: true });
    await cp(join(options.reportDir, 'history'), options.historyDir, { recursive: true });
  }
  return {
    status: 'generated',
    reportDir: options.reportDir,
    durationMs: Date.now() - started,
    java: java.version,
  };
}

/** One line for the terminal and the summary. */
export function describeHtmlStatus(s: HtmlReportStatus): string {
  switch (s.status) {
    case 'generated':
      return `HTML report: ${join(s.reportDir, 'index.html')} (Allure 2 on Java ${s.java}, ${(s.durationMs / 1000).toFixed(1)}s; open it with \`npx allure-commandline open ${s.reportDir}\` or any static web server)`;
    case 'no-java':
    case 'failed':
      return s.message;
  }
}
