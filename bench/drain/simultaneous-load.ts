/**
 * One round of drain-cost's load (issue #23 item 3): both copies take load at
 * the same time, one load generator per copy, started together and stopped
 * together. A p99 is made by its tail, and the tail's causes come in time (a
 * checkpoint, an autovacuum, another process's burst of CPU, a pause of this
 * process): with the copies loaded one after the other, each such event fell
 * on one side only; loaded together, it falls on both alike.
 *
 * Together they send what the benchmark's application sends to one database:
 * each copy gets half of each version's request rate and half of its
 * connections (rounded up), so the server serves the same load as in the
 * other scenarios, split in two.
 */
import { appRequest } from '../app-load/app-versions';
import { epochMs, startAppLoad, type LoadSettings, type RequestRecord, type RunningLoad } from '../app-load/load-generator';
import { pickRowPools } from '../app-load/row-pools';
import { withClient } from '../databases';
import { COPIES, type Copy } from './crossed-rounds';

/** What one copy's load gave in a round. */
export interface CopyLoad {
  /** Requests due in the round's kept window: after the warm-up, before its end (the same window on both copies). */
  kept: RequestRecord[];
  /** Epoch ms of the first and the last request due on the copy, warm-up included: when its load really ran. */
  firstDueAt: number;
  lastDueAt: number;
}

/** The start of a round left out, on both copies alike: fresh connections' first statements (catalog caches, plans). */
export const WARM_UP_MS = 250;

/** Far more requests than one round sends: request numbers stay apart between rounds (inserted emails stay unique). */
const ROUND_SEQUENCES = 10_000_000;

/** Each copy's share of the benchmark's application load. */
export function halfLoad(load: LoadSettings): LoadSettings {
  return {
    ...load,
    ratePerVersion: load.ratePerVersion / COPIES.length,
    connectionsPerVersion: Math.max(1, Math.ceil(load.connectionsPerVersion / COPIES.length)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads both copies at once for `ms`, both versions sending; returns each copy's requests. */
export async function loadBothCopies(urls: Record<Copy, string>, rows: number, load: LoadSettings, ms: number, round: number): Promise<Record<Copy, CopyLoad>> {
  const share = halfLoad(load);
  const pools = await Promise.all(COPIES.map((copy) => withClient(urls[copy], (client) => pickRowPools(client, rows))));
  const starting = await Promise.allSettled(
    COPIES.map((copy, i) => startAppLoad(urls[copy], pools[i]!, share, (version, sequence) => appRequest(version, round * ROUND_SEQUENCES + sequence, pools[i]!))),
  );
  const started = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starting.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((l) => l.stop()));
    throw failed.reason;
  }
  const loads = started as RunningLoad[];
  // The old version of each copy sends from its own start (a few ms apart, as their pools connect); the window kept
  // counts from here, once both send, and the new version starts on both now.
  const startedAt = epochMs();
  for (const running of loads) running.deploy('new');
  await sleep(ms);
  const records = await Promise.all(loads.map((running) => running.stop()));
  const inWindow = (r: RequestRecord) => r.dueAt - startedAt >= WARM_UP_MS && r.dueAt - startedAt < ms;
  return Object.fromEntries(
    COPIES.map((copy, i) => {
      const requests = records[i]!.requests;
      return [copy, { kept: requests.filter(inWindow), firstDueAt: requests[0]?.dueAt ?? NaN, lastDueAt: requests.at(-1)?.dueAt ?? NaN }];
    }),
  ) as Record<Copy, CopyLoad>;
}
