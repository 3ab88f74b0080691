/**
 * Where the drain triggers come and go as a phased migration moves: they are
 * created in the transaction of its first expand step (so old-shape writes are
 * counted from the moment the new shape exists), dropped in the transaction of
 * its first contract step, before that step drops anything they name, and
 * likewise in reverse going down. Reads get their baseline once the expand and
 * backfill steps are done, after the engine's own backfill statements.
 */
import type { Knex } from 'knex';
import { isEmpty, type ContractDrops } from './contract-drops';
import { lookAtReads } from './read-evidence';
import { prepareRecording, startRecording, stopRecording } from './write-recorder';

export interface DrainHooks {
  /** In step `index`'s transaction, before its work. */
  before(trx: Knex, index: number): Promise<void>;
  /** In step `index`'s transaction, after its work. */
  after(trx: Knex, index: number): Promise<void>;
  /** After step `index` committed (batched steps included). */
  committed(knex: Knex, index: number): Promise<void>;
}

/** What the hooks need of a migration: its name, its steps' count and where it stands expanded. */
export interface DrainedMigration {
  name: string;
  steps: readonly unknown[];
  expandedAt: number;
}

const NONE: DrainHooks = { before: async () => {}, after: async () => {}, committed: async () => {} };

export function drainHooks({ name: migration, steps, expandedAt: expanded }: DrainedMigration, drops: ContractDrops | null | undefined, direction: 'up' | 'down'): DrainHooks {
  if (!drops || isEmpty(drops)) return NONE;
  if (expanded === 0 || expanded === steps.length) return NONE; // no contract, or nothing before it
  // Where recording starts: step 0's transaction going up, the first contract step's going down.
  const starts = direction === 'up' ? 0 : expanded;
  const stops = direction === 'up' ? expanded : 0;
  // Prepared before the step's work, run in one round trip after it (write-recorder.ts): what holds the step's locks longer is that one trip.
  let recording: string | undefined;
  return {
    before: async (trx, i) => {
      if (i === stops) await stopRecording(trx, migration);
      if (i === starts) recording = await prepareRecording(trx, migration, drops);
    },
    after: async (trx, i) => {
      if (i === starts) await startRecording(trx, recording!);
    },
    committed: async (knex, i) => {
      if (direction === 'up' && i === expanded - 1) await lookAtReads(knex, migration, drops, { baseline: true });
    },
  };
}
