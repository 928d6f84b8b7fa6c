/** Marks every namespace kpc creates: which run, and which scenario within it. */
export const RUN_LABEL = 'kpc.knative.dev/run';
export const SCENARIO_LABEL = 'kpc.knative.dev/scenario';

const nameSegment = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks keys and values against Kubernetes label syntax; the error names the offending label. */
export function validateLabels(labels: Record<string, string>, where: string): void {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const keyOk =
      name.length <= 63 &&
      nameSegment.test(name) &&
      (prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix)));
    if (!keyOk)
      throw new Error(`${where}: label key ${JSON.stringify(key)} is not a valid Kubernetes label key`);
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !nameSegment.test(value))) {
      throw new Error(
        `${where}: label ${key}=${JSON.stringify(value)}: values are at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`,
      );
    }
  }
}
