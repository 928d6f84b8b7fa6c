/**
 * `$(VAR)` references in an exec probe command, expanded the way the kubelet does before running it:
 * only from the container's statically defined env values (kubelet-probe-facts.md §2.1,
 * `ExpandContainerCommandOnlyStatic`). Kubernetes' expansion rules: `$(NAME)` becomes the value when
 * NAME is defined and stays as written when not; `$$` is an escaped `$`; any other `$` is literal
 * (Kubernetes `third_party/forked/golang/expansion`).
 */
export function expandStatic(command: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return command.map((arg) => expandOne(arg, env));
}

function expandOne(input: string, env: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const next = input[i + 1];
    if (input[i] !== '$' || next === undefined) {
      out += input[i];
      continue;
    }
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // An unterminated reference stays as written and scanning goes on after its `(`.
        out += '$(';
        i++;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += Object.hasOwn(env, name) ? env[name] : `$(${name})`;
      i = close;
    } else {
      out += '$';
    }
  }
  return out;
}
