/**
 * How many WAL segments wait to be archived, from what any role may read:
 * pg_stat_archiver's last archived (or failed) file against the file the
 * primary writes now, pg_walfile_name(pg_current_wal_lsn()). The same count as
 * GitLab's WriteAheadLog health indicator. (Counting the `.ready` files would be
 * exact, but pg_ls_archive_statusdir() needs pg_monitor.)
 */

/** A WAL file's name, `TTTTTTTTXXXXXXXXYYYYYYYY` (timeline, log, segment), as a segment number; undefined for a history file and the like. */
export function walSegmentNumber(fileName: string, segmentBytes: number): number | undefined {
  const match = /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})/i.exec(fileName);
  if (!match) return undefined;
  const segmentsPerLog = 0x1_0000_0000 / segmentBytes;
  return parseInt(match[1]!, 16) * segmentsPerLog + parseInt(match[2]!, 16);
}

export interface ArchiverState {
  /** The file being written now. */
  currentWal: string;
  /** pg_stat_archiver.last_archived_wal, last_failed_wal (null: none since the statistics were reset). */
  lastArchived: string | null;
  lastFailed: string | null;
  segmentBytes: number;
}

/**
 * Complete segments not archived yet (the one being written is not ready, so
 * not counted); undefined when it cannot be told (nothing archived yet, or the
 * last file archived was a timeline history file).
 */
export function archiveBacklog(state: ArchiverState): number | undefined {
  const current = walSegmentNumber(state.currentWal, state.segmentBytes);
  if (current === undefined) return undefined;
  if (state.lastArchived !== null) {
    const archived = walSegmentNumber(state.lastArchived, state.segmentBytes);
    return archived === undefined ? undefined : Math.max(0, current - archived - 1);
  }
  // Nothing archived since the reset, but a failure: the failed segment is the oldest still waiting.
  const failed = state.lastFailed === null ? undefined : walSegmentNumber(state.lastFailed, state.segmentBytes);
  return failed === undefined ? undefined : Math.max(0, current - failed);
}
