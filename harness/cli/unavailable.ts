import type { Command } from 'commander';
import { CliError } from './io.ts';

/** `kpc scenarios list` rather than `list`: the words a user typed. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Marks a command whose implementation has not landed: it says so in one line and exits 2,
 * so no script can mistake it for a success.
 */
export function unavailable(command: Command, comingWith: string): Command {
  return command.action((...args: unknown[]) => {
    const self = args.at(-1) as Command;
    throw new CliError(`${commandPath(self)}: not available yet (${comingWith})`);
  });
}
