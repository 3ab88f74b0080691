/**
 * `--wait <seconds>` / `wait`: for pipelines that start PostgreSQL beside the
 * job, keep trying to connect while the server is not up yet (refused, not
 * resolvable yet, starting up), with jittered backoff, until it answers or the
 * time is up. A wrong password or a missing database is not going to fix
 * itself: those fail at once.
 */
import { ConnectionError } from '../errors';
import { backoffDelay, sleep } from './backoff';
import { ownWords } from './redact';
import { formatSeconds } from './session-info';

export interface WaitOptions {
  /** 0: one attempt. */
  waitSeconds: number;
  log: (line: string) => void;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
]);
const BACKOFF = { initialMs: 250, maxMs: 2_000 };

/** Calls `connect` until it succeeds or a failure is not worth waiting out; resolves with how long it waited. */
export async function connectWithin<T>(connect: () => Promise<T>, options: WaitOptions): Promise<{ connected: T; waitedMs: number }> {
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      const connected = await connect();
      return { connected, waitedMs: Date.now() - started };
    } catch (error) {
      const remaining = deadline - Date.now();
      if (!(error instanceof ConnectionError) || !isTransient(error.cause) || remaining <= 0) {
        if (attempt === 0 || !(error instanceof ConnectionError)) throw error;
        throw new ConnectionError(ownWords`${error.message} (gave up after waiting ${formatSeconds((Date.now() - started) / 1000)}, --wait)`, error.hint, error.cause);
      }
      if (attempt === 0) {
        options.log(ownWords`waiting up to ${formatSeconds(options.waitSeconds)} for the database to accept connections (${error.message})`);
      }
      await sleep(Math.min(backoffDelay(attempt, BACKOFF), remaining));
    }
  }
}

function isTransient(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return TRANSIENT_CODES.has(e?.code ?? '') || /timeout|terminated unexpectedly/i.test(e?.message ?? '');
}
