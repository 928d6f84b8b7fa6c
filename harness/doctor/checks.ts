import { sameVersion, type ToolName, type ToolPin, toolPins, toolsBinDir } from '../config/tools.ts';
import { CGROUP2_SUPER_MAGIC, findExecutable, type Host } from './host.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One row of `kpc doctor`: `fail` blocks the main job, `warn` only a side feature. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export const minimumNode = { major: 20, minor: 19 };
const GiB = 1024 ** 3;
/** A kind node image, Knative's images and a workload image take a few GiB; below this kind runs out. */
export const diskFailBelow = 6 * GiB;
export const diskWarnBelow = 15 * GiB;

export function checkNode(host: Host): CheckResult {
  const [major = 0, minor = 0] = host.nodeVersion.replace(/^v/, '').split('.').map(Number);
  const ok = major > minimumNode.major || (major === minimumNode.major && minor >= minimumNode.minor);
  const need = `>= ${minimumNode.major}.${minimumNode.minor}`;
  return ok
    ? { name: 'node', status: 'ok', detail: `${host.nodeVersion} (needs ${need})` }
    : {
        name: 'node',
        status: 'fail',
        detail: `${host.nodeVersion} is too old (needs ${need})`,
        fix: 'install Node 20.19 or newer (https://nodejs.org/en/download)',
      };
}

export async function checkDocker(host: Host): Promise<CheckResult> {
  const socket = host.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const socketPath = socket.startsWith('unix://') ? socket.slice('unix://'.length) : undefined;
  const out = await host.run('docker', ['version', '--format', '{{.Server.Version}}']);
  if (!out) {
    return {
      name: 'docker',
      status: 'fail',
      detail: 'docker CLI not found',
      fix: 'install Docker Engine (https://docs.docker.com/engine/install/) and start it',
    };
  }
  if (out.exitCode !== 0 || !out.stdout.trim()) {
    const present = socketPath ? await host.exists(socketPath) : true;
    return {
      name: 'docker',
      status: 'fail',
      detail: present
        ? `engine at ${socket} did not answer: ${firstLine(out.stderr)}`
        : `no engine socket at ${socketPath}`,
      fix: 'start the Docker engine (e.g. `sudo systemctl start docker`, or `sudo dockerd &`) or set DOCKER_HOST',
    };
  }
  return { name: 'docker', status: 'ok', detail: `engine ${out.stdout.trim()} at ${socket}` };
}

/** kind and kubectl are needed by the main job; ko only by `kpc images build`. */
export async function checkTool(host: Host, tool: ToolName): Promise<CheckResult> {
  const pin: ToolPin = toolPins[tool];
  const blocking = tool === 'kind';
  const missingStatus: CheckStatus = blocking ? 'fail' : 'warn';
  const fix = `run scripts/install-tools (puts ${tool} ${pin.version} in ${toolsBinDir}), or install it by hand: ${pin.manualInstall}`;
  const path = await findExecutable(host, tool, toolsBinDir);
  if (!path) {
    return { name: tool, status: missingStatus, detail: `not found (needed for ${pin.neededFor})`, fix };
  }
  const out = await host.run(path, pin.versionArgs);
  const found = out && pin.versionPattern.exec(`${out.stdout}\n${out.stderr}`)?.[1];
  if (!found) {
    return { name: tool, status: missingStatus, detail: `${path} did not report a version`, fix };
  }
  if (!sameVersion(found, pin.version)) {
    return {
      name: tool,
      status: 'warn',
      detail: `${path} is ${found}; kpc is tested with ${pin.version}`,
      fix,
    };
  }
  return { name: tool, status: 'ok', detail: `${found} at ${path}` };
}

export async function checkJava(host: Host): Promise<CheckResult> {
  const out = await host.run('java', ['-version']);
  const version = out && /version "([^"]+)"/.exec(out.stderr + out.stdout)?.[1];
  return version
    ? { name: 'java', status: 'ok', detail: `${version} (for the Allure HTML report)` }
    : {
        name: 'java',
        status: 'warn',
        detail: 'not found: runs still write JUnit, summary.md and Allure results, but no HTML report',
        fix: 'install a Java runtime 8+ (e.g. `apt-get install default-jre-headless`)',
      };
}

export async function checkDisk(host: Host): Promise<CheckResult> {
  const free = await host.freeBytes(host.cwd);
  const shown = `${(free / GiB).toFixed(1)} GiB free in ${host.cwd}`;
  if (free < diskFailBelow) {
    return {
      name: 'disk',
      status: 'fail',
      detail: `${shown}; kind and Knative images need at least ${diskFailBelow / GiB} GiB`,
      fix: 'free disk space (e.g. `docker system prune`) or run from a larger volume',
    };
  }
  if (free < diskWarnBelow) {
    return {
      name: 'disk',
      status: 'warn',
      detail: `${shown}; two variant clusters are comfortable above ${diskWarnBelow / GiB} GiB`,
    };
  }
  return { name: 'disk', status: 'ok', detail: shown };
}

/** Kubernetes >= 1.35 kubelets refuse cgroup v1 by default and kind >= 0.32 warns on it (ecosystem.md §6.1). */
export async function checkCgroup(host: Host): Promise<CheckResult> {
  const type = await host.cgroupFsType();
  if (type === undefined) {
    return {
      name: 'cgroup',
      status: 'ok',
      detail: 'no /sys/fs/cgroup here; Docker Desktop runs kind in its own Linux VM',
    };
  }
  if (type === CGROUP2_SUPER_MAGIC) return { name: 'cgroup', status: 'ok', detail: 'v2 (unified)' };
  return {
    name: 'cgroup',
    status: 'fail',
    detail: 'v1: Kubernetes >= 1.35 node images will not start their kubelet on it',
    fix: 'use a host with cgroup v2 (e.g. GitHub ubuntu-24.04 runners; boot with systemd.unified_cgroup_hierarchy=1)',
  };
}

export async function runChecks(host: Host): Promise<CheckResult[]> {
  return Promise.all([
    checkNode(host),
    checkDocker(host),
    checkTool(host, 'kind'),
    checkTool(host, 'kubectl'),
    checkTool(host, 'ko'),
    checkJava(host),
    checkDisk(host),
    checkCgroup(host),
  ]);
}

/** The main job can run when nothing failed; warnings only limit side features. */
export const mainJobCanRun = (results: CheckResult[]): boolean => results.every((r) => r.status !== 'fail');

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
