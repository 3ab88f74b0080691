/**
 * The application's steady traffic on portal_users, open-loop: request k of a
 * version is due at start + k / rate whatever happened to earlier requests, and
 * its latency counts from when it was due, not from when a connection came
 * free. A stall therefore shows as latency (and a queue), never as fewer
 * requests: the "coordinated omission" a closed-loop generator would commit.
 *
 * Each version has its own connection pool (as two deployments would), opened
 * before the clock starts so no request pays for connecting; a failed
 * statement gives its connection back (pooled-request.ts). The old version
 * sends from the start; the new one from `deploy('new')`, which the run calls
 * when the new version is rolled out (once expand has committed, or at once in
 * the early-deploy scenario). `retire(version)` ends a version as a finished
 * rollout does: it stops sending, its last requests are answered, and its
 * connections close.
 */
import pg from 'pg';
import { APP_VERSIONS, appRequest, type AppVersion, type RequestKind, type RequestSource, type RowPools } from './app-versions';
import { pooledRequest } from './pooled-request';

export interface RequestRecord {
  version: AppVersion;
  kind: RequestKind;
  /** When it was due: epoch milliseconds, this process's clock. */
  dueAt: number;
  /** From due to the answer (or the error). */
  ms: number;
  /** SQLSTATE and message, or null when it succeeded. */
  error: string | null;
}

export interface LoadSettings {
  /** Requests per second, per version. */
  ratePerVersion: number;
  connectionsPerVersion: number;
  /** The application's own statement_timeout: a request waiting longer fails, as in production. */
  statementTimeoutMs: number;
}

export interface LoadRecord {
  requests: RequestRecord[];
  /** Rows each version updated successfully at least once. */
  updated: Record<AppVersion, Set<string>>;
  /** Users each version inserted successfully. */
  inserted: Record<AppVersion, number>;
  /** Connections each version's pool opened after the clock started: a request that waited for one paid for connecting. */
  reconnects: Record<AppVersion, number>;
}

export interface RunningLoad {
  /** Backend pids of every connection of the load, kept up to date (lock sampling leaves them out). */
  readonly pids: ReadonlySet<number>;
  /** The version starts sending now (its first request is due now); a version already sending is left alone. */
  deploy(version: AppVersion): void;
  /** The version stops sending; resolves once its requests in flight are answered and its pool is closed, with the epoch ms of its last answer (null: it sent nothing). */
  retire(version: AppVersion): Promise<number | null>;
  /** Stops scheduling, waits for the requests in flight, closes the pools. */
  stop(): Promise<LoadRecord>;
}

/** What each version's connections tell the server they are (pg_stat_activity.application_name), as a deployment names itself. */
export const applicationName = (version: AppVersion) => `kbench app (${version} version)`;

/** Epoch milliseconds from the monotonic clock: comparable across the whole run. */
export const epochMs = () => performance.timeOrigin + performance.now();

export async function startAppLoad(
  url: string,
  pools: RowPools,
  settings: LoadSettings,
  requestOf: RequestSource = (version, sequence) => appRequest(version, sequence, pools),
): Promise<RunningLoad> {
  const pids = new Set<number>();
  const reconnects: Record<AppVersion, number> = { old: 0, new: 0 };
  let clockStarted = false;
  const connections = {} as Record<AppVersion, pg.Pool>;
  for (const version of APP_VERSIONS) {
    const pool = new pg.Pool({
      connectionString: url,
      application_name: applicationName(version),
      statement_timeout: settings.statementTimeoutMs,
      max: settings.connectionsPerVersion,
      idleTimeoutMillis: 0,
    });
    pool.on('connect', (client) => {
      pids.add((client as unknown as { processID: number }).processID);
      if (clockStarted) reconnects[version]++;
    });
    // A connection lost mid-run (e.g. terminated) must not end the benchmark; its request records the error.
    pool.on('error', () => {});
    connections[version] = pool;
    const clients = await Promise.all(Array.from({ length: settings.connectionsPerVersion }, () => pool.connect()));
    for (const client of clients) client.release();
  }

  const record: LoadRecord = { requests: [], updated: { old: new Set(), new: new Set() }, inserted: { old: 0, new: 0 }, reconnects };
  const inFlight: Record<AppVersion, Set<Promise<void>>> = { old: new Set(), new: new Set() };
  const retired: Record<AppVersion, boolean> = { old: false, new: false };
  const lastAnswer: Record<AppVersion, number | null> = { old: null, new: null };
  const intervalMs = 1000 / settings.ratePerVersion;
  clockStarted = true;
  // When each version began sending (null: not deployed yet).
  const startedAt: Record<AppVersion, number | null> = { old: epochMs(), new: null };
  const next: Record<AppVersion, number> = { old: 0, new: 0 };
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  const send = (version: AppVersion, sequence: number, dueAt: number) => {
    const request = requestOf(version, sequence);
    const done = pooledRequest(connections[version], request.text, request.values).then(
      () => {
        if (request.rowId) record.updated[version].add(request.rowId);
        if (request.kind === 'insert') record.inserted[version]++;
        return null;
      },
      (error: { code?: string; message?: string }) => `${error.code ?? 'error'}: ${error.message ?? String(error)}`,
    );
    const settled = done.then((error) => {
      const answeredAt = epochMs();
      lastAnswer[version] = Math.max(lastAnswer[version] ?? answeredAt, answeredAt);
      record.requests.push({ version, kind: request.kind, dueAt, ms: answeredAt - dueAt, error });
      inFlight[version].delete(settled);
    });
    inFlight[version].add(settled);
  };

  const sending = () => APP_VERSIONS.filter((version) => startedAt[version] !== null && !retired[version]);
  const dueAt = (version: AppVersion) => startedAt[version]! + next[version] * intervalMs;
  const tick = () => {
    const now = epochMs();
    for (const version of sending()) {
      while (dueAt(version) <= now) {
        send(version, next[version], dueAt(version));
        next[version]++;
      }
    }
    if (stopping || sending().length === 0) return;
    const soonest = Math.min(...sending().map(dueAt));
    timer = setTimeout(tick, Math.max(0, soonest - epochMs()));
  };
  tick();
  const drain = async (version: AppVersion) => {
    while (inFlight[version].size > 0) await Promise.all([...inFlight[version]]);
  };
  const closed: Partial<Record<AppVersion, Promise<void>>> = {};
  const close = (version: AppVersion) => (closed[version] ??= connections[version].end());

  return {
    pids,
    deploy: (version) => {
      if (startedAt[version] !== null || stopping) return;
      startedAt[version] = epochMs();
      clearTimeout(timer);
      tick();
    },
    retire: async (version) => {
      retired[version] = true;
      await drain(version);
      await close(version);
      return lastAnswer[version];
    },
    stop: async () => {
      stopping = true;
      clearTimeout(timer);
      for (const version of APP_VERSIONS) await drain(version);
      await Promise.all(APP_VERSIONS.map(close));
      record.requests.sort((a, b) => a.dueAt - b.dueAt);
      return record;
    },
  };
}
