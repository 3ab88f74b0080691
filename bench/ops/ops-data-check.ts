/**
 * After the operations scenario's migration ran under load: the end state is
 * the plain migration's (`name` gone, `display_name` in its place, the password
 * column `text`, `updated_at` a `timestamp`, the index built and valid), no
 * template user was lost, every template user nobody wrote to has the UTC
 * wall-clock of its old `updated_at` (the template sets it equal to
 * `created_at`), every row has an `updated_at`, and every write of either
 * version is there under the new name, whichever name it was written by.
 * Empty list = all right.
 */
import type pg from 'pg';
import { APP_VERSIONS, LOAD_EMAIL_DOMAIN } from '../app-load/app-versions';
import type { LoadRecord } from '../app-load/load-generator';
import { OPS_UPDATED_NAME, opsEmailPrefix } from './ops-app-versions';

export const OPS_INDEX = 'ix_portal_users_created_at';

export async function opsDataProblems(client: pg.Client, rows: number, load: LoadRecord): Promise<string[]> {
  const problems: string[] = [];
  const { rows: columns } = await client.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = 'portal_users'::regclass AND attnum > 0 AND NOT attisdropped`,
  );
  const type = new Map(columns.map((c) => [c.attname as string, c.type as string]));
  if (type.has('name')) problems.push('portal_users.name is still there');
  if (type.get('display_name') !== 'character varying(255)') problems.push(`display_name is ${type.get('display_name') ?? 'missing'}, expected character varying(255)`);
  if (type.get('hashed_password') !== 'text') problems.push(`hashed_password is ${type.get('hashed_password')}, expected text`);
  if (type.get('updated_at') !== 'timestamp without time zone') problems.push(`updated_at is ${type.get('updated_at')}, expected timestamp without time zone`);
  if (type.has('konstruct_new_updated_at')) problems.push('konstruct_new_updated_at is still there');
  const { rows: [index] } = await client.query(
    `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    [OPS_INDEX],
  );
  if (!index?.valid) problems.push(`index ${OPS_INDEX} is ${index ? 'INVALID' : 'missing'}`);
  if (problems.length > 0) return problems;

  const { rows: [template] } = await client.query(`SELECT count(*) AS n FROM portal_users WHERE email LIKE 'user%@example.com'`);
  if (Number(template.n) !== rows) problems.push(`${template.n} template users, expected ${rows}`);
  const written = [...APP_VERSIONS.flatMap((v) => [...load.updated[v]])];
  const { rows: [converted] } = await client.query(
    `SELECT count(*) FILTER (WHERE updated_at IS NULL) AS missing,
            count(*) FILTER (WHERE email LIKE 'user%@example.com' AND id <> ALL($1::uuid[])
                             AND updated_at IS DISTINCT FROM created_at AT TIME ZONE 'UTC') AS wrong
     FROM portal_users`,
    [written],
  );
  if (Number(converted.missing) > 0) problems.push(`${converted.missing} rows have no updated_at`);
  if (Number(converted.wrong) > 0) problems.push(`${converted.wrong} template users nobody wrote to have an updated_at other than their old one in UTC`);
  for (const version of APP_VERSIONS) {
    const updated = [...load.updated[version]];
    const { rows: [u] } = await client.query(
      `SELECT count(*) FILTER (WHERE display_name IS DISTINCT FROM $2) AS wrong FROM portal_users WHERE id = ANY($1::uuid[])`,
      [updated, OPS_UPDATED_NAME[version]],
    );
    if (Number(u.wrong) > 0) problems.push(`${u.wrong} of the ${updated.length} rows the ${version} version renamed do not show its name`);
    const { rows: [i] } = await client.query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE display_name IS NULL) AS unnamed FROM portal_users WHERE email LIKE $1`,
      [`${opsEmailPrefix(version)}%@${LOAD_EMAIL_DOMAIN}`],
    );
    if (Number(i.n) !== load.inserted[version]) problems.push(`${i.n} users inserted by the ${version} version, expected ${load.inserted[version]}`);
    if (Number(i.unnamed) > 0) problems.push(`${i.unnamed} users inserted by the ${version} version have no display_name`);
  }
  return problems;
}
