/** XML 1.0 cannot carry C0 control characters other than tab, newline and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
const forbiddenInXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
const entities: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

/** Text safe inside XML content and attribute values (JUnit, SVG): specials escaped, unrepresentable characters dropped. */
export const escapeXml = (text: string): string =>
  text.replace(forbiddenInXml, '').replace(/[<>&'"]/g, (c) => entities[c] ?? c);
