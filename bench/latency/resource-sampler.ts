/**
 * What the machine and the server did while a run went on, sampled every
 * SAMPLE_MS on a connection of its own (to the admin database: a template must have none): WAL written (pg_stat_wal: bytes and
 * full-page images), checkpoints finished (pg_stat_bgwriter), and CPU seconds
 * of the server, of this process (the Node load generator and the samplers),
 * of pgbench, of the spawned CLI, and of the whole machine. `between` turns two
 * moments into one window's totals. The cluster is the benchmark's own, so its
 * WAL and checkpoints are the run's (and the sampler's own few queries).
 */
import os from 'node:os';
import { epochMs } from '../app-load/load-generator';
import { connect } from '../databases';
import { startSampling } from '../sampling-loop';
import { childrenCpu, readProcesses, serverCpu } from './process-cpu';

export interface ResourceSample {
  /** Epoch ms, this process's clock. */
  at: number;
  walBytes: number;
  fullPageImages: number;
  checkpoints: number;
  /** CPU seconds so far (cumulative). */
  serverCpu: number;
  loadCpu: number;
  cliCpu: number;
  machineBusyCpu: number;
}

/** One window's totals; CPU as cores busy on average (2 = both cores of a 2-core machine). */
export interface ResourceWindow {
  seconds: number;
  walMB: number;
  walMBPerSecond: number;
  fullPageImages: number;
  checkpoints: number;
  serverCores: number;
  loadCores: number;
  cliCores: number;
  machineCores: number;
  /** Cores of the machine, for the reader: machineCores / cores is its busy share. */
  cores: number;
}

export interface ResourceWatch {
  /** Ends the sampling (once; later calls get the same samples). */
  stop(): Promise<ResourceSample[]>;
}

export const SAMPLE_MS = 200;

export async function watchResources(url: string): Promise<ResourceWatch> {
  const client = await connect(url, 'kbench resource sampler');
  const { rows: [server] } = await client.query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
  const postmasterPid = readProcesses().find((p) => p.pid === Number(server?.pid))?.ppid ?? -1;
  const samples: ResourceSample[] = [];
  const sampling = startSampling(SAMPLE_MS, async () => {
    const { rows: [wal] } = await client.query(
      `SELECT w.wal_bytes::float8 AS bytes, w.wal_fpi::float8 AS fpi, (b.checkpoints_timed + b.checkpoints_req)::float8 AS checkpoints
         FROM pg_stat_wal w, pg_stat_bgwriter b`,
    );
    const processes = readProcesses();
    const children = childrenCpu(processes, process.pid);
    const own = process.cpuUsage();
    samples.push({
      at: epochMs(),
      walBytes: wal.bytes,
      fullPageImages: wal.fpi,
      checkpoints: wal.checkpoints,
      serverCpu: serverCpu(processes, postmasterPid),
      loadCpu: (own.user + own.system) / 1e6 + (children.get('pgbench') ?? 0),
      cliCpu: children.get('node') ?? 0,
      machineBusyCpu: machineBusySeconds(),
    });
  });
  let stopped: Promise<ResourceSample[]> | undefined;
  const stop = async () => {
    try {
      await sampling.stop();
    } finally {
      await client.end();
    }
    return samples;
  };
  return { stop: () => (stopped ??= stop()) };
}

function machineBusySeconds(): number {
  let ms = 0;
  for (const { times } of os.cpus()) ms += times.user + times.nice + times.sys + times.irq;
  return ms / 1000;
}

/**
 * Totals from the last sample at or before `from` to the first at or after `to` (epoch ms): the
 * window and at most one sample interval on each side. Null when the samples do not cover it.
 */
export function between(samples: ResourceSample[], from: number, to: number, cores = os.cpus().length): ResourceWindow | null {
  const first = samples.filter((s) => s.at <= from).at(-1);
  const last = samples.find((s) => s.at >= to);
  if (!first || !last || last.at <= first.at) return null;
  const seconds = (last.at - first.at) / 1000;
  // A child that ended between the two samples takes its CPU with it: never below 0.
  const cores_ = (key: keyof ResourceSample) => Math.max(0, last[key] - first[key]) / seconds;
  const walMB = (last.walBytes - first.walBytes) / 2 ** 20;
  return {
    seconds,
    walMB,
    walMBPerSecond: walMB / seconds,
    fullPageImages: last.fullPageImages - first.fullPageImages,
    checkpoints: last.checkpoints - first.checkpoints,
    serverCores: cores_('serverCpu'),
    loadCores: cores_('loadCpu'),
    cliCores: cores_('cliCpu'),
    machineCores: cores_('machineBusyCpu'),
    cores,
  };
}
