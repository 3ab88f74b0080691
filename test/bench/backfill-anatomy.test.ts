/** Where a backfill's time goes (bench/anatomy/backfill-anatomy.ts), on a small table against the test server: each way once, with the right data. Timings are not checked here. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANATOMY_VARIANTS, engineBackfill, measureAnatomy, type AnatomyRun } from '../../bench/anatomy/backfill-anatomy';
import { DatabaseFactory } from '../../bench/databases';
import { buildTemplates } from '../../bench/templates';
import { adminUrl } from '../support/test-database';

let factory: DatabaseFactory;
let runs: AnatomyRun[];

beforeAll(async () => {
  factory = await DatabaseFactory.open(adminUrl());
  const templates = await buildTemplates(factory, 3_000, () => {});
  runs = await measureAnatomy(factory, templates, { batchSize: 300, rounds: 1, log: () => {} });
}, 120_000);
afterAll(async () => factory?.close());

describe('the backfill anatomy on a 3,000-row table', () => {
  it('runs the floor, plain batches (on the table as it is, and expanded) and the engine once each, each leaving every admin with the role (or it throws)', () => {
    expect(runs.map((r) => r.variant).sort()).toEqual([...ANATOMY_VARIANTS].sort());
    for (const run of runs) expect(run.backfillMs).toBeGreaterThan(0);
  });

  it('plain batches walk the pages the engine walks, in about as many batches; the floor is one statement', () => {
    const batches = Object.fromEntries(runs.map((r) => [r.variant, r.batches]));
    expect(batches.floor).toBe(1);
    expect(batches['plain batches']).toBeGreaterThan(5);
    expect(batches['plain batches, expanded']).toBe(batches['plain batches']);
    expect(Math.abs(batches['plain batches'] - batches.engine) / batches.engine).toBeLessThan(0.2);
  });

  it("reads the engine's backfill line as the CLI prints it, in ms below a second and in tenths of seconds above", () => {
    expect(engineBackfill('    · backfill: admins get role platform_admin (850 ms, 12 batches, 3,000 rows)\n')).toEqual({ backfillMs: 850, batches: 12 });
    expect(engineBackfill('    · backfill: admins get role platform_admin (4.5 s, 503 batches, 1,010,429 rows)\n')).toEqual({ backfillMs: 4500, batches: 503 });
    expect(() => engineBackfill('Applied 1 migration')).toThrow(/no backfill line/);
  });
});
