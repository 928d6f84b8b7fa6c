import { stringify } from 'yaml';
import type { FakePki } from './pki.ts';

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** A kubeconfig shaped like `kind get kubeconfig`: one cluster, one admin user with an embedded client cert. */
export function renderKubeconfig(server: string, pki: FakePki, context = 'fake'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': context,
    clusters: [{ name: context, cluster: { server, 'certificate-authority-data': b64(pki.caCertPem) } }],
    users: [
      {
        name: `${context}-admin`,
        user: {
          'client-certificate-data': b64(pki.clientCertPem),
          'client-key-data': b64(pki.clientKeyPem),
        },
      },
    ],
    contexts: [{ name: context, context: { cluster: context, user: `${context}-admin` } }],
  });
}
