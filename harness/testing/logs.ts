import { resolvePodContainer } from './pods.ts';
import { badRequest } from './status.ts';
import type { FakeStore } from './store.ts';

export interface LogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
  readonly follow: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
}

/** Returns the log text, or `undefined` to let the next handler (or the default) answer. */
export type LogHandler = (request: LogRequest) => string | undefined;

/** `tailLines` applied as the kubelet does: the last n lines, keeping the trailing newline. */
function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  const trailing = text.endsWith('\n');
  const all = (trailing ? text.slice(0, -1) : text).split('\n');
  if (text === '' || lines <= 0) return '';
  return all.slice(-lines).join('\n') + (trailing ? '\n' : '');
}

/**
 * Answers `GET …/pods/<pod>/log` from scripted handlers. With no scripted answer, a current log is
 * empty and a previous log fails as it does for a container that never restarted. `follow=true`
 * returns what is scripted and ends (no streaming).
 */
export function serveLogs(
  store: FakeStore,
  handlers: readonly LogHandler[],
  namespace: string,
  podName: string,
  query: URLSearchParams,
): string {
  const { container } = resolvePodContainer(store, namespace, podName, query.get('container'));
  const tailLines = query.get('tailLines');
  const request: LogRequest = {
    namespace,
    pod: podName,
    container,
    previous: query.get('previous') === 'true',
    follow: query.get('follow') === 'true',
    timestamps: query.get('timestamps') === 'true',
    ...(tailLines !== null ? { tailLines: Number(tailLines) } : {}),
  };
  for (const handler of handlers) {
    const text = handler(request);
    if (text !== undefined) return tail(text, request.tailLines);
  }
  if (request.previous)
    throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
  return '';
}
