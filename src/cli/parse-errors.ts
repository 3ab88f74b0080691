/**
 * Errors commander finds in the command line (unknown option or command, bad
 * value, missing argument): a usage error, exit 2. Commander has printed its
 * `error:` line; this adds the pointer to the command's --help and, when the
 * command takes --json and it was given, the one JSON document on stdout.
 */
import type { Command, CommanderError } from 'commander';
import { settingSecretsOf } from '../config/setting-secrets';
import { passwordSpellingsOf } from '../db/password-spellings';
import { redactor } from '../db/redact';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { helpPointer } from './help-pointer';
import { errorDocument, jsonText } from './json-output';
import { makeIo, type Io } from './run-command';

/** A command line commander could not accept. */
export class UsageError extends KonstructError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
  }
}

export function reportParseError(error: CommanderError, program: Command, args: string[], rawIo: Io): ExitCode {
  if (error.exitCode === 0) return ExitCode.Ok; // --help, --version
  const io = withoutCommandLinePasswords(rawIo, args);
  const name = commandNameIn(program, args);
  // `konstruct-migrate` alone: commander printed the help to stderr instead of an error line.
  const noCommand = error.code === 'commander.help';
  const [message = '', ...notes] = (noCommand ? 'no command given' : error.message.replace(/^error: /, '')).split('\n');
  // Commander's own notes, e.g. "(Did you mean --lock-wait?)", lead the hint.
  const suggestion = notes.map((n) => n.replace(/^\((.*)\)$/, '$1')).join(' ');
  const usage = new UsageError(message, [suggestion, helpPointer(name)].filter(Boolean).join(' '));

  if (!noCommand) io.err(`  ${helpPointer(name)}`);
  if (jsonAskedFor(program, args)) io.out(jsonText(errorDocument(name, ExitCode.Usage, usage)));
  return ExitCode.Usage;
}

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
