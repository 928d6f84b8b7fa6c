import {
  type CommandOptions,
  type CommandResult,
  type CommandRunner,
  formatCommand,
  settle,
} from './command.ts';

/** One command a FakeRunner was asked to run, as given (env is only what the caller added). */
export interface RecordedCall {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  input?: string;
  /** `file args…` as formatCommand prints it; what scripted replies are matched against. */
  line: string;
}

type Reply =
  | Partial<CommandResult>
  | ((call: RecordedCall) => Partial<CommandResult> | Promise<Partial<CommandResult>>);

/**
 * A CommandRunner for tests: records every call and answers from replies scripted by command-line
 * prefix (`runner.on('kind get clusters', { stdout: 'kpc-baseline\n' })`). The last matching script
 * wins, so a test can override a default; unmatched commands succeed with empty output.
 */
export class FakeRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  private readonly scripts: { prefix: string; reply: Reply }[] = [];

  on(prefix: string, reply: Reply): this {
    this.scripts.push({ prefix, reply });
    return this;
  }

  /** The command lines run so far, in order. */
  lines(): string[] {
    return this.calls.map((c) => c.line);
  }

  /** Calls whose command line starts with the prefix. */
  find(prefix: string): RecordedCall[] {
    return this.calls.filter((c) => c.line.startsWith(prefix));
  }

  async run(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    const call: RecordedCall = {
      file,
      args: [...args],
      env: { ...options.env },
      cwd: options.cwd,
      input: options.input,
      line: formatCommand(file, args),
    };
    this.calls.push(call);
    const script = this.scripts.findLast(
      (s) => call.line === s.prefix || call.line.startsWith(`${s.prefix} `),
    );
    const reply = script
      ? await (typeof script.reply === 'function' ? script.reply(call) : script.reply)
      : {};
    const result = { exitCode: 0, stdout: '', stderr: '', ...reply };
    for (const line of `${result.stdout}${result.stderr}`.split('\n').filter(Boolean))
      options.onOutput?.(line);
    return settle(file, args, result, options.reject);
  }
}
