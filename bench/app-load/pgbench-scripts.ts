/**
 * The same application, sent by pgbench instead of Node's pg: per version, its
 * reads and updates of portal_users in the Node load's proportions (7 reads to
 * 2 updates; pgbench sends no inserts) and at the same rate of reads and
 * updates. pgbench has no list of ids to pick from, so it finds its rows by
 * email, the table's other unique index, spread over the whole table:
 * - reads: any template user;
 * - updates: the old version promotes non-admins n ≡ 4 (mod ADMIN_EVERY)
 *   (`is_admin = true`), the new one makes n ≡ 5 operators. Neither residue is
 *   an admin or in the Node load's pools, so load-check.ts knows what each row
 *   may end as.
 *
 * Both versions' pgbench run from the start, connected before the clock starts
 * (connecting 10 clients mid-run took seconds on a busy machine, the whole
 * backfill at 100k rows). The new version's scripts wait for their rollout: each
 * client looks up, once per transaction until it has seen it, whether
 * portal_users.role exists, and sends its statement only from then on. The
 * look-ups before the rollout are not requests and are left out of its numbers
 * (pgbench-load.ts); the one transaction per client that sees the column first
 * carries both.
 */
import { ADMIN_EVERY } from '../templates';
import { UPDATED_ROLE, type AppVersion, type RequestKind } from './app-versions';

export const PGBENCH_UPDATE_RESIDUE: Record<AppVersion, number> = { old: 4, new: 5 };

/** Weights of pgbench's scripts, as in app-versions.ts's MIX (which also has one insert in 10). */
const READ_WEIGHT = 7;
const UPDATE_WEIGHT = 2;
const MIX_SIZE = 10;

/** What each script is, by its number in pgbench's log (the order pgbenchScripts returns them in). */
export const PGBENCH_SCRIPT_KINDS: readonly RequestKind[] = ['read', 'update'];

export interface PgbenchScript {
  name: string;
  weight: number;
  text: string;
}

/** pgbench's `-D` for a version: the new one starts not rolled out. */
export const PGBENCH_VARIABLES: Record<AppVersion, string[]> = { old: [], new: ['rolled_out=0'] };

const UNTIL_ROLLED_OUT =
  `\\if :rolled_out = 0\n` +
  `SELECT count(*) AS rolled_out FROM pg_attribute WHERE attrelid = to_regclass('portal_users') AND attname = 'role' AND NOT attisdropped \\gset\n` +
  `\\endif\n` +
  `\\if :rolled_out = 1\n`;

export function pgbenchScripts(version: AppVersion, rows: number): PgbenchScript[] {
  const column = version === 'old' ? 'is_admin' : 'role';
  const value = version === 'old' ? 'true' : `'${UPDATED_ROLE.new}'`;
  const groups = Math.floor((rows - PGBENCH_UPDATE_RESIDUE[version]) / ADMIN_EVERY) + 1;
  const gated = (statements: string) => (version === 'new' ? `${UNTIL_ROLLED_OUT}${statements}\\endif\n` : statements);
  return [
    {
      name: `${version}-read.sql`,
      weight: READ_WEIGHT,
      text: gated(`\\set n random(1, ${rows})\nSELECT id, email, name, ${column} FROM portal_users WHERE email = 'user' || :n || '@example.com';\n`),
    },
    {
      name: `${version}-update.sql`,
      weight: UPDATE_WEIGHT,
      text: gated(
        `\\set n ${PGBENCH_UPDATE_RESIDUE[version]} + ${ADMIN_EVERY} * random(0, ${groups - 1})\n` +
          `UPDATE portal_users SET ${column} = ${value}, updated_at = now() WHERE email = 'user' || :n || '@example.com';\n`,
      ),
    },
  ];
}

/** pgbench's transactions per second for a Node load of `appRate` requests per second: the same reads and updates, no inserts. */
export function pgbenchRate(appRate: number): number {
  return (appRate * (READ_WEIGHT + UPDATE_WEIGHT)) / MIX_SIZE;
}
