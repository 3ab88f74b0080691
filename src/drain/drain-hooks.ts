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
import { startRecording, stopRecording } from './write-recorder';

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
  if (direction === 'up') {
    return {
      before: async (trx, i) => (i === expanded ? stopRecording(trx, migration) : undefined),
      after: async (trx, i) => (i === 0 ? startRecording(trx, migration, drops) : undefined),
      committed: async (knex, i) => {
        if (i === expanded - 1) await lookAtReads(knex, migration, drops, { baseline: true });
      },
    };
  }
  return {
    before: async (trx, i) => (i === 0 ? stopRecording(trx, migration) : undefined),
    after: async (trx, i) => (i === expanded ? startRecording(trx, migration, drops) : undefined),
    committed: async () => {},
  };
}
