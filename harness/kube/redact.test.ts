import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import { toKubeError } from './errors.ts';
import { REDACTED, redact, redactedMessage } from './redact.ts';

const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJlLXN0dWZm';
const opaqueToken = 'abcdef0123456789abcdef0123456789';
const pem =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----';

describe('redact', () => {
  it('removes Authorization headers in header, JSON and inspect notation', () => {
    for (const text of [
      `Authorization: Bearer ${opaqueToken}`,
      `{"authorization":"Bearer ${opaqueToken}","accept":"application/json"}`,
      `headers: { Authorization: 'Basic ${Buffer.from('admin:hunter22').toString('base64')}' }`,
      `Proxy-Authorization: Basic ${opaqueToken}`,
    ]) {
      const out = redact(text);
      expect(out, text).to.contain(REDACTED);
      expect(out, text).not.to.contain(opaqueToken);
      expect(out, text).not.to.contain('YWRtaW46aHVudGVyMjI=');
    }
    expect(redact(`{"authorization":"Bearer ${opaqueToken}","accept":"application/json"}`)).to.contain(
      '"accept":"application/json"',
    );
  });

  it('removes kubeconfig credentials: tokens, client key data, passwords', () => {
    const kubeconfig = [
      'users:',
      '- name: admin',
      '  user:',
      '    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
      '    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==',
      `    token: ${opaqueToken}`,
      '    password: hunter22',
    ].join('\n');
    const out = redact(kubeconfig);
    expect(out).not.to.contain('LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==');
    expect(out).not.to.contain(opaqueToken);
    expect(out).not.to.contain('hunter22');
    expect(out).to.contain(`client-key-data: ${REDACTED}`);
    expect(out).to.contain('client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t');
  });

  it('removes PEM private keys and JWTs wherever they appear', () => {
    const out = redact(`bad key ${pem} and token ${token} in text`);
    expect(out).not.to.contain('MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo');
    expect(out).not.to.contain(token);
    expect(out).to.equal(`bad key ${REDACTED} and token ${REDACTED} in text`);
  });

  it('removes registered exact secrets that match no pattern', () => {
    expect(redact('the value s3cr3t-value leaked', ['s3cr3t-value'])).to.equal(
      `the value ${REDACTED} leaked`,
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'pods "p" is forbidden: User "system:serviceaccount:ns:default" cannot get resource "pods"';
    expect(redact(text)).to.equal(text);
  });

  it('folds causes into one redacted message', () => {
    const err = new Error('request failed', {
      cause: new Error(`401 with Authorization: Bearer ${opaqueToken}`),
    });
    expect(redactedMessage(err)).to.equal(`request failed: 401 with Authorization: ${REDACTED}`);
  });

  it('cleans client-node ApiException messages that embed headers', () => {
    const thrown = new ApiException(
      401,
      'Unauthorized',
      JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }),
      { authorization: `Bearer ${opaqueToken}`, 'www-authenticate': `Bearer realm="${token}"` },
    );
    expect(thrown.message).to.contain(opaqueToken); // client-node's own message does embed it
    const err = toKubeError(thrown, 'get v1 Pod ns/p');
    expect(err.message).not.to.contain(opaqueToken);
    expect(err.message).not.to.contain(token);
    expect(String(err.stack)).not.to.contain(opaqueToken);
  });

  it('cleans arbitrary thrown errors carrying request options', () => {
    const wsLike = new Error(
      `Unexpected server response: 403; request headers {"Authorization":"Bearer ${opaqueToken}"}`,
    );
    const err = toKubeError(wsLike, 'exec');
    expect(err.message).not.to.contain(opaqueToken);
    expect(err.cause).to.equal(undefined);
  });
});
