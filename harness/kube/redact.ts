/**
 * Removes credentials from text before it leaves this layer in an error or log line.
 * Patterns cover the places client-node, undici, ws and js-yaml are known to echo material:
 * HTTP auth headers (as `Name: value` or JSON), kubeconfig user fields, PEM private keys and JWTs.
 * Exact secret values (from the loaded kubeconfig) can be registered too, for anything no pattern catches.
 */

export const REDACTED = '[REDACTED]';

const patterns: readonly [RegExp, string][] = [
  // PEM private keys of any flavour (RSA, EC, PKCS#8, encrypted).
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g, REDACTED],
  // Authorization / Proxy-Authorization headers: `Authorization: Bearer x`, `"authorization":"Basic x"`.
  [
    /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|negotiate|digest)\s+)?[^\s"',}]+/gi,
    `$1${REDACTED}`,
  ],
  // Bare scheme credentials anywhere else.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // kubeconfig / JSON credential fields.
  [
    /(["']?(?:token|id-token|refresh-token|access-token|client-secret|client-key-data|client-key|password|passphrase|keyData|tokenFile|secret)["']?\s*[:=]\s*)(["']?)[^\s"',}]+\2/gi,
    `$1$2${REDACTED}$2`,
  ],
  // JSON Web Tokens (service account tokens, OIDC id tokens).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

/** Redacts known credential shapes, then any of the given exact secret values (ignoring short ones). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The message of any thrown value, redacted, with its `cause` chain folded in
 * (causes are not kept as objects: they may carry request options with headers).
 */
export function redactedMessage(err: unknown, secrets: readonly string[] = []): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    const code = (current as { code?: unknown }).code;
    const text = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    if (text && !parts.includes(text)) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return redact(parts.join(': '), secrets);
}
