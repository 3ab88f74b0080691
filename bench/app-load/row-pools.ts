/**
 * Which template users the load reads and writes, picked by email (unique, so an
 * index lookup at any table size) and spread over the whole table, so reads and
 * updates land on cold and warm pages alike. The pools are disjoint: what each
 * version writes to a row is then the only thing that decides its final role.
 */
import type pg from 'pg';
import { ADMIN_EVERY, templateEmail } from '../templates';
import type { RowPools } from './app-versions';

const POOL_SIZE = 1000;

export interface PickedRows extends RowPools {
  /** A non-admin outside every pool: the row the open application transaction holds. */
  heldByOpenTransaction: string;
}

export async function pickRowPools(client: pg.Client, rows: number): Promise<PickedRows> {
  const groups = Math.floor(rows / ADMIN_EVERY);
  if (groups < 1) throw new Error(`the application load needs at least ${ADMIN_EVERY} rows, got ${rows}`);
  const size = Math.min(POOL_SIZE, groups);
  // User n is an admin when n is a multiple of ADMIN_EVERY; residues 1..3 are never admins.
  const spread = (residue: number) =>
    Array.from({ length: size }, (_, k) => ADMIN_EVERY * Math.floor((k * groups) / size) + residue);
  const read = Array.from({ length: size }, (_, k) => 1 + Math.floor((k * rows) / size));
  const ids = await idsOf(client, [...read, ...spread(1), ...spread(2), 3]);
  return {
    read: read.map((n) => ids.get(n)!),
    promotedByOld: spread(1).map((n) => ids.get(n)!),
    operatorsByNew: spread(2).map((n) => ids.get(n)!),
    heldByOpenTransaction: ids.get(3)!,
  };
}

async function idsOf(client: pg.Client, numbers: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(numbers)];
  const { rows } = await client.query(`SELECT id, email FROM portal_users WHERE email = ANY($1)`, [unique.map(templateEmail)]);
  const byEmail = new Map(rows.map((r) => [r.email as string, r.id as string]));
  const ids = new Map<number, string>();
  for (const n of unique) {
    const id = byEmail.get(templateEmail(n));
    if (!id) throw new Error(`template user ${templateEmail(n)} is missing`);
    ids.set(n, id);
  }
  return ids;
}
