/**
 * What an application version writes while a type change goes through a new
 * column (column-swap.ts): the column by a name that may change during the
 * deploy (the new version writes the new column by its documented name until
 * contract), inserted then updated, and read back. Shared by the type-change
 * scenarios and the ones composing a type change with other changes.
 */
import type { Knex } from 'knex';
import { shadowColumn } from '../../src/operations/column-swap';
import type { VersionWrites } from './scenario';

const insertUser = (knex: Knex, email: string, extra = '', values: unknown[] = []) =>
  knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin${extra ? `, ${extra}` : ''}) VALUES (?, 'h', 'n', false${values.map(() => ', ?').join('')})`, [email, ...values]);

/** A version writing `column` (insert, then update) and reading it back as `read` (SQL over the row). */
export function writes(column: (knex: Knex) => Promise<string>, value: unknown, read: (column: string) => string): VersionWrites {
  return {
    write: async (knex, email) => {
      const c = await column(knex);
      await insertUser(knex, email, c, [value]);
      await knex.raw(`UPDATE portal_users SET ${c} = ? WHERE email = ?`, [value, email]);
    },
    read: async (knex, email) => (await knex.raw(`SELECT ${read(await column(knex))} AS v FROM portal_users WHERE email = ?`, [email])).rows[0]?.v,
    wrote: value,
  };
}
export const always = (c: string) => async () => c;
/** The new version of a text -> integer change: the new column by its name while it exists, then the column. */
export const newColumnWhileDeploying = (column: string) => async (knex: Knex) => {
  const { rows } = await knex.raw(`SELECT 1 FROM pg_attribute WHERE attrelid = 'portal_users'::regclass AND attname = ? AND NOT attisdropped`, [shadowColumn(column)]);
  return rows.length ? shadowColumn(column) : column;
};
