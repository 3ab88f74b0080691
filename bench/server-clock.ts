/**
 * The server's clock against this process's: lock holds and phase commits are
 * timed by the server, the application's requests by this process, and a run's
 * windows need both on one clock. The offset is read over the round trip that
 * was quickest of a few, so it is off by at most half that round trip (well
 * under a millisecond on a local server).
 */
import type pg from 'pg';
import { epochMs } from './app-load/load-generator';

/** Server epoch milliseconds minus this process's, at about the same instant. */
export async function serverClockOffsetMs(client: pg.Client, tries = 5): Promise<number> {
  let best = { roundTrip: Infinity, offset: 0 };
  for (let i = 0; i < tries; i++) {
    const sent = epochMs();
    const { rows: [r] } = await client.query(`SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS now`);
    const received = epochMs();
    if (received - sent < best.roundTrip) best = { roundTrip: received - sent, offset: r.now - (sent + received) / 2 };
  }
  return best.offset;
}
