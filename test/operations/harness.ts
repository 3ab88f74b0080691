/**
 * The shared harness of the operation tests: a throwaway database at 005 with a
 * migrations folder holding 005 and one operations migration, and ways to stand
 * that migration at any step (or between two batches) as a killed run leaves it.
 * Each operation's test is then a short scenario over these.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { runMigration } from '../../src/engine/run-migration';
import { workTransactions } from '../../src/engine/work-transaction';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { readPhaseStates } from '../../src/history/phase-state';
import { loadMigration } from '../../src/model/load-migration';
import type { Migration, Step } from '../../src/model/migration';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import { AT_005_TEMPLATE_LABEL, createTestDatabase, type TestDatabase } from '../support/test-database';

export interface OperationsDatabase {
  db: TestDatabase;
  ctx: MigrationContext;
  migration: Migration;
  steps: readonly Step[];
  close(): Promise<void>;
}

/**
 * A database at 005, made once per worker process and copied for every operations database: migrating 005
 * from scratch each time cost the server more than copying it (#26 item 5). It is never connected to after
 * it is made (a copy needs its template idle); global-setup.ts drops what is left of it at the end of the run.
 */
let at005: Promise<string> | undefined;
function databaseAt005(): Promise<string> {
  at005 ??= (async () => {
    const db = await createTestDatabase(AT_005_TEMPLATE_LABEL);
    const ctx = await testContext(db.url, SOURCE_MIGRATIONS_DIR);
    try {
      await up(ctx, { to: '005' });
    } finally {
      await ctx.close();
      await db.knex.destroy();
    }
    return db.name;
  })();
  return at005;
}

/**
 * A database at 005, and a migrations folder of 005 and `name` (its source: a fixture file, or
 * TypeScript text, or CommonJS text, which a spawned CLI loads without compiling it first).
 */
export async function operationsDatabase(label: string, name: string, source: { file: string } | { text: string } | { commonJs: string }): Promise<OperationsDatabase> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-operations-'));
  copyFileSync(path.join(SOURCE_MIGRATIONS_DIR, '005_baseline.ts'), path.join(dir, '005_baseline.ts'));
  if ('file' in source) copyFileSync(source.file, path.join(dir, `${name}.ts`));
  else if ('text' in source) writeFileSync(path.join(dir, `${name}.ts`), source.text);
  else writeFileSync(path.join(dir, `${name}.js`), source.commonJs);
  const db = await createTestDatabase(label, { template: await databaseAt005() });
  const ctx = await testContext(db.url, dir);
  const migration = await loadMigration(listLocalMigrations(dir).find((m) => m.name === name)!);
  const { steps } = migration;
  return {
    db,
    ctx,
    migration,
    steps,
    close: async () => {
      await ctx?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Rows a batch covers where a test stands at no batch boundary. A step run to its end in 1-row batches (a heap page
 * each) cost a transaction, a cursor save and the engine's reads before every batch, for every page: a run of
 * compose.test.ts sent the server ~95,000 statements, ~41,000 with this (#26 item 5). A step run to its end leaves
 * the same state whatever its batches; tests that stand inside a step still get 1-row batches there.
 */
const WHOLE_STEPS_BATCH_ROWS = 1000;

/** What a kill leaves: stopped by the test between two batches, after the batch before committed. */
class StopHere extends Error {}

/**
 * Runs the migration `direction` until `stepsDone` steps are applied, or, with
 * `afterBatches`, stops after that many batches of the step it reaches (1-row batches).
 * The steps before are run first in batches of WHOLE_STEPS_BATCH_ROWS: no test stands inside them.
 */
export async function standAt(h: OperationsDatabase, stepsDone: number, afterBatches?: number, direction: 'up' | 'down' = 'up'): Promise<void> {
  const [state] = await readPhaseStates(h.db.knex);
  const applied = (await h.db.knex('knex_migrations').pluck('name')).includes(h.migration.name);
  if (afterBatches !== undefined && direction === 'up' && !state && !applied && stepsDone > 1) {
    await standAt(h, stepsDone - 1);
    return standAt(h, stepsDone, afterBatches);
  }
  let batches = 0;
  const runner = workTransactions(h.ctx.knex, { timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 0 }, lockBudgetMs: 10_000, log: () => {} });
  const run = runMigration(
    h.ctx.knex,
    runner,
    { migration: h.migration, state, applied, direction, stopAt: stepsDone, held: false, batch: 2 },
    {
      batchSize: afterBatches === undefined ? WHOLE_STEPS_BATCH_ROWS : 1,
      batchPauseMs: 0,
      onStep: (event) => {
        if (event.type === 'progress' && afterBatches !== undefined && ++batches === afterBatches) throw new StopHere();
      },
    },
  );
  if (afterBatches === undefined) await run;
  else await expect(run).rejects.toThrow(StopHere);
}

/** Where the migration stands: steps done, and whether a batch cursor is saved. */
export async function position(h: OperationsDatabase): Promise<{ stepsDone: number; midBatch: boolean } | 'applied' | 'not started'> {
  const [state] = await readPhaseStates(h.db.knex);
  if (state) return { stepsDone: state.stepsDone, midBatch: state.cursor !== null };
  return (await h.db.knex('knex_migrations').pluck('name')).includes(h.migration.name) ? 'applied' : 'not started';
}

/**
 * Every stopping point going up: after each step, and after the first batch of each batched step. Labelled with
 * the phase too: an operation's expand and contract steps share their name (progress prints the phase before it).
 */
export function stoppingPoints(steps: readonly Step[]): Array<{ label: string; stepsDone: number; afterBatches?: number }> {
  return steps.flatMap((step, i) => {
    const name = `${step.phase}: ${step.name}`;
    return [
      ...('batch' in step && step.batch.up ? [{ label: `inside "${name}" after one batch`, stepsDone: i + 1, afterBatches: 1 }] : []),
      { label: `after "${name}"`, stepsDone: i + 1 },
    ];
  });
}
