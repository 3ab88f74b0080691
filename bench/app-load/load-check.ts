/**
 * After `up` ran under the application's load: is every row's role what the
 * seed's mapping gives, including the rows both versions wrote while it ran?
 * A migration that is fast but maps a row wrongly measures nothing, so the
 * run is reported as failed. Empty list = all right.
 */
import type pg from 'pg';
import { ADMIN_EVERY } from '../templates';
import { APP_VERSIONS, LOAD_EMAIL_DOMAIN, UPDATED_ROLE, type AppVersion } from './app-versions';
import type { LoadRecord } from './load-generator';
import type { RowPools } from './app-versions';
import { PGBENCH_UPDATE_RESIDUE } from './pgbench-scripts';

export async function problemsAfterUpUnderLoad(client: pg.Client, rows: number, pools: RowPools, load: LoadRecord): Promise<string[]> {
  const problems: string[] = [];
  const pooled = [...pools.promotedByOld, ...pools.operatorsByNew];

  const n = `substring(email FROM '^user([0-9]+)@')::bigint`;
  const pgbenchResidues = APP_VERSIONS.map((version) => PGBENCH_UPDATE_RESIDUE[version]);
  const pgbenchRows = pgbenchResidues.reduce((sum, residue) => sum + Math.floor((rows - residue) / ADMIN_EVERY) + 1, 0);

  // Template users no version wrote to: admins (every ADMIN_EVERY-th) become platform_admin, the rest customer_admin.
  const { rows: [untouched] } = await client.query(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE role IS DISTINCT FROM CASE WHEN ${n} % ${ADMIN_EVERY} = 0 THEN 'platform_admin' ELSE 'customer_admin' END) AS wrong
     FROM portal_users WHERE email LIKE 'user%@example.com' AND NOT (id = ANY($1::uuid[])) AND NOT (${n} % ${ADMIN_EVERY} = ANY($2::int[]))`,
    [pooled, pgbenchResidues],
  );
  const expected = rows - pooled.length - pgbenchRows;
  if (Number(untouched.total) !== expected) problems.push(`${untouched.total} untouched template users, expected ${expected}`);
  if (Number(untouched.wrong) > 0) problems.push(`${untouched.wrong} untouched template users have the wrong role`);

  // Rows pgbench may have updated (it does not say which): each ends as that version's role or stays customer_admin.
  for (const version of APP_VERSIONS) {
    const { rows: [found] } = await client.query(
      `SELECT count(*) AS wrong FROM portal_users
       WHERE email LIKE 'user%@example.com' AND ${n} % ${ADMIN_EVERY} = $1 AND role IS DISTINCT FROM 'customer_admin' AND role IS DISTINCT FROM $2`,
      [PGBENCH_UPDATE_RESIDUE[version], UPDATED_ROLE[version]],
    );
    if (Number(found.wrong) > 0) problems.push(`${found.wrong} rows pgbench's ${version} version may have updated have a role it never sets`);
  }

  // Each version's pool: a row it updated ends with that version's role, the others stay customer_admin.
  const poolOf: Record<AppVersion, string[]> = { old: pools.promotedByOld, new: pools.operatorsByNew };
  for (const version of APP_VERSIONS) {
    const { rows: found } = await client.query(`SELECT id, role FROM portal_users WHERE id = ANY($1::uuid[])`, [poolOf[version]]);
    const wrong = found.filter((r) => r.role !== (load.updated[version].has(r.id) ? UPDATED_ROLE[version] : 'customer_admin'));
    if (wrong.length > 0) problems.push(`${wrong.length} rows updated by the ${version} version have the wrong role (e.g. ${wrong[0].id}: ${wrong[0].role})`);
  }

  // Users each version inserted: the email says the role they must have.
  const { rows: inserted } = await client.query(
    `SELECT split_part(email, '.', 1) AS version, count(*) AS total,
            count(*) FILTER (WHERE role IS DISTINCT FROM split_part(split_part(email, '@', 1), '.', 3)) AS wrong
     FROM portal_users WHERE email LIKE '%@' || $1 GROUP BY 1`,
    [LOAD_EMAIL_DOMAIN],
  );
  for (const version of APP_VERSIONS) {
    const row = inserted.find((r) => r.version === version);
    const total = Number(row?.total ?? 0);
    if (total !== load.inserted[version]) problems.push(`${total} users inserted by the ${version} version found, ${load.inserted[version]} were acknowledged`);
    if (Number(row?.wrong ?? 0) > 0) problems.push(`${row.wrong} users inserted by the ${version} version have the wrong role`);
  }
  return problems;
}
