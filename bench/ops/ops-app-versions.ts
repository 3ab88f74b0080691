/**
 * The application's two versions in the operations scenario (issue #20 item 6),
 * as the SQL each sends to portal_users once 006 is applied:
 * - old: reads and writes `name`, `hashed_password` as the varchar it was, and
 *   `updated_at` (`now()`) as the timestamptz it was;
 * - new: reads and writes `display_name` (the renamed `name`), and `updated_at`
 *   by its name too: the docs' recipe for a type change whose values the new
 *   version writes fit both types (it never names `konstruct_new_updated_at`).
 * The mix and the rate are 006's load's (app-versions.ts). Each version updates
 * rows of its own pool to one fixed name, and inserts users whose email names
 * the version, so ops-data-check.ts knows what every row must hold afterwards.
 */
import { kindOf, LOAD_EMAIL_DOMAIN, pickRow, type AppRequest, type AppVersion, type RequestSource, type RowPools } from '../app-load/app-versions';

export const OPS_COLUMN: Record<AppVersion, string> = { old: 'name', new: 'display_name' };
/** The name each version's updates leave on its pool's rows. */
export const OPS_UPDATED_NAME: Record<AppVersion, string> = { old: 'Renamed by the old version', new: 'Renamed by the new version' };
/** Emails of users the scenario inserts: `ops.<version>.<sequence>@load.example`. */
export const opsEmailPrefix = (version: AppVersion) => `ops.${version}.`;
const HASH = `$2b$12$${'y'.repeat(53)}`;

export function opsRequests(pools: RowPools): RequestSource {
  return (version, sequence): AppRequest => {
    const kind = kindOf(sequence);
    const column = OPS_COLUMN[version];
    if (kind === 'read') {
      return { kind, text: `SELECT id, email, ${column}, hashed_password, updated_at FROM portal_users WHERE id = $1`, values: [pickRow(sequence, pools.read)] };
    }
    if (kind === 'update') {
      const rowId = pickRow(sequence, version === 'old' ? pools.promotedByOld : pools.operatorsByNew);
      return {
        kind,
        rowId,
        text: `UPDATE portal_users SET ${column} = $2, hashed_password = $3, updated_at = now() WHERE id = $1`,
        values: [rowId, OPS_UPDATED_NAME[version], HASH],
      };
    }
    return {
      kind,
      text: `INSERT INTO portal_users (email, hashed_password, ${column}, role) VALUES ($1, $2, $3, 'customer_admin')`,
      values: [`${opsEmailPrefix(version)}${sequence}@${LOAD_EMAIL_DOMAIN}`, HASH, `Ops ${version} ${sequence}`],
    };
  };
}
