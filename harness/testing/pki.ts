import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** PEM material for a throw-away cluster: the CA, the API server's serving cert and an admin client cert. */
export interface FakePki {
  readonly caCertPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

// RSA key generation dominates start-up time, so one PKI serves every fake server in a process.
let cached: FakePki | undefined;

export function fakePki(): FakePki {
  cached ??= generatePki();
  return cached;
}

interface KeyPair {
  readonly privatePem: string;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

// Node's native keygen is ~50x faster than node-forge's pure-JS one; forge only builds and signs the certs.
function newKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return {
    privatePem: privateKey,
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
  };
}

let serial = 1;

function newCert(
  subject: forge.pki.CertificateField[],
  publicKey: forge.pki.rsa.PublicKey,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(subject);
  cert.setExtensions(extensions);
  return cert;
}

function generatePki(): FakePki {
  const caKeys = newKeyPair();
  const caSubject = [{ name: 'commonName', value: 'kpc-fake-kubernetes-ca' }];
  const ca = newCert(caSubject, caKeys.publicKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
  ]);
  ca.setIssuer(caSubject);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = newKeyPair();
  const server = newCert([{ name: 'commonName', value: 'kube-apiserver' }], serverKeys.publicKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes.default.svc' },
      ],
    },
  ]);
  server.setIssuer(ca.subject.attributes);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  // Same identity as kind's admin kubeconfig: group system:masters, user kubernetes-admin.
  const clientKeys = newKeyPair();
  const client = newCert(
    [
      { name: 'organizationName', value: 'system:masters' },
      { name: 'commonName', value: 'kubernetes-admin' },
    ],
    clientKeys.publicKey,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  );
  client.setIssuer(ca.subject.attributes);
  client.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    serverCertPem: forge.pki.certificateToPem(server),
    serverKeyPem: serverKeys.privatePem,
    clientCertPem: forge.pki.certificateToPem(client),
    clientKeyPem: clientKeys.privatePem,
  };
}
