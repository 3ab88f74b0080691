/**
 * For --dry-run: records every statement sent on one connection, and after each
 * one, the table locks its transaction newly holds (pg_locks of this backend,
 * diffed with what was held before). Per table only the strongest mode is
 * reported, and only when it is stronger than what was already held: that is
 * what the application's queries on that table would queue behind. It wraps the node-postgres connection's
 * query method, which knex calls as query(config, callback); the lock query is
 * queued from the callback, before the caller can send its next statement, so
 * each lock set is exactly the state after that statement.
 */

/**
 * The part of a node-postgres Client used here, spelled out rather than imported
 * from 'pg', so the published declarations do not need @types/pg.
 */
export interface PgConnection {
  query: unknown;
  escapeLiteral(value: string): string;
}
type QueryConfig = { text: string; values?: unknown[] };
type QueryResult = { rows: unknown[] };

export interface TableLock {
  relation: string;
  mode: string;
}

export interface RecordedStatement {
  /** The SQL as sent, with bound values written in as literals. */
  sql: string;
  /** Locks on tables this statement took that its transaction did not already hold (strongest per table). */
  locks: TableLock[];
}

/** PostgreSQL's table lock modes, weakest first; each conflicts with more of the others than the one before. */
const MODES = [
  'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
  'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
];
const strength = (mode: string) => MODES.indexOf(mode);

// Tables, partitioned tables, views and foreign tables of the user's schemas: not indexes, sequences or catalogs.
const HELD_TABLE_LOCKS = `
  SELECT c.oid::regclass::text AS relation, l.mode
    FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
     AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
   ORDER BY 1, 2`;

type Callback = (error: Error | null, result?: QueryResult) => void;

export interface StatementRecorder {
  /**
   * Starts a new list; locks already held by the transaction count as held. With
   * `eachMode`, only the very modes already held count as held: a weaker mode
   * newly taken on a table an earlier step locked more strongly is reported too
   * (PostgreSQL lists each mode a transaction holds). A phased step runs in a
   * transaction of its own for real, so what it takes matters even when the dry
   * run's one transaction holds more from an earlier step.
   */
  start(options?: { eachMode?: boolean }): Promise<void>;
  /** Ends the list and returns it. */
  stop(): RecordedStatement[];
  /** Puts the connection's own query method back. */
  restore(): void;
}

export function recordStatements(conn: PgConnection): StatementRecorder {
  const original = conn.query;
  const send = (config: string | QueryConfig, callback: Callback) => (original as (c: unknown, cb: Callback) => void).call(conn, config, callback);
  let recording: RecordedStatement[] | undefined;
  /** relation -> strongest mode held so far. */
  let held = new Map<string, number>();
  /** With eachMode: the relation|mode pairs held when the list started. */
  let heldBefore = new Set<string>();
  const takeNew = (now: TableLock[]): TableLock[] => {
    const fresh = new Map<string, TableLock>();
    for (const lock of now) {
      if (heldBefore.has(`${lock.relation}|${lock.mode}`)) continue;
      if (strength(lock.mode) > (held.get(lock.relation) ?? -1) && strength(lock.mode) > strength(fresh.get(lock.relation)?.mode ?? '')) {
        fresh.set(lock.relation, lock);
      }
    }
    fresh.forEach((l) => held.set(l.relation, strength(l.mode)));
    return [...fresh.values()];
  };

  (conn as { query: unknown }).query = function (config: string | QueryConfig, callback?: unknown) {
    if (!recording || typeof callback !== 'function') return (original as (...a: unknown[]) => unknown).apply(conn, arguments as unknown as unknown[]);
    const list = recording;
    const text = typeof config === 'string' ? config : config.text;
    const values = typeof config === 'string' ? [] : (config.values ?? []);
    send(config, (error, result) => {
      if (error) return (callback as Callback)(error);
      send(HELD_TABLE_LOCKS, (lockError, locks) => {
        list.push({ sql: inlineValues(conn, text, values), locks: takeNew(lockError ? [] : (locks!.rows as TableLock[])) });
        (callback as Callback)(null, result);
      });
    });
    return undefined;
  };

  return {
    start: async (options = {}) => {
      const rows = await new Promise<TableLock[]>((resolve, reject) =>
        send(HELD_TABLE_LOCKS, (error, result) => (error ? reject(error) : resolve(result!.rows as TableLock[]))),
      );
      held = new Map();
      heldBefore = new Set();
      if (options.eachMode) heldBefore = new Set(rows.map((l) => `${l.relation}|${l.mode}`));
      else takeNew(rows);
      recording = [];
    },
    stop: () => {
      const list = recording ?? [];
      recording = undefined;
      return list;
    },
    restore: () => {
      conn.query = original;
    },
  };
}

/** `$1`, `$2`... replaced by the values as SQL literals, for reading (knex only emits $n for its own bindings). */
export function inlineValues(conn: PgConnection, text: string, values: unknown[]): string {
  if (values.length === 0) return text;
  return text.replace(/\$(\d+)/g, (match, n: string) => {
    const i = Number(n) - 1;
    return i < values.length ? literal(conn, values[i]) : match;
  });
}

function literal(conn: PgConnection, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return conn.escapeLiteral(value.toISOString());
  if (typeof value === 'string') return conn.escapeLiteral(value);
  return conn.escapeLiteral(JSON.stringify(value));
}
