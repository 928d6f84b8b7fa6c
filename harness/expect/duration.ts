const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const token = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** `500ms`, `30s`, `1m30s`, `2h` → milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  let total = 0;
  let end = 0;
  token.lastIndex = 0;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    total += Number(m[1]) * unitMs[m[2] as keyof typeof unitMs];
    end = token.lastIndex;
  }
  if (end === 0 || end !== text.length) {
    throw new Error(`not a duration: ${JSON.stringify(text)} (write e.g. 500ms, 30s, 2m, 1m30s)`);
  }
  return total;
}

/** Milliseconds for people: `12.345s`, `2s`, `-0.5s`, `4m0.9s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const seconds = Number(((ms % 60_000) / 1000).toFixed(3));
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 0) return `${seconds}s`;
  const h = Math.floor(minutes / 60);
  const m = `${minutes % 60}m${seconds > 0 ? `${seconds}s` : ''}`;
  return h > 0 ? `${h}h${m}` : m;
}

/** `T + 2s`, `T − 1s`: an offset from a named instant. */
export const offsetFrom = (name: string, ms: number): string =>
  ms < 0 ? `${name} − ${formatDuration(-ms)}` : `${name} + ${formatDuration(ms)}`;
