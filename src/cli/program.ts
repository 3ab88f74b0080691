/**
 * The command-line surface. Global options live here; each command's
 * definition and action live in src/cli/commands/<command>.ts, which calls the library.
 * Errors and exit codes are handled in run-command.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { readDotenv } from '../config/database-url';
import { findProjectRoot } from '../config/project-root';
import { EXIT_CODE_HELP } from '../exit-codes';
import { registerBaseline } from './commands/baseline';
import { registerCheck } from './commands/check';
import { registerComplete } from './commands/complete';
import { registerDb } from './commands/db';
import { registerDown } from './commands/down';
import { registerNew } from './commands/new';
import { registerStatus } from './commands/status';
import { registerSteer } from './commands/steer';
import { registerUp } from './commands/up';
import { registerVerify } from './commands/verify';
import { registerWait } from './commands/wait';
import { HELP_LAYOUT, withLiveDefault } from './help-layout';
import { commandLineRedactor } from './command-line';
import { processIo, type Io } from './io';
import { parseSeconds } from './run-options';

const EXAMPLES = `Examples:
  konstruct-migrate up                      # DATABASE_URL, .env, PG* variables, or the embedded server
  konstruct-migrate status --url postgres://app@db.internal:5432/konstruct
  konstruct-migrate new add_portal_users_nickname
  konstruct-migrate <command> --help        # options and examples of one command`;

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('konstruct-migrate')
    .description("Applies and reverts the Konstruct platform's PostgreSQL schema migrations.")
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--url <url>', 'database URL (overrides DATABASE_URL and .env)'))
    .addOption(withLiveDefault(new Option('--schema <name>', 'the PostgreSQL schema to migrate'), schemaDefault))
    .option('--verbose', 'print stack traces and details of errors')
    .option('-q, --quiet', 'print nothing but errors (--json still prints its document)')
    .option('--no-color', 'no colours (also NO_COLOR); colours are only used on a terminal')
    // No commander default: `wait` has its own (60), and an unset --wait must stay undefined for it.
    // Optional value: `complete --wait` alone waits for the old application version to drain (src/drain/).
    .addOption(
      new Option('--wait [seconds]', 'keep trying this long while the database does not accept connections; `complete --wait` alone: see complete --help (default: 0; for `wait`: 60)').argParser(parseSeconds),
    )
    .addOption(new Option('--connect-timeout <seconds>', 'give up one connection attempt after this long').argParser(parseSeconds).default(10))
    .addHelpText('after', `\n${EXAMPLES}\n\n${EXIT_CODE_HELP}`)
    // Inherited by every command at .command(): the global options in each one's help, parse errors
    // printed without passwords and thrown instead of exiting (main.ts adds the pointer to --help).
    .configureHelp(HELP_LAYOUT)
    .configureOutput({ outputError: (text, write) => write(commandLineRedactor()(text)) })
    .exitOverride();

  registerUp(program, io);
  registerComplete(program, io);
  registerDown(program, io);
  registerStatus(program, io);
  registerSteer(program, io);
  registerVerify(program, io);
  registerCheck(program, io);
  registerBaseline(program, io);
  registerNew(program, io);
  registerWait(program, io);
  registerDb(program, io);
  return program;
}

/** What --schema falls back to, in the order a run reads it: KONSTRUCT_SCHEMA from the environment, then .env, else public. */
function schemaDefault(): string {
  let fromDotenv: string | undefined;
  try {
    fromDotenv = readDotenv(findProjectRoot(process.cwd()) ?? process.cwd()).KONSTRUCT_SCHEMA;
  } catch {
    /* an unreadable .env is reported when a command runs */
  }
  const schema = [process.env.KONSTRUCT_SCHEMA, fromDotenv].map((v) => v?.trim()).find(Boolean);
  return schema ? `${schema}, from KONSTRUCT_SCHEMA` : 'public';
}

/** package.json sits at the package root: two folders above src/cli, three above dist/src/cli. */
function packageVersion(): string {
  for (const up of ['../..', '../../..']) {
    try {
      return JSON.parse(readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')).version;
    } catch {
      /* try the other layout */
    }
  }
  return '0.0.0';
}
