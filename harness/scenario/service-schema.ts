/**
 * The Knative Service template of a scenario. Probes and containers are checked strictly (a
 * misspelled `periodSecond` would otherwise be pruned by the API server and the scenario would
 * silently test the defaults); fields kpc does not reason about are accepted with any value.
 * Values Knative itself must judge (negative thresholds, two handlers, no port) stay allowed:
 * admission scenarios send them on purpose.
 */
import { z } from 'zod';
import { mergeable, spreadable, templated } from './template-schema.ts';

const int = (what = 'an integer') => templated(z.int(), what);
const any = z.unknown();
const intOrName = templated(z.union([z.int(), z.string().min(1)]), 'a port number or name');

const stringMap = z.record(z.string(), z.string());

const metadataSchema = mergeable({
  name: z.string().min(1).optional().describe('default {{ service }}; must render to the case Service name'),
  namespace: z.string().min(1).optional().describe('default {{ namespace }}'),
  labels: stringMap.optional(),
  annotations: stringMap.optional().describe('e.g. autoscaling.knative.dev/min-scale: "1" (strings only)'),
}).meta({ id: 'ObjectMeta' });

const probeSchema = mergeable({
  exec: z
    .strictObject({ command: spreadable(z.string()).min(1).describe('run directly, no shell') })
    .optional(),
  httpGet: z
    .strictObject({
      path: z.string().optional(),
      port: intOrName.optional(),
      host: z.string().optional(),
      scheme: z.enum(['HTTP', 'HTTPS']).optional(),
      httpHeaders: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
    })
    .optional(),
  tcpSocket: z.strictObject({ port: intOrName.optional(), host: z.string().optional() }).optional(),
  grpc: z.strictObject({ port: int('a port number').optional(), service: z.string().optional() }).optional(),
  initialDelaySeconds: int().optional(),
  timeoutSeconds: int().optional(),
  periodSeconds: int().optional().describe('0 (or unset) on a readiness probe: Knative aggressive probing'),
  successThreshold: int().optional(),
  failureThreshold: int().optional(),
  terminationGracePeriodSeconds: int().optional(),
}).meta({ id: 'Probe' });

const containerPortSchema = mergeable({
  containerPort: int('a port number'),
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  hostPort: int().optional(),
  hostIP: z.string().optional(),
});

const envVarSchema = mergeable({
  name: z.string().min(1),
  value: z.string().optional().describe('a string; quote numbers'),
  valueFrom: any.optional(),
});

/** core/v1 Container: every field is known, the probe-related ones are typed. */
const containerSchema = mergeable({
  name: z.string().min(1).optional(),
  image: z.string().min(1).describe('e.g. {{ images.workload }}'),
  command: spreadable(z.string()).optional(),
  args: spreadable(z.string()).optional(),
  workingDir: z.string().optional(),
  ports: spreadable(containerPortSchema).optional().describe('only the serving container has ports'),
  envFrom: any.optional(),
  env: spreadable(envVarSchema).optional(),
  resources: any.optional(),
  resizePolicy: any.optional(),
  restartPolicy: any.optional(),
  volumeMounts: any.optional(),
  volumeDevices: any.optional(),
  livenessProbe: probeSchema.optional(),
  readinessProbe: probeSchema.optional(),
  startupProbe: probeSchema.optional(),
  lifecycle: any.optional(),
  terminationMessagePath: z.string().optional(),
  terminationMessagePolicy: z.enum(['File', 'FallbackToLogsOnError']).optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  securityContext: any.optional(),
  stdin: z.boolean().optional(),
  stdinOnce: z.boolean().optional(),
  tty: z.boolean().optional(),
}).meta({ id: 'Container' });

/** A Revision spec: the PodSpec fields Knative accepts plus its own. */
const revisionSpecSchema = mergeable({
  containers: spreadable(containerSchema).min(1),
  containerConcurrency: int().optional(),
  timeoutSeconds: int().optional(),
  responseStartTimeoutSeconds: int().optional(),
  idleTimeoutSeconds: int().optional(),
  volumes: any.optional(),
  initContainers: any.optional(),
  serviceAccountName: z.string().optional(),
  imagePullSecrets: any.optional(),
  enableServiceLinks: z.boolean().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  terminationGracePeriodSeconds: int().optional(),
  affinity: any.optional(),
  tolerations: any.optional(),
  nodeSelector: stringMap.optional(),
  runtimeClassName: z.string().optional(),
  securityContext: any.optional(),
  priorityClassName: z.string().optional(),
  schedulerName: z.string().optional(),
  topologySpreadConstraints: any.optional(),
  dnsPolicy: z.string().optional(),
  dnsConfig: any.optional(),
  hostAliases: any.optional(),
  hostIPC: z.boolean().optional(),
  hostPID: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  shareProcessNamespace: z.boolean().optional(),
});

export const serviceTemplateSchema = z
  .strictObject({
    apiVersion: z.literal('serving.knative.dev/v1'),
    kind: z.literal('Service'),
    metadata: metadataSchema.optional(),
    spec: z.strictObject({
      template: z.strictObject({
        metadata: metadataSchema.optional(),
        spec: revisionSpecSchema,
      }),
      traffic: any.optional(),
    }),
  })
  .meta({
    id: 'ServiceTemplate',
    description: 'a Knative Service (serving.knative.dev/v1); name and namespace are the case’s',
  });

export type ServiceTemplate = z.infer<typeof serviceTemplateSchema>;
export type ContainerTemplate = z.infer<typeof containerSchema>;
export type ProbeTemplate = z.infer<typeof probeSchema>;
