import { diffWordsWithSpace } from 'diff';
import type { TextMatch } from './schema.ts';

const regexCache = new Map<string, RegExp>();

function regexOf(source: string, flags = ''): RegExp {
  const key = `${flags}/${source}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(source, flags);
    regexCache.set(key, re);
  }
  return re;
}

/** Whether `actual` satisfies the match; an absent text satisfies nothing. */
export function matchesText(match: TextMatch, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (typeof match === 'string') return actual === match;
  if ('exact' in match) return actual === match.exact;
  if ('contains' in match) return actual.includes(match.contains);
  return regexOf(match.matches, match.flags).test(actual);
}

/** `"x"`, `containing "x"`, `matching /x/i`. */
export function describeTextMatch(match: TextMatch): string {
  if (typeof match === 'string') return JSON.stringify(match);
  if ('exact' in match) return JSON.stringify(match.exact);
  if ('contains' in match) return `containing ${JSON.stringify(match.contains)}`;
  return `matching /${match.matches}/${match.flags ?? ''}`;
}

/** The text an exact match wants, if it is one. */
export const exactText = (match: TextMatch): string | undefined =>
  typeof match === 'string' ? match : 'exact' in match ? match.exact : undefined;

/**
 * A word diff of expected against actual: `[-expected only-]{+actual only+}` inline, so a reader
 * sees at once which words differ in a long message.
 */
export function textDiff(expected: string, actual: string): string {
  return diffWordsWithSpace(expected, actual)
    .map((part) => (part.added ? `{+${part.value}+}` : part.removed ? `[-${part.value}-]` : part.value))
    .join('');
}

/** Why `actual` fails the match, with a diff when the match is exact. */
export function explainTextMismatch(match: TextMatch, actual: string | undefined): string {
  if (actual === undefined) return `expected ${describeTextMatch(match)}, but there was none`;
  const exact = exactText(match);
  if (exact !== undefined) {
    return `expected ${JSON.stringify(exact)}\n     got ${JSON.stringify(actual)}\n    diff ${textDiff(exact, actual)}`;
  }
  return `expected ${describeTextMatch(match)}, got ${JSON.stringify(actual)}`;
}
