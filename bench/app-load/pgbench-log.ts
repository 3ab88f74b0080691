/**
 * pgbench's per-transaction log (`--log`, with `--rate`), read as the Node
 * load's request records. Each line is
 *   client_id transaction_no time script_no time_epoch time_us schedule_lag
 * where time (µs) runs from the transaction's actual start to its end,
 * time_epoch.time_us is its end, and schedule_lag (µs) is how late it started
 * against its schedule. Its latency from when it was due is therefore
 * time + schedule_lag, as the Node load counts it (open loop). pgbench logs
 * only transactions that completed; one whose client aborted is not there.
 */
import type { AppVersion } from './app-versions';
import { PGBENCH_SCRIPT_KINDS } from './pgbench-scripts';
import type { RequestRecord } from './load-generator';

/** `clockOffsetMs`: add to pgbench's wall-clock epoch ms to get the benchmark's epochMs() clock. */
export function pgbenchRecords(log: string, version: AppVersion, clockOffsetMs: number): RequestRecord[] {
  const records: RequestRecord[] = [];
  for (const line of log.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 7) continue;
    const [timeUs, scriptNo, epochS, epochUs, lagUs] = fields.slice(2, 7).map(Number);
    if (![timeUs, scriptNo, epochS, epochUs, lagUs].every(Number.isFinite)) continue;
    const ms = (timeUs! + lagUs!) / 1000;
    const endedAt = epochS! * 1000 + epochUs! / 1000 + clockOffsetMs;
    records.push({ version, kind: PGBENCH_SCRIPT_KINDS[scriptNo!] ?? 'read', dueAt: endedAt - ms, ms, error: null });
  }
  return records.sort((a, b) => a.dueAt - b.dueAt);
}
