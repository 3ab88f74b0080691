/**
 * Everything known about whether the old application version of a phased
 * migration is still active: its old-shape writes (drain triggers), reads and
 * writes seen by pg_stat_statements, and sessions named like it.
 */
import type { Knex } from 'knex';
import { isEmpty, type ContractDrops } from './contract-drops';
import { readEvidence, type EvidenceRow } from './evidence-table';
import { lookAtReads, statementStatsSchema } from './read-evidence';
import { oldVersionSessions, type OldSession } from './session-evidence';
import { isRecording } from './write-recorder';

export interface DrainEvidence {
  migration: string;
  /** What the contract drops; null: unknown (a snapshot is missing), so writes and reads cannot be told apart. */
  drops: ContractDrops | null;
  /** The drain triggers are in place. */
  recordingWrites: boolean;
  /** pg_stat_statements could be read. */
  readsSeen: boolean;
  writes: EvidenceRow[];
  reads: EvidenceRow[];
  /** Only when a pattern for the old version's application_name was given. */
  sessions: OldSession[] | null;
  /** The server's clock when this was gathered: evidence is dated by it. */
  at: Date;
}

export interface GatherOptions {
  /** A glob for the old version's application_name (e.g. 'portal-v1*'). */
  oldVersion?: string;
  /** Take a look at pg_stat_statements and record it (complete does; status only reads). */
  look?: boolean;
}

export async function gatherEvidence(knex: Knex, migration: string, drops: ContractDrops | null, options: GatherOptions = {}): Promise<DrainEvidence> {
  const known = drops ?? { tables: [], columns: [] };
  const readsSeen = drops !== null && !isEmpty(drops) && (options.look ? await lookAtReads(knex, migration, known) : await canSeeReads(knex));
  const rows = await readEvidence(knex, migration);
  const at: Date = (await knex.raw('SELECT now() AS at')).rows[0].at;
  return {
    migration,
    drops,
    recordingWrites: await isRecording(knex, migration),
    readsSeen,
    writes: rows.filter((r) => r.source === 'write'),
    reads: rows.filter((r) => r.source === 'read' && r.count > 0),
    sessions: options.oldVersion ? await oldVersionSessions(knex, options.oldVersion) : null,
    at,
  };
}

async function canSeeReads(knex: Knex): Promise<boolean> {
  return (await statementStatsSchema(knex)) !== null;
}

/** One piece of evidence inside the drain window, said as a person would read it. */
export interface RecentSign {
  kind: 'write' | 'read' | 'session';
  text: string;
  /** Seconds until it leaves the window; sessions: unknown (they must end). */
  clearsInSeconds: number | null;
}

/** The evidence that falls inside the last `windowSeconds`, newest first. */
export function recentSigns(e: DrainEvidence, windowSeconds: number): RecentSign[] {
  const ago = (d: Date) => Math.max(0, (e.at.getTime() - d.getTime()) / 1000);
  const recent = (r: EvidenceRow) => r.lastSeen !== null && ago(r.lastSeen) < windowSeconds;
  const signs: RecentSign[] = [];
  for (const w of e.writes.filter(recent)) {
    signs.push({
      kind: 'write',
      text: `${w.detail} of ${w.object} (the old shape) ${w.count} time${w.count === 1 ? '' : 's'}, last ${seconds(ago(w.lastSeen!))} ago, by ${writer(w.applicationName, w.user, w.clientAddr)}`,
      clearsInSeconds: windowSeconds - ago(w.lastSeen!),
    });
  }
  for (const r of e.reads.filter(recent)) {
    signs.push({
      kind: 'read',
      text: `a statement naming ${r.object} (pg_stat_statements queryid ${r.detail}) ran ${r.count} time${r.count === 1 ? '' : 's'}, last seen ${seconds(ago(r.lastSeen!))} ago`,
      clearsInSeconds: windowSeconds - ago(r.lastSeen!),
    });
  }
  for (const s of e.sessions ?? []) {
    signs.push({ kind: 'session', text: `session ${s.pid} of ${writer(s.applicationName, s.user, s.clientAddr)} is connected`, clearsInSeconds: null });
  }
  return signs.sort((a, b) => (b.clearsInSeconds ?? Infinity) - (a.clearsInSeconds ?? Infinity));
}

/**
 * Said by `up --expand` as a phased migration with a contract starts, where no schema snapshot says what its contract
 * drops: the drain triggers are made in its first expand step or never, so `complete` could not see the old version's
 * writes (found by review: the README's order, snapshots after `up`, left the gate blind, and `complete` contracted
 * under a writer).
 */
export function blindAtExpand(migration: { name: string; expandedAt: number; steps: readonly unknown[] }, drops: ContractDrops | null): string | undefined {
  if (drops !== null || migration.expandedAt === 0 || migration.expandedAt === migration.steps.length) return undefined;
  return `note: ${migration.name} has no schema snapshot (schema/after-${migration.name}.sql), so its expand makes no drain triggers and \`complete\` will not see the old version's writes: write the snapshot before \`up --expand\` (\`npm run snapshots\`), or name the old version's sessions (\`complete --old-version <pattern>\`)`;
}

/** What is not seen, so the operator knows what the gate cannot vouch for. */
export function blindSpots(e: DrainEvidence): string[] {
  const spots: string[] = [];
  if (e.drops === null) spots.push(`what ${e.migration}'s contract drops is unknown (no schema snapshot: run \`npm run snapshots\`), so neither writes nor reads are seen`);
  else if (isEmpty(e.drops)) return spots;
  else {
    if (!e.recordingWrites) spots.push('old-shape writes are not recorded (the drain triggers are not in place: the migration was expanded before its schema snapshot existed, or by an older version)');
    if (!e.readsSeen) spots.push('reads are not seen (pg_stat_statements is not installed and preloaded)');
  }
  if (e.sessions === null) spots.push('sessions are not matched (give --old-version <application_name pattern>)');
  return spots;
}

export function writer(app: string, user: string, addr: string): string {
  return `${app ? `"${app}"` : 'an unnamed application'} (user ${user || '?'}, ${addr})`;
}

function seconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
