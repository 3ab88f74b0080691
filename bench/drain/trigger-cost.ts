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
import { COPIES, otherCopy, type Copy, type RecorderSide } from './crossed-rounds';

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
  /** Median with minus median without over the half of the repetitions each copy carried the recorder, ms (absent in results from before the crossing). */
  differenceByCarrier?: Record<Copy, number>;
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

type Samples = Record<WriteStatement, Record<RecorderSide, Explained[]>>;

/** `repetitions` of each write on each side, alternating which side goes first. */
async function sample(urls: Record<RecorderSide, string>, ids: string[], repetitions: number, first: number, recorderPrefix: string): Promise<Samples> {
  const clients = { recording: await connect(urls.recording, applicationName('old')), without: await connect(urls.without, applicationName('old')) };
  try {
    const seen: Samples = { update: { recording: [], without: [] }, insert: { recording: [], without: [] } };
    for (let i = first; i < first + repetitions; i++) {
      const order = i % 2 === 0 ? (['recording', 'without'] as const) : (['without', 'recording'] as const);
      for (const statement of WRITE_STATEMENTS) {
        const text = statementText(statement, ids[i % ids.length]!, i);
        for (const side of order) seen[statement][side].push(await explain(clients[side], text, recorderPrefix));
      }
    }
    return seen;
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.end()));
  }
}

const executionMs = (explained: Explained[]) => median(explained.map((e) => e.executionMs));

/**
 * `ids`: rows the old version updates (they exist on both copies). `carry` puts the recorder's triggers on the
 * copy it names and removes them from the other; half the repetitions run in each arrangement.
 */
export async function measureTriggerCost(copies: Record<Copy, string>, ids: string[], repetitions: number, recorderPrefix: string, carry: (carrier: Copy) => Promise<void>): Promise<StatementCost[]> {
  const halves = {} as Record<Copy, Samples>;
  const half = Math.ceil(repetitions / 2);
  for (const [n, carrier] of COPIES.entries()) {
    await carry(carrier);
    halves[carrier] = await sample({ recording: copies[carrier], without: copies[otherCopy(carrier)] }, ids, half, n * half, recorderPrefix);
  }
  const both = (statement: WriteStatement, side: RecorderSide) => COPIES.flatMap((c) => halves[c][statement][side]);
  return WRITE_STATEMENTS.map((statement) => ({
    statement,
    repetitions: half * COPIES.length,
    withMs: executionMs(both(statement, 'recording')),
    withoutMs: executionMs(both(statement, 'without')),
    recorderMs: median(both(statement, 'recording').map((e) => e.recorderMs)),
    differenceByCarrier: { x: executionMs(halves.x[statement].recording) - executionMs(halves.x[statement].without), y: executionMs(halves.y[statement].recording) - executionMs(halves.y[statement].without) },
  }));
}
