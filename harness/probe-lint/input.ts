import { z } from 'zod';

export const probeKinds = ['readiness', 'liveness', 'startup'] as const;
export type ProbeKind = (typeof probeKinds)[number];

const commandLine = z.array(z.string()).min(1, 'a command needs at least the program');

const probe = z
  .object({
    kind: z.enum(probeKinds),
    exec: z.object({ command: commandLine }).strict(),
    /** kubelet-probe-facts.md §1.1: default 1, minimum 1. */
    timeoutSeconds: z.number().int().min(1).default(1),
  })
  .strict();

const checkpoint = z
  .object({
    name: z.string().min(1),
    /** Exec steps run in the container first, in order (e.g. `touch /tmp/ready`). */
    before: z.array(commandLine).default([]),
    /** What every probe (or those of `probes`) must do right after the steps; `any`: only that it runs. */
    expect: z.enum(['pass', 'fail', 'any']),
    /** Limit the expectation to these probe kinds; default all. */
    probes: z.array(z.enum(probeKinds)).optional(),
  })
  .strict();

/**
 * One container's exec probes and the points a scenario implies for them. `command`/`args` and `env`
 * follow the Kubernetes container fields (`command` replaces the image entrypoint and drops its CMD).
 */
export const probeLintInputSchema = z
  .object({
    image: z.string().min(1),
    container: z.string().min(1),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** Mount paths of the pod's emptyDir volumes: writable scratch directories, as tmpfs here. */
    emptyDirs: z.array(z.string().regex(/^\//, 'an absolute path')).optional(),
    probes: z.array(probe).min(1),
    checkpoints: z.array(checkpoint).min(1),
    /** Probes that must pass at one checkpoint at least (the scenario expects the container to turn ready). */
    mustPassSomewhere: z.array(z.enum(probeKinds)).optional(),
  })
  .strict();

export type ProbeLintInput = z.input<typeof probeLintInputSchema>;
export type ProbeLintPlan = z.output<typeof probeLintInputSchema>;
export type ProbeSpec = ProbeLintPlan['probes'][number];
export type Checkpoint = ProbeLintPlan['checkpoints'][number];
