/**
 * What the benchmark writes, from known numbers: the verdict on each target,
 * the tables, the chart and the README block.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/benchmark';
import { migrationChartSvg } from '../../bench/chart-svg';
import type { ContenderSummary, SizeResult } from '../../bench/migration-bench';
import { readmeBlock, resultsMarkdown } from '../../bench/results-markdown';
import { checkTargets } from '../../bench/targets';
import { updateReadme } from '../../bench/write-results';
import { malformedRows, markdownTables, unbalancedTags } from './markup-checks';

const MiB = 2 ** 20;

function contender(wallMs: number, lockMs: number, growth: number): ContenderSummary {
  const before = { total: 200 * MiB, heap: 120 * MiB };
  const after = { total: before.total * (1 + growth), heap: before.heap * (1 + growth) };
  return { runs: 3, wallMs, lockMs, lockUnseenRuns: 0, lockEnd: ['commit timestamp'], before, after };
}

function size(rows: number, scale: number, ours: { wallMs: number; lockMs: number; growth: number }): SizeResult {
  const summary = {
    up: { ours: contender(ours.wallMs * scale, ours.lockMs * scale, ours.growth), seed: contender(9000 * scale, 8900 * scale, 0.7) },
    down: { ours: contender(ours.wallMs * scale, ours.lockMs * scale, ours.growth), seed: contender(9400 * scale, 9300 * scale, 1) },
  };
  return { rows, runs: [], summary };
}

function result(ours: { wallMs: number; lockMs: number; growth: number }, statusMs = { ours: 200, knex: 800, bare: 180 }): BenchResult {
  return {
    options: { rows: 1_000_000, sizes: [10_000, 100_000, 1_000_000], runs: 3, statusRuns: 10, lockSampleMs: 5 },
    environment: {
      date: '2026-01-02T03:04:05.000Z',
      machine: 'Test CPU, 2 cores',
      node: 'v20.0.0',
      postgres: '15.18',
      server: 'a test server',
      settings: { fsync: 'on' },
      loadAverage: 0.5,
    },
    sizes: [size(10_000, 0.01, ours), size(100_000, 0.1, ours), size(1_000_000, 1, ours)],
    status: { runs: 10, oursMs: [], knexMs: [], bareMs: [], oursMedianMs: statusMs.ours, knexMedianMs: statusMs.knex, bareMedianMs: statusMs.bare },
  };
}

const missed = (r: BenchResult) => checkTargets(r).filter((c) => !c.met).map((c) => c.what);

describe('targets', () => {
  it('are all met by a run 18x faster, growing 1%, locking 300 ms, status at 0.25x knex and 1.11x bare', () => {
    expect(missed(result({ wallMs: 500, lockMs: 300, growth: 0.01 }))).toEqual([]);
    expect(resultsMarkdown(result({ wallMs: 500, lockMs: 300, growth: 0.01 }))).toContain('All targets met.');
  });

  it('name each one missed: 12x faster, 6% growth, a 1.2 s lock, status at 0.7x knex and 1.4x bare', () => {
    const r = result({ wallMs: 750, lockMs: 1200, growth: 0.06 }, { ours: 560, knex: 800, bare: 400 });
    expect(missed(r)).toEqual([
      "006 up: at least 15x faster than the seed's statements",
      '006 up: portal_users grows by at most 5%',
      '006 up: AccessExclusiveLock on portal_users under 1 s',
      "006 down: at least 15x faster than the seed's statements",
      '006 down: portal_users grows by at most 5%',
      '006 down: AccessExclusiveLock on portal_users under 1 s',
      "status: at most 0.6x the stock knex CLI's time",
      "status: at most 1.3x a bare node + pg script's time",
    ]);
    const markdown = resultsMarkdown(r);
    expect(markdown).toContain('Targets **not met** in this run:');
    expect(markdown).toContain('| `up`: wall time | 750 ms | 9,000 ms | 0.083 (12.0x faster) | ≥ 15x faster | **no** |');
  });
});

describe('RESULTS.md', () => {
  const markdown = resultsMarkdown(result({ wallMs: 500, lockMs: 300, growth: 0.01 }));

  it('holds the environment, the headline and the scaling tables, all well-formed', () => {
    const tables = markdownTables(markdown);
    expect(tables.map((t) => t.length)).toEqual([2 + 5, 2 + 10, 2 + 3]);
    for (const table of tables) expect(malformedRows(table)).toEqual([]);
    expect(markdown).toContain('| `up`: wall time | 500 ms | 9,000 ms | 0.056 (18.0x faster) | ≥ 15x faster | yes |');
    expect(markdown).toContain('| `up`: portal_users total size after (before: 200.0 MiB) | 202.0 MiB (+1.0%) | 340.0 MiB (+70.0%) |');
    expect(markdown).toContain('| 100,000 | 50 ms | 900 ms | 0.056 (18.0x faster) |');
    expect(markdown).toContain('| `status`, up-to-date database: wall time | 200 ms | 180 ms (bare `node` + `pg` script) | 1.11 | ≤ 1.3x | yes |');
  });
});

describe('the README block', () => {
  it('is five lines: the verdict with the link, then 006 up and down, the lock, the growth and status', () => {
    const block = readmeBlock(result({ wallMs: 500, lockMs: 300, growth: 0.01 }), 'bench/results/RESULTS.md');
    expect(block.split('\n')).toEqual([
      'All targets met. Measured by `npm run bench` on 2026-01-02, Test CPU, 2 cores (load average 0.50), Node.js v20.0.0, PostgreSQL 15.18; medians of 3 runs (status: 10). Method, chart, every number: [bench/results/RESULTS.md](bench/results/RESULTS.md).',
      "- Revision 006 on 1,000,000 rows: `up` 500 ms against 9,000 ms for the seed's statements (18.0x faster), `down` 500 ms against 9,400 ms (18.8x faster).",
      "- AccessExclusiveLock on portal_users held 300 ms by `up` and 300 ms by `down`; the seed's statements hold it 8,900 ms and 9,300 ms.",
      "- portal_users after `up`: 200.0 MiB → 202.0 MiB (+1.0%); the seed's statements: 340.0 MiB (+70.0%).",
      '- `status`: 200 ms, 0.25x the stock knex CLI and 1.11x a bare node + pg script reading knex_migrations.',
    ]);
  });
});

describe('the chart', () => {
  const svg = migrationChartSvg(result({ wallMs: 500, lockMs: 300, growth: 0.01 }).sizes, 3);

  it('is well-formed SVG with four lines of three points, rising left to right', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(unbalancedTags(svg)).toEqual([]);
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
    expect(lines).toHaveLength(4);
    for (const points of lines) {
      expect(points).toHaveLength(3);
      // x grows with rows; y (SVG grows downwards) shrinks as time grows.
      expect(points[0]![0]).toBeLessThan(points[2]![0]!);
      expect(points[0]![1]).toBeGreaterThan(points[2]![1]!);
    }
    expect(svg).toContain('>10k<');
    expect(svg).toContain('>1M<');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('copes with a single row count', () => {
    const single = migrationChartSvg(result({ wallMs: 500, lockMs: 300, growth: 0.01 }).sizes.slice(2), 1);
    expect(unbalancedTags(single)).toEqual([]);
    expect(single).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('the README block', () => {
  it("replaces only what sits between the README's bench markers, and leaves a README without them alone", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'konstruct-readme-'));
    try {
      const readme = path.join(dir, 'README.md');
      const r = result({ wallMs: 500, lockMs: 300, growth: 0.01 });
      await writeFile(readme, '# x\n\n## Performance\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n\n## Next\n');
      expect(await updateReadme(r, readme)).toBe(true);
      expect(await readFile(readme, 'utf8')).toBe(
        `# x\n\n## Performance\n<!-- bench:results:start -->\n${readmeBlock(r, path.relative(dir, path.resolve(__dirname, '../../bench/results/RESULTS.md')))}\n<!-- bench:results:end -->\n\n## Next\n`,
      );
      await writeFile(readme, '# no block\n');
      expect(await updateReadme(r, readme)).toBe(false);
      expect(await readFile(readme, 'utf8')).toBe('# no block\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
