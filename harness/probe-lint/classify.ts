/** What one exec in the container did, before any kubelet interpretation. */
export type ExecObservation =
  | { kind: 'exited'; exitCode: number; stdout: string; stderr: string; durationMs: number }
  | { kind: 'timed-out'; stdout: string; stderr: string; durationMs: number }
  /** The exec could not even be created: the container is not running. */
  | { kind: 'not-running'; message: string; durationMs: number };

/** The kubelet's probe results (kubelet-probe-facts.md §2.2). */
export type ProbeResult = 'success' | 'failure' | 'unknown';

export type ProbeReason = 'exit-zero' | 'exit-nonzero' | 'timeout' | 'not-found' | 'container-not-running';

export interface ProbeRun {
  command: string[];
  result: ProbeResult;
  reason: ProbeReason;
  exitCode?: number;
  /** What the kubelet would keep as the probe output. */
  output: string;
  durationMs: number;
}

/** The kubelet keeps only the first 10 240 bytes of stdout followed by stderr (kubelet-probe-facts.md §2.2). */
export const maxProbeOutputBytes = 10 * 1024;

/**
 * runc's message when the program does not exist, e.g. `OCI runtime exec failed: exec failed: unable to
 * start container process: exec: "cat": executable file not found in $PATH: unknown` (Docker answers
 * it with exit 126; on containerd the CRI returns it as an error, kubelet-probe-facts.md §2.4).
 */
const notFound = /exec failed: .*(executable file not found|no such file or directory)/;

export function probeOutput(stdout: string, stderr: string): string {
  const bytes = Buffer.from(stdout + stderr);
  return bytes.length > maxProbeOutputBytes
    ? bytes.subarray(0, maxProbeOutputBytes).toString()
    : stdout + stderr;
}

/**
 * The result the kubelet (Kubernetes 1.35+, or earlier with ExecProbeTimeout on) would record: exit 0
 * is success, another exit is failure with the command's own output, a timeout is failure with
 * `command timed out: "<cmd>" timed out after <N>s`, and a missing program is an error, i.e. unknown,
 * which changes no readiness at all (kubelet-probe-facts.md §2.2–2.4).
 */
export function classifyProbe(
  command: string[],
  observation: ExecObservation,
  timeoutSeconds: number,
): ProbeRun {
  const { durationMs } = observation;
  switch (observation.kind) {
    case 'not-running':
      return {
        command,
        result: 'unknown',
        reason: 'container-not-running',
        output: observation.message,
        durationMs,
      };
    case 'timed-out':
      return {
        command,
        result: 'failure',
        reason: 'timeout',
        output: `command timed out: "${command.join(' ')}" timed out after ${timeoutSeconds}s`,
        durationMs,
      };
    case 'exited': {
      const output = probeOutput(observation.stdout, observation.stderr);
      const { exitCode } = observation;
      if (exitCode === 0)
        return { command, result: 'success', reason: 'exit-zero', exitCode, output, durationMs };
      if ((exitCode === 126 || exitCode === 127) && notFound.test(output)) {
        return {
          command,
          result: 'unknown',
          reason: 'not-found',
          exitCode,
          output: output.trim(),
          durationMs,
        };
      }
      return { command, result: 'failure', reason: 'exit-nonzero', exitCode, output, durationMs };
    }
  }
}
