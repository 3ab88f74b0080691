/**
 * Renders a results folder again from its results.json, without measuring:
 * RESULTS.md and the charts, and, for the default folder, the README's block.
 * For after the report changed, or after results measured on another branch
 * were merged (the README must quote what the renderer makes of them).
 *
 *   npm run build && node dist/bench/render-results.js [folder]   (default: bench/results)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from './benchmark';
import { DEFAULT_RESULTS_DIR } from './project-files';
import { updateReadme, writeResults } from './write-results';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_RESULTS_DIR);
  const result = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as BenchResult;
  const written = await writeResults(result, dir);
  process.stderr.write(`wrote ${written.files.join(', ')}\n`);
  if (dir === DEFAULT_RESULTS_DIR && (await updateReadme(result))) process.stderr.write('updated the Performance block of README.md\n');
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
