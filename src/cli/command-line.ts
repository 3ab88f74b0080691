/**
 * What the command line names (its command, whether --json was asked for) and
 * which of its words are secrets. Apart from parse-errors.ts because main.ts and
 * program.ts need these on every start, and reporting a usage error does not.
 */
import type { Command } from 'commander';
import { settingSecretsOf } from '../config/setting-secrets';
import { passwordSpellingsOf } from '../db/password-spellings';
import { redactor } from '../db/redact';
import { makeIo, type Io } from './io';

/**
 * Whether a failure outside any command's own handling still owes a --json
 * document: --json was given to a command that takes it, or to no (known)
 * command at all, since a pipeline that asked for JSON reads stdout either way.
 */
export function jsonAskedFor(program: Command, args: string[]): boolean {
  const command = commandIn(program, args);
  const takesJson = command ? command.options.some((o) => o.long === '--json') : true;
  return takesJson && args.includes('--json');
}

/** The name of the command the arguments name; null when none or an unknown one. */
export function commandNameIn(program: Command, args: string[]): string | null {
  return commandIn(program, args)?.name() ?? null;
}

/**
 * Commander echoes what it could not accept (`unknown command 'postgres://app:pw@db'`,
 * an option's bad value): hide the password of any URL on the command line, and
 * the environment's secrets. Used for commander's own error output too (program.ts).
 */
export function commandLineRedactor(args: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const fromArgs = args.flatMap((arg) => [...passwordSpellingsOf(arg), ...passwordSpellingsOf(arg.slice(arg.indexOf('=') + 1))]);
  return redactor([...fromArgs, ...passwordSpellingsOf(env.DATABASE_URL), env.PGPASSWORD, ...settingSecretsOf(env)]);
}

/** `io`, with commandLineRedactor applied to everything written. */
export function withoutCommandLinePasswords(io: Io, args: string[]): Io {
  const redact = commandLineRedactor(args);
  return makeIo((t) => io.out(redact(t)), (t) => io.err(redact(t)));
}

/**
 * The command the arguments name, as commander finds it: the first word that is
 * not an option or the value of a global option (`--url <url> up`). Undefined
 * when there is none or it is unknown; an alias gives its command.
 */
function commandIn(program: Command, args: string[]): Command | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (takesValue.has(arg)) i++;
      continue;
    }
    return program.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
  }
  return undefined;
}
