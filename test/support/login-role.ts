/**
 * A login role with a password no other test uses, owning a test database, so
 * a test can grep every output for that password. Roles are cluster-wide: the
 * name is random, and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export interface LoginRole {
  name: string;
  password: string;
  /** `url` with this role's credentials (password percent-encoded). */
  urlFor(url: string): string;
  drop(admin: Knex): Promise<void>;
}

export async function createLoginRole(
  admin: Knex,
  database: string,
  options: { createRole?: boolean; password?: string } = {},
): Promise<LoginRole> {
  const name = `kt_login_${randomBytes(4).toString('hex')}`;
  // Characters that need escaping in URLs and in JSON, so redaction of every form is exercised.
  const password = options.password ?? `Pw"${randomBytes(6).toString('hex')}\\%@:/s3cret`;
  await admin.raw(`CREATE ROLE ${name} LOGIN ${options.createRole === false ? '' : 'CREATEROLE'} PASSWORD '${password.replace(/'/g, "''")}'`);
  await admin.raw(`ALTER DATABASE ${database} OWNER TO ${name}`);
  return {
    name,
    password,
    urlFor: (url) => {
      const u = new URL(url);
      u.username = name;
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    drop: async (a) => {
      await a.raw(`DROP ROLE IF EXISTS ${name}`);
    },
  };
}
