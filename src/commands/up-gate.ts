/**
 * `up` checks first: the pending migrations run on a throwaway copy (as
 * `check` does) and a finding on a table at or above the threshold, not
 * accepted by its migration, refuses the run before anything is applied.
 * Findings on smaller tables are printed as warnings.
 *
 * Cost: nothing when no migration is pending, and no throwaway run at all
 * when no existing table reaches the threshold (one statistics query): then no
 * finding could refuse. Otherwise about as long as `check` (a second or two).
 */
import type { MigrationContext } from '../context';
import { ExitCode } from '../exit-codes';
import { KonstructError } from '../errors';
import type { LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import { checkOnCopy } from './check';
import { blocking, type Finding } from '../checks/judge';
import { readTargetSizes } from '../checks/table-sizes';
import { targetSchema } from '../checks/target-facts';

export interface UpCheckOptions {
  /** Rows from which a finding refuses. */
  thresholdRows: number;
  /** An admin URL to build the copy on (KONSTRUCT_CHECK_SERVER_URL); default: a private embedded cluster. */
  serverUrl?: string;
}

export class UnsafeMigrationError extends KonstructError {
  readonly findings: Finding[];
  constructor(findings: Finding[]) {
    const f = findings[0]!;
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more; run \`konstruct-migrate check\`)` : '';
    super(`unsafe migration refused: ${f.migration}: ${f.rule} on ${f.table} (${Math.round(f.rows ?? 0).toLocaleString('en-US')} rows): ${f.detail}${more}`, {
      exitCode: ExitCode.UnsafeMigration,
      hint: `Safe way: ${f.safeWay}. Or accept it in the migration: export const acceptFindings = [{ rule: '${f.rule}', table: '${f.table}', reason: '...' }]. Nothing was applied.`,
    });
    this.findings = findings;
  }
}

/** `partWay`: the migrations standing part-way, as the run read them under its lock. */
export async function refuseUnsafeMigrations(ctx: MigrationContext, pending: LocalMigration[], partWay: readonly PhaseState[], options: UpCheckOptions): Promise<void> {
  if (pending.length === 0) return;
  const schema = await targetSchema(ctx);
  const sizes = await readTargetSizes(ctx.knex, schema);
  if (!Object.values(sizes).some((s) => s.rows >= options.thresholdRows)) return;
  const findings = await checkOnCopy(pending, schema, { kind: 'catalog', target: ctx.knex, partWay }, sizes, options.thresholdRows, options.serverUrl);
  for (const f of findings.filter((f) => !blocking([f]).length)) {
    ctx.log(`${f.acceptedBecause !== null ? 'accepted' : 'warning'}: ${f.migration}: ${f.rule} on ${f.table}: ${f.detail}${f.acceptedBecause !== null ? ` (${f.acceptedBecause})` : ''}`);
  }
  const refused = blocking(findings);
  if (refused.length > 0) throw new UnsafeMigrationError(refused);
}
