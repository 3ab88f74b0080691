/**
 * The drain recorder's own cost, measured by the server (issue #23 item 3),
 * apart from the noise of the client and of a shared machine: the old
 * version's two writes that fire it (an UPDATE of `is_admin`, an INSERT that
 * sets it) run under EXPLAIN ANALYZE on both copies, one after the other in
 * alternating order, many times, each in a transaction rolled back. Reported:
 * the median execution time of each statement with the triggers and without
 * them, and the median time PostgreSQL charges to the recorder's triggers
 * themselves (EXPLAIN's per-trigger time, BEFORE triggers included). The
 * sessions call themselves the old version (application_name), so the
 * recorder takes the path it takes under load: its counter row exists, and
 * the upsert updates it.
 */
import type pg from 'pg';
import { applicationName } from '../app-load/load-generator';
import { connect } from '../databases';
import { median } from '../median';

export type WriteStatement = 'update' | 'insert';
export const WRITE_STATEMENTS: readonly WriteStatement[] = ['update', 'insert'];

export interface StatementCost {
  statement: WriteStatement;
  repetitions: number;
  /** Median EXPLAIN ANALYZE execution time, ms, with the recorder's triggers and without. */
  withMs: number;
  withoutMs: number;
  /** Median time of the recorder's triggers per statement, ms (0 when they did not fire). */
  recorderMs: number;
}

const UUID = /^[0-9a-f-]{36}$/;
const HASH = `$2b$12$${'z'.repeat(53)}`;

function statementText(statement: WriteStatement, id: string, i: number): string {
  if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
  return statement === 'update'
    ? `UPDATE portal_users SET is_admin = true, updated_at = now() WHERE id = '${id}'`
    : `INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('explain.${i}@load.example', '${HASH}', 'Explain ${i}', false)`;
}

interface Explained {
  executionMs: number;
  recorderMs: number;
}

async function explain(client: pg.Client, text: string, recorderPrefix: string): Promise<Explained> {
  await client.query('BEGIN');
  try {
    const { rows: [row] } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`);
    const [plan] = row['QUERY PLAN'] as Array<{ 'Execution Time': number; Triggers?: Array<{ 'Trigger Name': string; Time: number }> }>;
    const recorderMs = (plan!.Triggers ?? []).filter((t) => t['Trigger Name'].startsWith(recorderPrefix)).reduce((sum, t) => sum + t.Time, 0);
    return { executionMs: plan!['Execution Time'], recorderMs };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** `ids`: rows the old version updates (they exist on both copies). */
export async function measureTriggerCost(urls: { recording: string; without: string }, ids: string[], repetitions: number, recorderPrefix: string): Promise<StatementCost[]> {
  const clients = { recording: await connect(urls.recording, applicationName('old')), without: await connect(urls.without, applicationName('old')) };
  try {
    const seen: Record<WriteStatement, Record<'recording' | 'without', Explained[]>> = {
      update: { recording: [], without: [] },
      insert: { recording: [], without: [] },
    };
    for (let i = 0; i < repetitions; i++) {
      const order = i % 2 === 0 ? (['recording', 'without'] as const) : (['without', 'recording'] as const);
      for (const statement of WRITE_STATEMENTS) {
        const text = statementText(statement, ids[i % ids.length]!, i);
        for (const side of order) seen[statement][side].push(await explain(clients[side], text, recorderPrefix));
      }
    }
    return WRITE_STATEMENTS.map((statement) => ({
      statement,
      repetitions,
      withMs: median(seen[statement].recording.map((e) => e.executionMs)),
      withoutMs: median(seen[statement].without.map((e) => e.executionMs)),
      recorderMs: median(seen[statement].recording.map((e) => e.recorderMs)),
    }));
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.end()));
  }
}
