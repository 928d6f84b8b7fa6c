import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { TraceLine } from './trace.ts';

/** A line that cannot be read as trace format v1; names the file and the 1-based line. */
export class TraceFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'TraceFormatError';
  }
}

export interface ReadTraceOptions {
  /** Told about lines that were skipped without failing: unknown types, a truncated last line. */
  onWarning?: (message: string) => void;
}

const watchEvents = new Set(['ADDED', 'MODIFIED', 'DELETED']);
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks one line against format v1 and returns it typed, or undefined for a line to skip
 * (blank, or of a type this reader does not know). Keeps the last seq to enforce its increase.
 */
export class TraceLineParser {
  private lastSeq = Number.NEGATIVE_INFINITY;
  private readonly unknownTypes = new Set<string>();

  constructor(
    readonly file: string,
    private readonly options: ReadTraceOptions = {},
  ) {}

  parse(text: string, lineNo: number): TraceLine | undefined {
    if (text.trim() === '') return undefined;
    const fail = (problem: string): never => {
      throw new TraceFormatError(this.file, lineNo, problem);
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return fail(`not JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
    const line = value as Record<string, unknown>;
    if (line.v !== 1) {
      return fail(
        line.v === undefined
          ? 'missing "v" (the trace format version)'
          : `trace format v${String(line.v)} is not supported; this kpc reads v1`,
      );
    }
    const seq = line.seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq)) return fail('"seq" must be an integer');
    if (seq <= this.lastSeq) return fail(`"seq" ${seq} does not increase (previous ${this.lastSeq})`);
    this.lastSeq = seq;
    if (typeof line.at !== 'string' || !rfc3339.test(line.at) || !Number.isFinite(Date.parse(line.at))) {
      return fail(`"at" must be an RFC 3339 time, got ${JSON.stringify(line.at)}`);
    }
    switch (line.type) {
      case 'watch':
        if (typeof line.event !== 'string' || !watchEvents.has(line.event)) {
          return fail(`watch "event" must be ADDED, MODIFIED or DELETED, got ${JSON.stringify(line.event)}`);
        }
        if (!isObject(line.object)) return fail('watch line without an "object"');
        break;
      case 'action':
        if (typeof line.action !== 'string') return fail('action line without an "action"');
        if (!isObject(line.target)) return fail('action line without a "target" object');
        if (line.outcome !== 'ok' && line.outcome !== 'error')
          return fail('action "outcome" must be ok or error');
        if (line.error !== undefined && !(isObject(line.error) && typeof line.error.message === 'string')) {
          return fail('action "error" must be an object with a "message"');
        }
        break;
      case 'note':
        if (typeof line.text !== 'string') return fail('note line without a "text"');
        break;
      default:
        if (typeof line.type !== 'string') return fail('missing "type"');
        if (!this.unknownTypes.has(line.type)) {
          this.unknownTypes.add(line.type);
          this.options.onWarning?.(`${this.file}:${lineNo}: ignoring lines of unknown type "${line.type}"`);
        }
        return undefined;
    }
    return line as unknown as TraceLine;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Streams the lines of a trace from chunks of bytes (or text). A last line without its newline
 * that is not valid JSON is what a crash mid-write leaves: it is skipped with a warning, not an error.
 */
export async function* parseTraceChunks(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  file: string,
  options: ReadTraceOptions = {},
): AsyncGenerator<TraceLine> {
  const parser = new TraceLineParser(file, options);
  /** The start of a line whose end has not arrived yet. */
  let rest: Buffer | undefined;
  let lineNo = 0;
  const take = (bytes: Buffer, start: number, end: number, encoding: BufferEncoding) => {
    lineNo += 1;
    const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
    return parser.parse(bytes.toString(encoding, start, stop), lineNo);
  };
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    let end = buf.indexOf(10);
    if (rest) {
      if (end === -1) {
        rest = Buffer.concat([rest, buf]);
        continue;
      }
      // Only the line that spans chunks is copied, never the whole chunk.
      const joined = Buffer.concat([rest, buf.subarray(0, end)]);
      const line = take(joined, 0, joined.length, 'utf8');
      if (line) yield line;
      rest = undefined;
      start = end + 1;
      end = buf.indexOf(10, start);
    }
    // Splitting at the newline byte never cuts a UTF-8 character; pure-ASCII chunks (the usual
    // case) decode faster as latin1, which reads ASCII identically.
    const encoding = isAscii(buf) ? 'latin1' : 'utf8';
    for (; end !== -1; end = buf.indexOf(10, start)) {
      const line = take(buf, start, end, encoding);
      if (line) yield line;
      start = end + 1;
    }
    if (start < buf.length) rest = buf.subarray(start);
  }
  const tail = rest?.toString('utf8') ?? '';
  if (tail.trim() === '') return;
  lineNo += 1;
  let last: TraceLine | undefined;
  try {
    last = parser.parse(tail, lineNo);
  } catch (error) {
    if (!(error instanceof TraceFormatError) || !error.problem.startsWith('not JSON')) throw error;
    options.onWarning?.(`${file}:${lineNo}: ignoring a truncated last line (the recorder stopped mid-write)`);
  }
  if (last) yield last;
}

/** Streams a trace file line by line; memory does not grow with the file. */
export function readTrace(file: string, options: ReadTraceOptions = {}): AsyncGenerator<TraceLine> {
  return parseTraceChunks(createReadStream(file, { highWaterMark: 1 << 20 }), file, options);
}
