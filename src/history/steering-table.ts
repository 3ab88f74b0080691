/**
 * What an operator asked of a backfill from another shell (`steer`), kept in
 * the database beside konstruct_migration_phases: table
 * `konstruct_migration_steering`, one row per migration. Created by the first
 * `steer`, and, like the phase table, dropped with its last row (and left out
 * of the catalog, `verify` and the snapshots).
 *
 *   migration              the phased migration steered;
 *   paused                 its backfill waits before its next batch;
 *   reason                 what the operator gave with --reason;
 *   paused_at, paused_by   when and by whom (the OS user@host of the CLI),
 *   paused_by_role, paused_by_application, paused_by_client
 *                          and as the database saw that session;
 *   batch_time_ms          a new target batch time (null: the run's --batch-time);
 *   updated_by, updated_at the last change, whatever it was.
 *
 * The running migration only reads it, between two batches and outside any
 * transaction of its own, and deletes its row once the migration has reached
 * an end (run-migration.ts): a `steer` never waits for the migration's work.
 */
import type { Knex } from 'knex';
import { tableExists } from '../db/relation-exists';

export const STEERING_TABLE = 'konstruct_migration_steering';

export interface Steering {
  migration: string;
  paused: boolean;
  reason: string | null;
  pausedAt: Date | null;
  /** Who paused it; null when not paused. */
  pausedBy: SteeredBy | null;
  batchTimeMs: number | null;
  updatedBy: string;
  updatedAt: Date;
}

export interface SteeredBy {
  /** user@host of the CLI that asked. */
  os: string;
  /** The database role, application_name and client address of its session. */
  role: string;
  application: string;
  client: string;
}

/** What one `steer` changes; a field left out stays as it is. */
export interface SteeringChange {
  paused?: boolean;
  reason?: string | null;
  batchTimeMs?: number;
  /** user@host of the CLI. */
  by: string;
}

/** How long forgetting a row may wait for a lock before it leaves the row for later. */
const FORGET_LOCK_TIMEOUT_MS = 200;

const COLUMNS = `migration, paused, reason, paused_at, paused_by, paused_by_role, paused_by_application, paused_by_client, batch_time_ms, updated_by, updated_at`;

async function ensureSteeringTable(knex: Knex): Promise<void> {
  if (await tableExists(knex, STEERING_TABLE)) return;
  await knex.raw(STEERING_TABLE_DDL);
}

/** Exported for the test of two first `steer`s at once. */
export const STEERING_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${STEERING_TABLE} (
    migration text PRIMARY KEY,
    paused boolean NOT NULL DEFAULT false,
    reason text,
    paused_at timestamptz,
    paused_by text,
    paused_by_role text,
    paused_by_application text,
    paused_by_client text,
    batch_time_ms integer,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())`;

/**
 * Applies `change` to `migration`'s row in one statement (after creating the
 * table if need be) and returns the row as it now stands. The session's own
 * role, application_name and address are filled in by the server.
 */
export async function steer(knex: Knex, migration: string, change: SteeringChange): Promise<Steering> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upsert(knex, migration, change);
    } catch (error) {
      if (attempt === 3 || !RACES.includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
}

/**
 * Lost races, each taken again: the table dropped between creating it and writing to it (a migration reached its end
 * and forgot its row), and two first `steer`s creating it at once, where IF NOT EXISTS does not help: the second
 * fails on pg_type's unique index (found by review: one of two operators got "unexpected failure", exit 1, and its
 * change was lost).
 */
const RACES = ['42P01', '23505', '42P07'];

async function upsert(knex: Knex, migration: string, change: SteeringChange): Promise<Steering> {
  await ensureSteeringTable(knex);
  const pausing = change.paused === true;
  const resuming = change.paused === false;
  const set = [
    'updated_by = excluded.updated_by', 'updated_at = now()',
    ...(pausing ? ['paused = true', 'reason = excluded.reason', 'paused_at = now()', 'paused_by = excluded.paused_by', 'paused_by_role = excluded.paused_by_role', 'paused_by_application = excluded.paused_by_application', 'paused_by_client = excluded.paused_by_client'] : []),
    ...(resuming ? ['paused = false', 'reason = NULL', 'paused_at = NULL', 'paused_by = NULL', 'paused_by_role = NULL', 'paused_by_application = NULL', 'paused_by_client = NULL'] : []),
    ...(change.batchTimeMs !== undefined ? ['batch_time_ms = excluded.batch_time_ms'] : []),
  ];
  const { rows } = await knex.raw(
    `INSERT INTO ${STEERING_TABLE} (${COLUMNS})
     VALUES (?, ?, ?, CASE WHEN ? THEN now() END, ?, CASE WHEN ? THEN current_user END,
             CASE WHEN ? THEN current_setting('application_name') END, CASE WHEN ? THEN coalesce(host(inet_client_addr()), 'local socket') END,
             ?, ?, now())
     ON CONFLICT (migration) DO UPDATE SET ${set.join(', ')}
     RETURNING ${COLUMNS}`,
    [migration, pausing, pausing ? change.reason ?? null : null, pausing, pausing ? change.by : null, pausing, pausing, pausing, change.batchTimeMs ?? null, change.by],
  );
  return fromRow(rows[0]);
}

/** `migration`'s row; undefined when there is none (or no table). */
export async function readSteering(knex: Knex, migration: string): Promise<Steering | undefined> {
  return (await readAllSteering(knex, migration)).get(migration);
}

/** Every row (or only `migration`'s), by migration; empty when the table does not exist. */
export async function readAllSteering(knex: Knex, migration?: string): Promise<Map<string, Steering>> {
  if (!(await tableExists(knex, STEERING_TABLE))) return new Map();
  return readRows(knex, migration);
}

/**
 * One statement: the gate's read before a batch, for a table it knows exists.
 * Undefined when the table has gone meanwhile (dropped with its last row).
 */
export async function readSteeringRow(knex: Knex, migration: string): Promise<Steering | null | undefined> {
  try {
    return (await readRows(knex, migration)).get(migration) ?? null;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return undefined; // undefined_table
    throw error;
  }
}

export async function steeringTableExists(knex: Knex): Promise<boolean> {
  return tableExists(knex, STEERING_TABLE);
}

async function readRows(knex: Knex, migration?: string): Promise<Map<string, Steering>> {
  const query = knex(STEERING_TABLE).select(knex.raw(COLUMNS));
  const rows = await (migration === undefined ? query : query.where({ migration }));
  return new Map(rows.map((r: Record<string, unknown>) => [r.migration as string, fromRow(r)]));
}

/**
 * Forgets `migration` (it reached an end) and drops the table once it is empty.
 * Never fails the run that reached the end: a session holding the row or the
 * table (an operator's open transaction) is not waited for, and whatever goes
 * wrong leaves the row, which holds nothing back (status and `steer` ignore
 * the rows of applied migrations) until the next end clears it.
 */
export async function forgetSteering(knex: Knex, migration: string): Promise<void> {
  if (!(await tableExists(knex, STEERING_TABLE).catch(() => false))) return; // the common case: one round trip
  await knex
    .transaction(async (trx) => {
      await trx.raw(`SET LOCAL lock_timeout = '${FORGET_LOCK_TIMEOUT_MS}ms'`);
      await trx(STEERING_TABLE).where({ migration }).delete();
      if (!(await trx(STEERING_TABLE).first('migration'))) await trx.raw(`DROP TABLE ${STEERING_TABLE}`);
    })
    .catch(() => {});
}

function fromRow(r: Record<string, unknown>): Steering {
  const paused = r.paused === true;
  return {
    migration: r.migration as string,
    paused,
    reason: (r.reason as string | null) ?? null,
    pausedAt: paused ? (r.paused_at as Date) : null,
    pausedBy: paused
      ? { os: r.paused_by as string, role: r.paused_by_role as string, application: r.paused_by_application as string, client: r.paused_by_client as string }
      : null,
    batchTimeMs: (r.batch_time_ms as number | null) ?? null,
    updatedBy: r.updated_by as string,
    updatedAt: r.updated_at as Date,
  };
}

/** `alice@laptop (role app_admin, psql, 10.0.0.5)`: for progress lines and `status`. */
export function describeSteeredBy(by: SteeredBy): string {
  return `${by.os} (role ${by.role}${by.application ? `, ${by.application}` : ''}, ${by.client})`;
}
