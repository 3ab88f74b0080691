/**
 * Names are quoted as the server's quote_ident() quotes them: a keyword such as `order` or `user` needs quotes, or the
 * rendered schema (a snapshot, `check`'s copy) would not parse. Checked word by word against the running server.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quoteIdent } from '../../src/catalog/sql-text';
import { adminUrl } from '../support/test-database';

let knex: Knex;

beforeAll(() => {
  knex = knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1 } });
});
afterAll(async () => {
  await knex?.destroy();
});

it('quotes every keyword the server quotes, and no other', async () => {
  const { rows } = await knex.raw(`SELECT word, quote_ident(word) AS quoted FROM pg_catalog.pg_get_keywords()`);
  expect(rows.length).toBeGreaterThan(400);
  const differing = rows.filter((r: { word: string; quoted: string }) => quoteIdent(r.word) !== r.quoted);
  expect(differing).toEqual([]);
});

it('quotes names that are not plain lower-case identifiers', () => {
  expect(['tenants', 'Display Name', 'a"b', '1st', 'user_id', 'order'].map(quoteIdent)).toEqual(['tenants', '"Display Name"', '"a""b"', '"1st"', 'user_id', '"order"']);
});
