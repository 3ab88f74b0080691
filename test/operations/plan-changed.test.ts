/**
 * A part-way operations migration whose compiled steps changed is not carried
 * on (#20 item 1 of the plan fingerprint, model/plan-fingerprint.ts). The engine
 * change is played by the migration itself: its file stays byte for byte (same
 * checksum), but the operations it exports depend on an environment variable
 * read each time it is loaded, so the same file compiles into other steps, as it
 * would under a newer engine. Then `complete`, `down`, `up --expand` and their
 * dry runs refuse with exit code 8 and change nothing (also through the CLI,
 * with one line); `status` and `status --check` show it; with
 * the plan as it was, the migration carries on. A row written before plans
 * were recorded (and a phase table without the column) is trusted, and the run
 * that carries it on records the plan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { status } from '../../src/commands/status';
import { up } from '../../src/commands/up';
import { ExitCode } from '../../src/exit-codes';
import { PHASE_TABLE, readPhaseStates } from '../../src/history/phase-state';
import { runCli } from '../support/cli';
import { databaseState } from '../support/database-state';
import { operationsDatabase, standAt, type OperationsDatabase } from './harness';
import { SEED } from './scenario';

const VARIANT = 'KONSTRUCT_TEST_PLAN_VARIANT';

// Variant "b" adds an index built before the fill: "2 steps done" would then mean "expand and the index", and
// carrying on would skip the fill. A getter, because a module is evaluated once per process: read on every load.
const MIGRATION = `
const build = () => [
  { addColumn: { table: 'portal_users', column: { name: 'login', type: 'text' }, up: "split_part(email, '@', 1)" } },
  ...(process.env.${VARIANT} === 'b' ? [{ createIndex: { table: 'portal_users', name: 'ix_portal_users_login', columns: ['login'] } }] : []),
];
module.exports = { get operations() { return build(); } };
`;

const everything = async (h: OperationsDatabase) => ({
  ...(await databaseState(h.db.knex)),
  phases: await h.db.knex(PHASE_TABLE).select('*').orderBy('name'),
  rows: await h.db.knex('portal_users').select('*').orderBy('id'),
});

const refusal = (error: unknown) => ({ exitCode: (error as { exitCode?: number } | undefined)?.exitCode, message: String((error as Error | undefined)?.message) });

describe('a part-way migration whose compiled steps changed', () => {
  let h: OperationsDatabase | undefined;
  afterEach(async () => {
    delete process.env[VARIANT];
    await h?.close();
    h = undefined;
  });

  it('is refused by complete, down, up --expand and their dry runs, changing nothing; the same plan carries on', async () => {
    h = await operationsDatabase('plan-changed', '900_plan', { text: MIGRATION });
    await h.db.knex.raw(SEED);
    await up(h.ctx, { expand: true });
    const [started] = await readPhaseStates(h.db.knex);
    expect(started).toMatchObject({ name: '900_plan', plan: h.migration.plan });

    process.env[VARIANT] = 'b';
    const before = await everything(h);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['complete', () => complete(h!.ctx, { drainWindow: 0 })],
      ['complete --dry-run', () => complete(h!.ctx, { drainWindow: 0, dryRun: true })],
      ['down', () => down(h!.ctx, { yes: true })],
      ['down --dry-run', () => down(h!.ctx, { dryRun: true })],
      ['up --expand', () => up(h!.ctx, { expand: true })],
    ];
    for (const [what, attempt] of attempts) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect({ what, ...refusal(error) }).toEqual({
        what,
        exitCode: ExitCode.HistoryMismatch,
        message: expect.stringMatching(/^900_plan stands part-way \(\d+ steps done, going up\), but this version of konstruct-migrate compiles it into other steps/),
      });
    }
    // The CLI: one line, exit 8; status --check says it too.
    const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: h!.db.url, KONSTRUCT_MIGRATIONS_DIR: h!.ctx.migrationsDir, [VARIANT]: 'b' } });
    const completed = await cli('complete', '--drain-window', '0');
    expect({ code: completed.code, stderr: completed.stderr }).toEqual({
      code: ExitCode.HistoryMismatch,
      stderr: expect.stringMatching(/^error: 900_plan stands part-way \(2 steps done, going up\), but this version of konstruct-migrate compiles it into other steps .*: carrying it on could run the wrong step\n/),
    });
    const checked = await cli('status', '--check');
    expect({ code: checked.code, summary: checked.stdout.trim().split('\n').at(-1) }).toEqual({
      code: ExitCode.HistoryMismatch,
      summary: expect.stringContaining('1 part-way with other steps in this version (900_plan): finish or revert with the version that started it'),
    });
    expect(await everything(h)).toEqual(before);
    const shown = await status(h.ctx);
    expect(shown.planChanged).toEqual(['900_plan']);

    delete process.env[VARIANT];
    expect((await status(h.ctx)).planChanged).toEqual([]);
    await complete(h.ctx, { drainWindow: 0 });
    expect(await h.db.knex('knex_migrations').pluck('name')).toContain('900_plan');
    expect(await h.db.knex('portal_users').whereNull('login').count('* as n')).toEqual([{ n: '0' }]);
  });

  it('trusts a row recorded before plans were, in a table without the column, and records the plan when it carries on', async () => {
    h = await operationsDatabase('plan-unrecorded', '900_plan', { text: MIGRATION });
    await h.db.knex.raw(SEED);
    await standAt(h, 1);
    await h.db.knex.raw(`ALTER TABLE ${PHASE_TABLE} DROP COLUMN plan`);
    expect(await readPhaseStates(h.db.knex)).toMatchObject([{ stepsDone: 1, plan: null }]);

    await up(h.ctx, { expand: true });
    expect(await readPhaseStates(h.db.knex)).toMatchObject([{ stepsDone: 2, plan: h.migration.plan }]);
  });
});
