import type { ComponentName } from '../config/images.ts';
import type { KnativeVersion } from '../config/knative-releases.ts';

/** A named Knative install: release, image overrides and cluster-wide configuration. */
export interface Variant {
  name: string;
  release: KnativeVersion;
  /** component → image reference (ideally `repo@sha256:…`) replacing the release's image. */
  images: Partial<Record<ComponentName, string>>;
  /** Keys set at the top level of `data` of `config-features`. */
  features: Record<string, string>;
  /** Keys set at the top level of `data` of `config-deployment` (e.g. progress-deadline). */
  deployment: Record<string, string>;
}

export const systemNamespace = 'knative-serving';
export const kourierNamespace = 'kourier-system';
/** The routing domain; requests reach a Service through the ingress with a Host header under it. */
export const clusterDomain = 'kpc.test';
/** NodePort of the Kourier gateway; kind maps it to a host port (harness/cluster). */
export const kourierNodePort = 31080;
