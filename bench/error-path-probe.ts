/**
 * Issue #27's measurement: what a failed statement costs the load generator.
 * On a throwaway server, at the load's rate and pool size, it sends statements
 * that fail with 42703 (as the new version's do before expand), first through
 * `pool.query()` (what the load used to do), then through pooledRequest()
 * (what it does now), and a statement that succeeds as the baseline; it counts
 * the connections each pool opened and times a bare connect.
 *
 *   npm run build && node dist/bench/error-path-probe.js
 */
import pg from 'pg';
import { openBenchServer } from './bench-server';
import { DatabaseFactory, withClient } from './databases';
import { percentile } from './app-load/latency-windows';
import { epochMs } from './app-load/load-generator';
import { pooledRequest } from './app-load/pooled-request';

const RATE = 100;
const REQUESTS = 300;
const POOL_SIZE = 10;

type Sender = (pool: pg.Pool, text: string) => Promise<unknown>;

async function openLoop(url: string, send: Sender, text: string): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, idleTimeoutMillis: 0 });
  let connects = 0;
  pool.on('connect', () => connects++);
  pool.on('error', () => {});
  await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect())).then((clients) => clients.forEach((c) => c.release()));
  connects = 0;
  const start = epochMs();
  const latencies = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, k) => {
      const due = start + (k * 1000) / RATE;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - epochMs())));
      await send(pool, text).catch(() => {});
      return epochMs() - due;
    }),
  );
  await pool.end();
  const sorted = latencies.sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms, connections opened ${connects}`;
}

async function connectTimes(url: string): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await withClient(url, async () => {});
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return `median ${percentile(times, 0.5).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (connect, SCRAM authentication, disconnect)`;
}

async function main() {
  const server = await openBenchServer();
  const factory = await DatabaseFactory.open(server.url);
  try {
    const url = factory.url(await factory.create('probe'));
    await withClient(url, (client) => client.query('CREATE TABLE portal_users (id int PRIMARY KEY, is_admin bool)'));
    const failing = 'SELECT role FROM portal_users WHERE id = 1';
    const succeeding = 'SELECT is_admin FROM portal_users WHERE id = 1';
    const viaPoolQuery: Sender = (pool, text) => pool.query(text);
    const viaPooledRequest: Sender = (pool, text) => pooledRequest(pool, text, []);
    console.log(`${REQUESTS} requests at ${RATE}/s, pool of ${POOL_SIZE}, load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)}:`);
    console.log(`- a new connection: ${await connectTimes(url)}`);
    console.log(`- failing (42703), pool.query():     ${await openLoop(url, viaPoolQuery, failing)}`);
    console.log(`- failing (42703), pooledRequest():  ${await openLoop(url, viaPooledRequest, failing)}`);
    console.log(`- succeeding, pool.query():          ${await openLoop(url, viaPoolQuery, succeeding)}`);
  } finally {
    await factory.close();
    await server.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
