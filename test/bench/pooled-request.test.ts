/**
 * What a failed statement costs the load generator's pool (issue #27): with
 * pooledRequest() nothing beyond the statement; with pg-pool's own
 * pool.query() a new connection, which is why the new version's requests,
 * failing with 42703 before expand, once took seconds each.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { pooledRequest } from '../../bench/app-load/pooled-request';
import { adminUrl } from '../support/test-database';

const FAILING = 'SELECT no_such_column FROM pg_class LIMIT 1';
let pool: pg.Pool | undefined;

/** A pool of one connection, and the backend pid of every connection it opened. */
function poolOfOne(): { pool: pg.Pool; backends: number[] } {
  pool = new pg.Pool({ connectionString: adminUrl(), max: 1, idleTimeoutMillis: 0 });
  const backends: number[] = [];
  pool.on('connect', (client) => backends.push((client as unknown as { processID: number }).processID));
  return { pool, backends };
}

afterEach(async () => {
  await pool?.end();
  pool = undefined;
});

describe('pooledRequest', () => {
  it('runs every request on the same connection when statements fail with an SQL error, and passes the error on', async () => {
    const { pool, backends } = poolOfOne();
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) await pooledRequest(pool, FAILING, []).catch((error) => errors.push(error));
    await pooledRequest(pool, 'SELECT 1', []);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['42703', '42703', '42703']);
    expect(backends).toHaveLength(1);
    expect(pool.totalCount).toBe(1);
  });

  it('drops a connection the server ended, and the next request gets a new one', async () => {
    const { pool, backends } = poolOfOne();
    await pooledRequest(pool, 'SELECT 1', []);
    const error = await pooledRequest(pool, 'SELECT pg_terminate_backend(pg_backend_pid())', []).catch((e: { code?: string }) => e);
    expect(error).toMatchObject({ code: '57P01' });
    await pooledRequest(pool, 'SELECT 1', []);
    expect(backends).toHaveLength(2);
  });
});

describe("pg-pool's own pool.query(), for comparison", () => {
  it('opens a new connection after every failed statement (what the load generator used to pay per 42703)', async () => {
    const { pool, backends } = poolOfOne();
    for (let i = 0; i < 3; i++) await pool.query(FAILING).catch(() => {});
    await pool.query('SELECT 1');
    expect(backends).toHaveLength(4);
  });
});
