/**
 * Where results go: RESULTS.md, the two charts and results.json in one folder
 * (bench/results by default). The README only links there, so the numbers
 * live in one place.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from './benchmark';
import { migrationChartSvg } from './chart-svg';
import { latencyChartSvg } from './latency-chart-svg';
import { CHART_FILE } from './offline-markdown';
import { LATENCY_CHART_FILE } from './online-markdown';
import { resultsMarkdown } from './results-markdown';

export const RESULTS_FILE = 'RESULTS.md';

export interface WrittenResults {
  markdown: string;
  files: string[];
}

export async function writeResults(result: BenchResult, dir: string): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const markdown = resultsMarkdown(result, dir);
  const files = {
    [RESULTS_FILE]: markdown,
    [LATENCY_CHART_FILE]: latencyChartSvg(result),
    [CHART_FILE]: migrationChartSvg(result.sizes),
    // One line: with every run's windows and latency timeline it is data for tools, ~60% smaller unindented.
    'results.json': `${JSON.stringify(result)}\n`,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return { markdown, files: Object.keys(files).map((name) => path.join(dir, name)) };
}
