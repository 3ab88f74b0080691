/**
 * Errors commander finds in the command line (unknown option or command, bad
 * value, missing argument): a usage error, exit 2. Commander has printed its
 * `error:` line; this adds the pointer to the command's --help and, when the
 * command takes --json and it was given, the one JSON document on stdout.
 */
import type { Command, CommanderError } from 'commander';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { helpPointer } from './help-pointer';
import { commandNameIn, jsonAskedFor, withoutCommandLinePasswords } from './command-line';
import type { Io } from './io';
import { errorDocument, jsonText } from './json-output';

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
