/** Runs corpus cases through `check`'s engine on a given server, as migration 007 after the real 005 and 006. */
import { listLocalMigrations, type LocalMigration } from '../../../src/history/local-migrations';
import { checkOnCopy } from '../../../src/commands/check';
import type { TableSize } from '../../../src/checks/table-sizes';
import { tempMigrations } from '../../support/temp-migrations';
import { migrationSource, type CorpusCase } from './cases';

/** Every existing table at a million rows, well above the default threshold. */
export const MILLION_ROWS: Record<string, TableSize> = Object.fromEntries(
  ['tenants', 'portal_users', 'portal_invitations', 'user_tenant_roles'].map((t) => [t, { rows: 1_000_000, bytes: 150_000_000 }]),
);

export function corpusVerdicts(serverUrl: () => string, applied: LocalMigration[]) {
  const folder = tempMigrations();
  return {
    /** The distinct rules of the case's findings, in the order they fired. */
    rulesFor: async (c: CorpusCase): Promise<string[]> => {
      folder.write(`007_${c.name}`, migrationSource(c));
      const pending = listLocalMigrations(folder.dir).filter((m) => m.name === `007_${c.name}`);
      const findings = await checkOnCopy(pending, 'public', { kind: 'migrations', applied }, MILLION_ROWS, 100_000, serverUrl());
      return [...new Set(findings.map((f) => f.rule))];
    },
    cleanUp: () => folder.remove(),
  };
}
