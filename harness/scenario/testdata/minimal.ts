/** A small valid scenario for tests, as text, so tests can mutate it and check reported positions. */
export const minimalScenario = `apiVersion: kpc/v1
name: minimal
description: a sidecar with an exec readiness probe
level: MUST
tags: [sidecar]
requires:
  features:
    multi-container-probing: Enabled
matrix:
  period: [1, 5]
service:
  apiVersion: serving.knative.dev/v1
  kind: Service
  spec:
    template:
      spec:
        containers:
          - name: app
            image: '{{ images.workload }}'
            ports: [{ containerPort: 8080 }]
          - name: sidecar
            image: '{{ images.workload }}'
            readinessProbe:
              exec: { command: [test, -f, /tmp/ready] }
              periodSeconds: '{{ params.period }}'
steps:
  - name: create
    apply: {}
  - name: touch
    variants: [candidate]
    exec: { container: sidecar, command: [touch, /tmp/ready] }
  - name: ready
    variants: [candidate]
    wait: { until: [sidecar-ready], timeout: 1m }
expectations:
  baseline:
    - name: controller-error
      event: { reason: InternalError, object: { kind: Revision, name: '{{ service }}-00001' } }
  candidate:
    - name: sidecar-ready
      reach: { container: { name: sidecar, ready: true } }
      by:
        after: { step: touch }
        within: { probe: { container: sidecar }, transition: becomes-ready }
`;

/** The minimal scenario with one line replaced (1-based line number, whole line). */
export function withLine(line: number, text: string): string {
  const lines = minimalScenario.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

/** The 1-based line number of the first line containing `needle`. */
export function lineOf(needle: string, text = minimalScenario): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}
