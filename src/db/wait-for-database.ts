/**
 * `--wait <seconds>` / `wait`: for pipelines that start PostgreSQL beside the
 * job, keep trying to connect while the server is not up yet (refused, not
 * resolvable yet, starting up), with jittered backoff, until it answers or the
 * time is up. A wrong password or a missing database is not going to fix
 * itself: those fail at once.
 */
import type { Knex } from 'knex';
import { ConnectionError } from '../errors';
import { backoffDelay, sleep } from '../engine/backoff';
import { explainConnectionFailure } from './connect';
import { formatSeconds } from './session-info';

export interface WaitOptions {
  /** 0: one attempt. */
  waitSeconds: number;
  connectTimeoutMs: number;
  log: (line: string) => void;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
]);
const BACKOFF = { initialMs: 250, maxMs: 2_000 };

/** Resolves to how long it waited, in ms. */
export async function connectWithin(knex: Knex, options: WaitOptions): Promise<number> {
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const attemptStarted = Date.now();
    try {
      await knex.raw('select 1');
      return Date.now() - started;
    } catch (error) {
      const remaining = deadline - Date.now();
      const explained = explainConnectionFailure(error, options.connectTimeoutMs, Date.now() - attemptStarted);
      if (!isTransient(error) || remaining <= 0) {
        if (attempt === 0) throw explained;
        throw new ConnectionError(`${explained.message} (gave up after waiting ${formatSeconds((Date.now() - started) / 1000)}, --wait)`, explained.hint, error);
      }
      if (attempt === 0) {
        options.log(`waiting up to ${formatSeconds(options.waitSeconds)} for the database to accept connections (${explained.message})`);
      }
      await sleep(Math.min(backoffDelay(attempt, BACKOFF), remaining));
    }
  }
}

function isTransient(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return TRANSIENT_CODES.has(e?.code ?? '') || /timeout|terminated unexpectedly/i.test(e?.message ?? '');
}
