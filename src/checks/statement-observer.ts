/**
 * Wraps the throwaway copy's one connection so that every statement a
 * migration sends is followed, before the migration can send the next, by a
 * snapshot of the existing tables (table-state.ts); the two snapshots around
 * it say what the statement did (state-diff.ts).
 *
 * A statement sent outside a transaction (a migration with
 * `config.transaction = false`) is run inside BEGIN ... COMMIT so that its
 * locks can be read before they end; one PostgreSQL refuses there (CREATE
 * INDEX CONCURRENTLY, VACUUM) runs again on its own, and its locks are unknown.
 * The server's DEBUG1 messages are collected too: they say when it rewrote or
 * only verified a table, and when a CHECK spared a NOT NULL its scan.
 */
import { inlineValues, type PgConnection } from '../engine/statement-recorder';
import type { ObservedStatement } from './observation';
import { diffStates } from './state-diff';
import { tableStateQuery, type TableState } from './table-state';
import { everyRowWritesOf } from './every-row';

type QueryConfig = { text: string; values?: unknown[] };
type Result = { rows: unknown[]; command?: string };
/** A migration's string gets one result per statement: an array of them when it held several. */
type QueryResult = Result | Result[];
type Callback = (error: Error | null, result?: QueryResult) => void;
/** The observer's own statements are one each; a migration's may be several (QueryResult). */
type Send = (config: string | QueryConfig) => Promise<Result>;

export interface Where {
  migration: string;
  phase?: string;
  step?: string;
  batched: boolean;
}

export interface StatementObserver {
  /** From now on, statements are attributed to `where`. */
  at(where: Where): void;
  /** What was observed so far. */
  observed: ObservedStatement[];
  restore(): void;
}

interface NoticeSource {
  on(event: 'notice', listener: (notice: { message?: string }) => void): void;
  off(event: 'notice', listener: (notice: { message?: string }) => void): void;
}

const NOT_IN_A_TRANSACTION_BLOCK = '25001';
const BEGINS = /^\s*(begin|start\s+transaction)\b/i;
const ENDS = /^\s*(commit|end|rollback)\b(?!\s+(to|prepared))/i;

export async function observeStatements(conn: PgConnection & NoticeSource, existing: number[]): Promise<StatementObserver> {
  const original = conn.query as (c: unknown, cb: Callback) => void;
  const sendAny = (config: string | QueryConfig) =>
    new Promise<QueryResult>((resolve, reject) => original.call(conn, config, (e, r) => (e ? reject(e) : resolve(r!))));
  const send = sendAny as Send;
  const notices: string[] = [];
  const listen = (notice: { message?: string }) => void notices.push(notice.message ?? '');
  conn.on('notice', listen);
  await send('SET client_min_messages = debug1');
  const snapshot = async () => (await send(tableStateQuery(existing))).rows as TableState[];

  const observed: ObservedStatement[] = [];
  let where: Where = { migration: '', batched: false };
  let inTransaction = false;
  let before = await snapshot();
  /** The tables when the migration's open transaction began: what rows were there before it. */
  let transactionStart = before;

  const observe = async (config: string | QueryConfig): Promise<QueryResult> => {
    notices.length = 0;
    const alone = !inTransaction;
    let result: QueryResult;
    let locksSeen = true;
    if (alone) await send('BEGIN');
    try {
      result = await sendAny(config);
    } catch (error) {
      if (alone) await send('ROLLBACK');
      if (!alone || (error as { code?: string }).code !== NOT_IN_A_TRANSACTION_BLOCK) throw error;
      result = await sendAny(config);
      locksSeen = false;
    }
    const after = await snapshot();
    const changes = diffStates(before, after, notices, locksSeen);
    // With its values in place: a query builder's UPDATE sends $1, $2, which EXPLAIN alone cannot plan (found by review).
    const sql = typeof config === 'string' ? config : inlineValues(conn, config.text, config.values ?? []);
    const judged = await everyRowWritesOf(send, result, sql, after, alone ? before : transactionStart, !alone || locksSeen);
    // A batch is bounded by its range, whatever the table's size; one with no condition at all is the whole table in one
    // transaction, not a batch (found by review: a batch function that ignored its cursor and size passed).
    const writes = where.batched ? { everyRow: judged.everyRow.filter((w) => w.because === undefined), filtered: [] } : judged;
    if (alone && locksSeen) await send('COMMIT');
    observed.push({ ...where, sql, ...changes, everyRow: writes.everyRow, filteredWrites: writes.filtered });
    before = alone ? await snapshot() : after;
    return result;
  };

  (conn as { query: unknown }).query = function (config: string | QueryConfig, callback?: unknown) {
    if (typeof callback !== 'function') return (original as (...a: unknown[]) => unknown).apply(conn, arguments as unknown as unknown[]);
    const text = typeof config === 'string' ? config : config.text;
    const run = async (): Promise<QueryResult> => {
      if (BEGINS.test(text) || ENDS.test(text)) {
        const result = await sendAny(config);
        inTransaction = BEGINS.test(text);
        // A rolled-back transaction leaves the tables as they were before it.
        before = await snapshot();
        transactionStart = before;
        return result;
      }
      if (/^\s*(savepoint|release|rollback\s+to)\b/i.test(text)) return send(config);
      return observe(config);
    };
    run().then((r) => (callback as Callback)(null, r), (e: Error) => (callback as Callback)(e));
    return undefined;
  };

  return {
    at: (next) => void (where = next),
    observed,
    restore: () => {
      conn.query = original;
      conn.off('notice', listen);
    },
  };
}
