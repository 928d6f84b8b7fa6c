/**
 * Knative version ranges a scenario or a variant may require: space-separated comparators that
 * must all hold (`>=1.18.0 <1.23.0`), alternatives joined by `||`. Versions may be written
 * `1.18.0`, `v1.18.0` or `knative-v1.18.0` (the tag form).
 */

type Version = readonly [number, number, number];
type Comparator = { op: '>=' | '>' | '<=' | '<' | '='; version: Version };

const versionText = /^(?:knative-)?v?(\d+)\.(\d+)(?:\.(\d+))?$/;
const comparatorText = /^(>=|>|<=|<|=)?((?:knative-)?v?\d+\.\d+(?:\.\d+)?)$/;

export function parseVersion(text: string): Version | undefined {
  const match = versionText.exec(text.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** The alternatives of a range, or undefined when it does not parse. */
export function parseRange(text: string): Comparator[][] | undefined {
  const alternatives = text.split('||').map((part) => part.trim().split(/\s+/).filter(Boolean));
  const parsed: Comparator[][] = [];
  for (const words of alternatives) {
    if (words.length === 0) return undefined;
    const comparators: Comparator[] = [];
    for (const word of words) {
      const match = comparatorText.exec(word);
      const version = match ? parseVersion(match[2]!) : undefined;
      if (match === null || version === undefined) return undefined;
      comparators.push({ op: (match[1] ?? '=') as Comparator['op'], version });
    }
    parsed.push(comparators);
  }
  return parsed;
}

const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function holds({ op, version }: Comparator, v: Version): boolean {
  const c = compare(v, version);
  return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : op === '<' ? c < 0 : c === 0;
}

/** Whether `version` is in `range`; false when either does not parse. */
export function satisfiesRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  const alternatives = parseRange(range);
  if (v === undefined || alternatives === undefined) return false;
  return alternatives.some((all) => all.every((c) => holds(c, v)));
}
