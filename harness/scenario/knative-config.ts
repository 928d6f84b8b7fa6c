/**
 * The Knative ConfigMap keys a scenario may require. Knative silently ignores unknown keys and
 * unknown values (knative-facts.md §4), so a typo here would quietly run the wrong configuration:
 * only keys and values documented in the facts sheet are accepted.
 */
import { z } from 'zod';
import { templated } from './template-schema.ts';

const flag = templated(z.enum(['Enabled', 'Allowed', 'Disabled']), 'Enabled, Allowed or Disabled');

/** `config-features` keys (knative-facts.md §4, "config-features"). */
export const featuresSchema = z
  .strictObject({
    'multi-container': flag.optional(),
    'multi-container-probing': flag
      .optional()
      .describe(
        'Disabled by default; only Enabled turns probing of sidecars on (Allowed behaves like Disabled)',
      ),
    'kubernetes.podspec-init-containers': flag.optional(),
    'kubernetes.podspec-persistent-volume-claim': flag.optional(),
    'kubernetes.podspec-persistent-volume-write': flag.optional(),
    'kubernetes.podspec-volumes-emptydir': flag.optional(),
    'kubernetes.podspec-dryrun': flag.optional(),
    'secure-pod-defaults': templated(
      z.enum(['Enabled', 'Allowed', 'Disabled', 'AllowRootBounded']),
      'Enabled, Allowed, Disabled or AllowRootBounded',
    ).optional(),
    'autodetect-http2': flag.optional(),
    'tag-header-based-routing': flag.optional(),
    'queueproxy.mount-podinfo': flag.optional(),
    'queueproxy.resource-defaults': flag.optional(),
  })
  .describe('config-features keys, set at the top level of data');

/** Whole seconds, as Go durations: `30s`, `2m`, `1m30s`; Knative rejects fractions for progress-deadline. */
const wholeSeconds = z
  .string()
  .regex(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, 'a whole-second duration such as 30s or 2m')
  .refine((v) => /[1-9]/.test(v), 'a positive duration');

/** `config-deployment` keys (knative-facts.md §4, "config-deployment"; queue-sidecar-image belongs to the variant). */
export const deploymentSchema = z
  .strictObject({
    'progress-deadline': templated(wholeSeconds, 'a whole-second duration such as 30s')
      .optional()
      .describe('default 600s; becomes Deployment.spec.progressDeadlineSeconds'),
    'digest-resolution-timeout': templated(wholeSeconds, 'a whole-second duration such as 10s').optional(),
    'registries-skipping-tag-resolving': z.string().optional(),
    'pod-is-always-schedulable': templated(z.enum(['true', 'false']), '"true" or "false"')
      .optional()
      .describe('since Knative v1.21'),
  })
  .describe('config-deployment keys');
