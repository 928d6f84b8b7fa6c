import { expect } from 'chai';
import { classifyProbe, maxProbeOutputBytes, probeOutput } from './classify.ts';

describe('kubelet probe result mapping', () => {
  const cmd = ['sh', '-c', 'test -f ready'];
  it('exit 0 is success and keeps the output', () => {
    expect(
      classifyProbe(cmd, { kind: 'exited', exitCode: 0, stdout: 'ok\n', stderr: '', durationMs: 5 }, 1),
    ).to.deep.equal({
      command: cmd,
      result: 'success',
      reason: 'exit-zero',
      exitCode: 0,
      output: 'ok\n',
      durationMs: 5,
    });
  });

  it('another exit is failure with the command’s own output, stdout before stderr', () => {
    const run = classifyProbe(
      cmd,
      { kind: 'exited', exitCode: 1, stdout: 'out ', stderr: 'err', durationMs: 5 },
      1,
    );
    expect(run).to.include({ result: 'failure', reason: 'exit-nonzero', exitCode: 1, output: 'out err' });
  });

  it('a timeout is failure with the kubelet’s message', () => {
    const run = classifyProbe(cmd, { kind: 'timed-out', stdout: '', stderr: '', durationMs: 1003 }, 1);
    expect(run).to.include({
      result: 'failure',
      reason: 'timeout',
      output: 'command timed out: "sh -c test -f ready" timed out after 1s',
    });
  });

  it('a missing program is an error (unknown), not a failure', () => {
    const message =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "cat": executable file not found in $PATH: unknown\r\n';
    const run = classifyProbe(
      ['cat', '/tmp/ready'],
      { kind: 'exited', exitCode: 126, stdout: message, stderr: '', durationMs: 9 },
      1,
    );
    expect(run).to.include({ result: 'unknown', reason: 'not-found', exitCode: 126 });
    const path =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/nope": stat /bin/nope: no such file or directory: unknown';
    expect(
      classifyProbe(
        ['/bin/nope'],
        { kind: 'exited', exitCode: 126, stdout: path, stderr: '', durationMs: 1 },
        1,
      ).reason,
    ).to.equal('not-found');
    // A program that itself exits 126 with other output is an ordinary failure.
    expect(
      classifyProbe(
        ['x'],
        { kind: 'exited', exitCode: 126, stdout: 'permission denied', stderr: '', durationMs: 1 },
        1,
      ).reason,
    ).to.equal('exit-nonzero');
  });

  it('keeps only the first 10 240 bytes of output', () => {
    expect(probeOutput('a'.repeat(10_000), 'b'.repeat(1_000))).to.have.length(maxProbeOutputBytes);
    expect(probeOutput('a'.repeat(10_000), 'b'.repeat(1_000)).endsWith('b'.repeat(240))).to.equal(true);
  });
});
