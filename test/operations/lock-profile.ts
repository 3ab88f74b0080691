/**
 * Which locks each step holds on a table, and whether it touched the table's
 * rows while holding one that blocks the application's reads or writes. Each
 * step runs in its own transaction (each batch too), as the runner runs it; at
 * the step's end, before commit, the transaction's own pg_locks and its own
 * row counters for the table (pg_stat_get_xact_*: rows read, fetched, written
 * in this transaction) are read, and its relfilenode (a new one: rewritten).
 */
import type { Knex } from 'knex';
import { isBatched, isOutsideTransaction, type PhasedStep } from '../../src/phased/phased-migration';

/** Modes that make the application's plain reads (ACCESS EXCLUSIVE) or writes (the others) queue. */
const BLOCKING = ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

export interface StepLocks {
  phase: string;
  step: string;
  /** Table lock modes held at the step's end (strongest last), or 'outside a transaction'. */
  modes: string[];
  /** Rows of the table read or written in a step that held a blocking lock (0 is what online means). */
  rowsUnderBlockingLock: number;
  rewritten: boolean;
}

const ROWS_TOUCHED = (oid: string) =>
  `pg_stat_get_xact_tuples_returned(${oid}) + pg_stat_get_xact_tuples_fetched(${oid}) + pg_stat_get_xact_tuples_inserted(${oid})
   + pg_stat_get_xact_tuples_updated(${oid}) + pg_stat_get_xact_tuples_deleted(${oid})`;

async function rowsTouched(trx: Knex.Transaction, table: string): Promise<number> {
  return Number((await trx.raw(`SELECT ${ROWS_TOUCHED('?::regclass')} AS n`, [table, table, table, table, table])).rows[0].n);
}

async function observe(trx: Knex.Transaction, table: string, relfilenode: number, rowsBefore: number): Promise<Omit<StepLocks, 'phase' | 'step'>> {
  const { rows } = await trx.raw(
    `SELECT coalesce(array_agg(l.mode ORDER BY l.mode) FILTER (WHERE l.mode IS NOT NULL), '{}') AS modes,
            ${ROWS_TOUCHED('c.oid')} AS rows,
            c.relfilenode
       FROM pg_class c LEFT JOIN pg_locks l ON l.relation = c.oid AND l.pid = pg_backend_pid() AND l.granted
      WHERE c.oid = ?::regclass GROUP BY c.oid, c.relfilenode`,
    [table],
  );
  const { modes, rows: touched, relfilenode: now } = rows[0] as { modes: string[]; rows: string; relfilenode: number };
  const blocking = modes.some((m) => BLOCKING.includes(m));
  return { modes, rowsUnderBlockingLock: blocking ? Number(touched) - rowsBefore : 0, rewritten: now !== relfilenode };
}

/** Runs `steps` up, one transaction per step or batch, and reports each step's locks on `table`. */
export async function lockProfile(knex: Knex, steps: readonly PhasedStep[], table: string): Promise<StepLocks[]> {
  const relfilenode = async () => (await knex.raw('SELECT relfilenode FROM pg_class WHERE oid = ?::regclass', [table])).rows[0].relfilenode as number;
  const profile: StepLocks[] = [];
  for (const step of steps) {
    const seen = { phase: step.phase, step: step.name, modes: new Set<string>(), rowsUnderBlockingLock: 0, rewritten: false };
    const note = (o: Omit<StepLocks, 'phase' | 'step'>) => {
      o.modes.forEach((m) => seen.modes.add(m));
      seen.rowsUnderBlockingLock += o.rowsUnderBlockingLock;
      seen.rewritten ||= o.rewritten;
    };
    const before = await relfilenode();
    if (isOutsideTransaction(step)) {
      await step.up(knex);
      seen.modes.add('outside a transaction');
    } else if (isBatched(step)) {
      let cursor: string | null = null;
      while (step.batch.up) {
        await knex.transaction(async (trx) => {
          const rowsBefore = await rowsTouched(trx, table);
          cursor = (await step.batch.up!(trx, cursor, 100)).next;
          note(await observe(trx, table, before, rowsBefore));
        });
        if (cursor === null) break;
      }
    } else {
      await knex.transaction(async (trx) => {
        const rowsBefore = await rowsTouched(trx, table);
        await step.up(trx);
        note(await observe(trx, table, before, rowsBefore));
      });
    }
    profile.push({ ...seen, modes: [...seen.modes].sort() });
  }
  return profile;
}

/** Per phase, the lock modes its steps held: what the application queues behind in that phase. */
export function modesByPhase(profile: readonly StepLocks[]): Record<string, string[]> {
  const byPhase: Record<string, Set<string>> = {};
  for (const s of profile) s.modes.forEach((m) => (byPhase[s.phase] ??= new Set()).add(m));
  return Object.fromEntries(Object.entries(byPhase).map(([phase, modes]) => [phase, [...modes].sort()]));
}
