/**
 * The CLI's entry for a command line that asks for help or the version (bin.ts
 * sends those here): the program's definitions without any command's action,
 * bundled on their own (scripts/bundle-cli.ts) into a file a tenth the size of
 * the whole CLI, so `--help` need not read and compile the rest.
 *
 * Whatever else the command line turns out to be (a command to run, a usage
 * error, no command at all) is left to the whole CLI, which starts over: this
 * prints nothing for it (its error output is silenced) and stops before any
 * action is loaded (a preAction hook throws).
 */
import { CommanderError, type Command } from 'commander';
import { ignoreClosedPipes } from './closed-pipes';
import { buildProgram } from './program';

class LeftToTheWholeCli extends Error {}

/** True when it printed the help or the version; false when the whole CLI must run the command line. */
export function answerHelpOrVersion(argv: string[]): boolean {
  ignoreClosedPipes();
  const program = buildProgram();
  // Subcommands share the configuration object they were given when defined: each is set.
  for (const command of [program, ...program.commands]) silenceErrors(command);
  program.hook('preAction', () => {
    throw new LeftToTheWholeCli();
  });
  try {
    program.parse(argv);
  } catch (error) {
    return error instanceof CommanderError && error.exitCode === 0;
  }
  return false;
}

function silenceErrors(command: Command): void {
  command.configureOutput({ writeErr: () => {}, outputError: () => {} });
}
