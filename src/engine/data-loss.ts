/**
 * Before `down`, each migration to be reverted is asked what its revert would
 * destroy (its optional `dataLostOnDown(knex)` export), on the live database.
 * Only what would actually be lost (count > 0) is reported.
 */
import type { Knex } from 'knex';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { loadMigration, type DataLoss, type LocalMigration } from '../history/local-migrations';

export interface StepDataLoss {
  migration: string;
  losses: DataLoss[];
}

export async function dataLostByReverting(knex: Knex, migrations: LocalMigration[]): Promise<StepDataLoss[]> {
  const found: StepDataLoss[] = [];
  for (const migration of migrations) {
    const mod = await loadMigration(migration);
    const losses = ((await mod.dataLostOnDown?.(knex)) ?? []).filter((l) => l.count > 0);
    if (losses.length > 0) found.push({ migration: migration.name, losses });
  }
  return found;
}

/** `006_rbac_roles: rows in user_tenant_roles: 3, rows in portal_invitations: 1` */
export function describeDataLoss(loss: StepDataLoss): string {
  return `${loss.migration}: ${loss.losses.map((l) => `${l.what}: ${l.count}`).join(', ')}`;
}

export class RefusedDestructiveError extends KonstructError {
  readonly dataLoss: StepDataLoss[];
  constructor(dataLoss: StepDataLoss[]) {
    super(`refusing to revert: it would destroy data (${dataLoss.map(describeDataLoss).join('; ')})`, {
      exitCode: ExitCode.RefusedDestructive,
      hint: 'Nothing was changed. Back the data up if you need it, then run again with --yes to revert anyway.',
    });
    this.dataLoss = dataLoss;
  }
}
