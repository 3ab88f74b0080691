/**
 * Before `down`, each migration to be reverted is asked what its revert would
 * destroy (its optional `dataLostOnDown(knex)` export), on the live database.
 * Only what would actually be lost (count > 0) is reported. The counting runs
 * in a read-only transaction under the run's timeouts: a table locked by
 * someone else must not make `down` hang before it has even started.
 */
import type { Knex } from 'knex';
import { KonstructError, LockTimeoutError, pgErrorFields } from '../errors';
import { ExitCode } from '../exit-codes';
import type { Migration } from '../model/migration';
import type { DataLoss } from '../model/migration-module';
import { applyLocalTimeouts, type SessionTimeouts } from './session-timeouts';

export interface StepDataLoss {
  migration: string;
  losses: DataLoss[];
}

export async function dataLostByReverting(knex: Knex, migrations: readonly Migration[], timeouts: SessionTimeouts): Promise<StepDataLoss[]> {
  if (!migrations.some((m) => m.dataLostOnDown)) return [];
  let counting = '';
  try {
    return await knex.transaction(
      async (trx) => {
        await applyLocalTimeouts(trx, timeouts);
        const found: StepDataLoss[] = [];
        for (const migration of migrations) {
          counting = migration.name;
          const losses = ((await migration.dataLostOnDown?.(trx)) ?? []).filter((l) => l.count > 0);
          if (losses.length > 0) found.push({ migration: migration.name, losses });
        }
        return found;
      },
      { readOnly: true },
    );
  } catch (error) {
    if (error instanceof KonstructError) throw error;
    const code = pgErrorFields(error)?.code;
    if (code === '55P03') {
      throw new LockTimeoutError(
        `could not count what reverting ${counting} would destroy: a table it reads is locked by another session (lock_timeout)`,
        'Nothing was changed. Run again when that session is done, or raise --lock-timeout.',
        error,
      );
    }
    throw new KonstructError(
      `could not count what reverting ${counting} would destroy: ${(error as Error)?.message ?? error}${code ? ` [SQLSTATE ${code}]` : ''}`,
      {
        exitCode: ExitCode.MigrationFailed,
        hint: 'Nothing was changed. The schema may differ from what the history says: see `konstruct-migrate verify`.',
        cause: error,
      },
    );
  }
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
