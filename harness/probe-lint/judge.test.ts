import { expect } from 'chai';
import type { ExecObservation } from './classify.ts';
import type { Executor } from './exec.ts';
import { type ProbeLintInput, probeLintInputSchema } from './input.ts';
import { judge, runCheckpoints } from './judge.ts';

/**
 * A pretend container: a set of files and the programs `touch`, `rm`, `test -f`, `sleep N`; anything
 * else is "not found", exactly as runc words it.
 */
function fakeContainer(programs = ['touch', 'rm', 'test', 'sleep']): {
  exec: Executor;
  commands: string[][];
} {
  const files = new Set<string>();
  const commands: string[][] = [];
  const exited = (exitCode: number, stdout = ''): ExecObservation => ({
    kind: 'exited',
    exitCode,
    stdout,
    stderr: '',
    durationMs: 3,
  });
  const exec: Executor = async (command, timeoutMs) => {
    commands.push(command);
    const [program, ...args] = command;
    if (!programs.includes(program!)) {
      return exited(
        126,
        `OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown\r\n`,
      );
    }
    switch (program) {
      case 'touch':
        files.add(args[0]!);
        return exited(0);
      case 'rm':
        return exited(files.delete(args[0]!) ? 0 : 1);
      case 'test':
        return exited(files.has(args[1]!) ? 0 : 1);
      default:
        return Number(args[0]) * 1000 > timeoutMs
          ? { kind: 'timed-out', stdout: '', stderr: '', durationMs: timeoutMs }
          : exited(0);
    }
  };
  return { exec, commands };
}

const base: ProbeLintInput = {
  image: 'dev.local/kpc/workload:abc',
  container: 'sidecar',
  env: { READY: '/tmp/ready' },
  probes: [{ kind: 'readiness', exec: { command: ['test', '-f', '$(READY)'] }, timeoutSeconds: 1 }],
  checkpoints: [
    { name: 'initial', expect: 'fail' },
    { name: 'after-touch', before: [['touch', '/tmp/ready']], expect: 'pass' },
    { name: 'after-rm', before: [['rm', '/tmp/ready']], expect: 'fail' },
  ],
};

async function lint(input: ProbeLintInput, programs?: string[]) {
  const plan = probeLintInputSchema.parse(input);
  const container = fakeContainer(programs);
  const checkpoints = await runCheckpoints(plan, container.exec);
  return { checkpoints, findings: judge(plan, checkpoints), commands: container.commands };
}

describe('probe-lint checkpoints and findings', () => {
  it('passes a probe that toggles with its file, running steps before probes with $(VAR) expanded', async () => {
    const { checkpoints, findings, commands } = await lint(base);
    expect(findings).to.deep.equal([]);
    expect(checkpoints.map((c) => [c.name, c.passed, c.probes[0]!.run.result])).to.deep.equal([
      ['initial', true, 'failure'],
      ['after-touch', true, 'success'],
      ['after-rm', true, 'failure'],
    ]);
    expect(commands).to.deep.equal([
      ['test', '-f', '/tmp/ready'],
      ['touch', '/tmp/ready'],
      ['test', '-f', '/tmp/ready'],
      ['rm', '/tmp/ready'],
      ['test', '-f', '/tmp/ready'],
    ]);
  });

  it('reports a missing program once, as the kubelet would treat it', async () => {
    const input = {
      ...base,
      probes: [{ kind: 'readiness' as const, exec: { command: ['cat', '/tmp/ready'] } }],
    };
    const { findings, checkpoints } = await lint(input);
    // Errored, not failed: it matches no expectation, not even `fail`.
    expect(checkpoints.map((c) => [c.probes[0]!.run.result, c.passed])).to.deep.equal([
      ['unknown', false],
      ['unknown', false],
      ['unknown', false],
    ]);
    expect(findings).to.have.length(1);
    expect(findings[0]).to.include({ kind: 'command-not-found', probe: 'readiness' });
    expect(findings[0]!.message).to.match(
      /^readiness probe command `cat` not found in image dev\.local\/kpc\/workload:abc \(OCI runtime exec failed: .*"cat": executable file not found in \$PATH: unknown\); the kubelet reports the probe as errored and never changes the container's readiness$/,
    );
  });

  it('reports a probe that can never pass, with each checkpoint’s reason', async () => {
    const input = {
      ...base,
      probes: [{ kind: 'readiness' as const, exec: { command: ['test', '-f', '/tmp/wrong-path'] } }],
    };
    const { findings } = await lint(input);
    expect(findings).to.deep.equal([
      {
        kind: 'never-passes',
        probe: 'readiness',
        message:
          'readiness probe can never pass: `test -f /tmp/wrong-path` failed at every checkpoint (initial: exit 1; after-touch: exit 1; after-rm: exit 1)',
      },
    ]);
  });

  it('reports a timeout as a failure with the kubelet’s message', async () => {
    const input: ProbeLintInput = {
      ...base,
      probes: [{ kind: 'liveness', exec: { command: ['sleep', '2'] }, timeoutSeconds: 1 }],
      checkpoints: [{ name: 'steady', expect: 'pass' }],
    };
    const { findings, checkpoints } = await lint(input);
    expect(checkpoints[0]!.probes[0]!.run).to.include({ result: 'failure', reason: 'timeout' });
    expect(findings[0]!.message).to.include('command timed out: "sleep 2" timed out after 1s');
    const relaxed = {
      ...input,
      probes: [{ kind: 'liveness' as const, exec: { command: ['sleep', '2'] }, timeoutSeconds: 3 }],
    };
    expect((await lint(relaxed)).findings).to.deep.equal([]);
  });

  it('reports per-checkpoint surprises and failed steps, and limits expectations to chosen probe kinds', async () => {
    const input: ProbeLintInput = {
      ...base,
      probes: [
        { kind: 'readiness', exec: { command: ['test', '-f', '/tmp/ready'] } },
        { kind: 'liveness', exec: { command: ['test', '-f', '/tmp/ready'] } },
      ],
      checkpoints: [
        { name: 'touched', before: [['touch', '/tmp/ready']], expect: 'fail', probes: ['readiness'] },
        {
          name: 'removed',
          before: [
            ['rm', '/tmp/ready'],
            ['rm', '/tmp/ready'],
          ],
          expect: 'pass',
        },
      ],
    };
    const { findings, checkpoints } = await lint(input);
    expect(checkpoints[0]!.probes.map((p) => [p.probe, p.expected, p.matches])).to.deep.equal([
      ['readiness', 'fail', false],
      ['liveness', undefined, true],
    ]);
    expect(findings.map((f) => [f.kind, f.probe, f.checkpoint])).to.deep.equal([
      ['step-failed', undefined, 'removed'],
      ['unexpected-pass', 'readiness', 'touched'],
      ['unexpected-fail', 'readiness', 'removed'],
      ['unexpected-fail', 'liveness', 'removed'],
    ]);
    expect(findings[0]!.message).to.equal(
      'exec step `rm /tmp/ready` before checkpoint "removed" failed (exit 1)',
    );
  });

  it('reports a container that is not running at a checkpoint', async () => {
    const plan = probeLintInputSchema.parse(base);
    const exec: Executor = async () => ({
      kind: 'not-running',
      message: 'container 1a2b is not running',
      durationMs: 1,
    });
    const findings = judge(plan, await runCheckpoints(plan, exec));
    expect(findings.map((f) => f.kind)).to.deep.equal([
      'container-not-running',
      'container-not-running',
      'container-not-running',
    ]);
    expect(findings[1]!.message).to.equal(
      'container sidecar (dev.local/kpc/workload:abc) is not running at checkpoint "after-touch": container 1a2b is not running',
    );
  });

  it('validates its input with field paths', () => {
    const result = probeLintInputSchema.safeParse({
      ...base,
      probes: [{ kind: 'ready', exec: { command: [] }, timeoutSeconds: 0 }],
    });
    expect(result.success).to.equal(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).to.have.members([
      'probes.0.kind',
      'probes.0.exec.command',
      'probes.0.timeoutSeconds',
    ]);
  });

  it('with `any` checkpoints reports only what cannot run, and a probe that must pass somewhere but never does', async () => {
    const typo: ProbeLintInput = {
      ...base,
      checkpoints: [
        { name: 'initial', expect: 'any' },
        { name: 'after-touch', before: [['touch', '/tmp/readyy']], expect: 'any' },
      ],
      mustPassSomewhere: ['readiness'],
    };
    const plan = probeLintInputSchema.parse(typo);
    const quickSettle = { timeoutMs: 30, intervalMs: 10 };
    const results = await runCheckpoints(plan, fakeContainer().exec, undefined, quickSettle);
    expect(results.every((r) => r.passed)).to.equal(true);
    expect(results.at(-1)!.name).to.match(/^later \(probed every 10 ms/);
    expect(judge(plan, results).map((f) => f.kind)).to.deep.equal(['never-passes']);
    const fixed = probeLintInputSchema.parse({
      ...typo,
      checkpoints: [
        typo.checkpoints[0],
        { name: 'after-touch', before: [['touch', '/tmp/ready']], expect: 'any' },
      ],
    });
    expect(judge(fixed, await runCheckpoints(fixed, fakeContainer().exec))).to.deep.equal([]);
  });

  it('keeps probing a probe that must pass, as the kubelet does, until the container makes it pass', async () => {
    const container = fakeContainer();
    let probes = 0;
    // The container's own command creates the file a little later (after the third probe).
    const exec: typeof container.exec = async (command, timeoutMs) => {
      if (command[0] === 'test' && ++probes === 3) await container.exec(['touch', '/tmp/ready'], timeoutMs);
      return container.exec(command, timeoutMs);
    };
    const plan = probeLintInputSchema.parse({
      ...base,
      checkpoints: [{ name: 'start', expect: 'any' }],
      mustPassSomewhere: ['readiness'],
    });
    const results = await runCheckpoints(plan, exec, undefined, { timeoutMs: 1_000, intervalMs: 5 });
    expect(results.at(-1)!.probes[0]!.run.result).to.equal('success');
    expect(judge(plan, results)).to.deep.equal([]);
  });
});
