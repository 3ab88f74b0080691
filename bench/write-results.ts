/**
 * Where results go: RESULTS.md, the two charts and results.json in one folder
 * (bench/results by default), and, for the default folder, the README's five
 * lines between its bench markers (issue #12), so the numbers the README
 * quotes are always the ones last generated.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from './benchmark';
import { migrationChartSvg } from './chart-svg';
import { latencyChartSvg } from './latency-chart-svg';
import { CHART_FILE } from './offline-markdown';
import { LATENCY_CHART_FILE } from './online-markdown';
import { DEFAULT_RESULTS_DIR, README } from './project-files';
import { readmeBlock } from './readme-block';
import { resultsMarkdown } from './results-markdown';

export const RESULTS_FILE = 'RESULTS.md';
const README_START = '<!-- bench:results:start -->';
const README_END = '<!-- bench:results:end -->';

export interface WrittenResults {
  markdown: string;
  files: string[];
}

export async function writeResults(result: BenchResult, dir: string): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const markdown = resultsMarkdown(result, dir);
  // The charts are 006's; `--only` measures the rollout scenarios alone.
  const charts = result.sizes.length > 0 ? { [LATENCY_CHART_FILE]: latencyChartSvg(result), [CHART_FILE]: migrationChartSvg(result.sizes) } : {};
  const files = {
    [RESULTS_FILE]: markdown,
    ...charts,
    // One line: with every run's windows and latency timeline it is data for tools, ~60% smaller unindented.
    'results.json': `${JSON.stringify(result)}\n`,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return { markdown, files: Object.keys(files).map((name) => path.join(dir, name)) };
}

/** Replaces the README's bench block; false when the README has no such block. */
export async function updateReadme(result: BenchResult, readme = README): Promise<boolean> {
  const text = await readFile(readme, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) return false;
  const link = path.relative(path.dirname(readme), path.join(DEFAULT_RESULTS_DIR, RESULTS_FILE)).split(path.sep).join('/');
  const block = `${README_START}\n${readmeBlock(result, link)}\n${README_END}`;
  await writeFile(readme, text.slice(0, start) + block + text.slice(end + README_END.length));
  return true;
}
