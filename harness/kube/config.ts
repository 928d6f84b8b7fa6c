import { KubeConfig } from '@kubernetes/client-node';
import { redactedMessage } from './redact.ts';

export interface KubeSource {
  /** A kubeconfig file. */
  kubeconfigPath?: string;
  /** Kubeconfig text, e.g. the stdout of `kind get kubeconfig --name x`. */
  kubeconfigYaml?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
}

/**
 * Loads a kubeconfig from a path, a YAML string or (neither given) the default chain
 * ($KUBECONFIG, ~/.kube/config, in-cluster), then selects the context. Errors never quote the
 * file's content: YAML parser messages include a snippet, which may be key material.
 */
export function loadKubeConfig(source: KubeSource): KubeConfig {
  if (source.kubeconfigPath !== undefined && source.kubeconfigYaml !== undefined) {
    throw new Error('kubeconfig: give either kubeconfigPath or kubeconfigYaml, not both');
  }
  const kc = new KubeConfig();
  const origin =
    source.kubeconfigPath ?? (source.kubeconfigYaml !== undefined ? 'the given YAML' : 'the default chain');
  try {
    if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
    else if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
    else kc.loadFromDefault();
  } catch (err) {
    const detail =
      source.kubeconfigPath !== undefined && isMissingFile(err)
        ? 'file not found'
        : firstLine(redactedMessage(err));
    throw new Error(`kubeconfig from ${origin} could not be read: ${detail}`);
  }
  if (source.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(source.context)) {
      throw new Error(
        `kubeconfig from ${origin} has no context "${source.context}" (contexts: ${names.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(
      `kubeconfig from ${origin} has no usable current context (current-context: "${kc.getCurrentContext()}")`,
    );
  }
  if (!cluster.server)
    throw new Error(`kubeconfig from ${origin}: cluster "${cluster.name}" has no server URL`);
  return kc;
}

/** Exact credential values in the selected user, so they can be redacted wherever they turn up. */
export function kubeconfigSecrets(kc: KubeConfig): string[] {
  const user = kc.getCurrentUser();
  if (!user) return [];
  const values = [user.token, user.keyData, user.password];
  if (user.keyData) values.push(Buffer.from(user.keyData, 'base64').toString('utf8'));
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

const isMissingFile = (err: unknown) => (err as { code?: unknown }).code === 'ENOENT';
const firstLine = (text: string) => text.split('\n', 1)[0] ?? text;
