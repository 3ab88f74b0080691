/**
 * Snapshot text must read back into exactly the catalog it was rendered from,
 * including names that need quoting, comments holding quotes, semicolons and
 * newlines, expressions with commas, and every kind of constraint and grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/catalog/parse-catalog';
import { readCatalog } from '../../src/catalog/read-catalog';
import { renderCatalog } from '../../src/catalog/render-catalog';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('parse_catalog');
  await db.knex.raw(`
    CREATE TABLE "Odd Table" (
      id integer PRIMARY KEY,
      "Mixed""Case" numeric(10,2) DEFAULT 1.5 NOT NULL,
      note text DEFAULT 'a DEFAULT b NOT NULL',
      span int4range,
      CONSTRAINT "check, with comma" CHECK ("Mixed""Case" > 0 AND note <> 'x, y'),
      CONSTRAINT no_overlap EXCLUDE USING gist (span WITH &&)
    );
    CREATE TABLE child (
      id integer PRIMARY KEY,
      parent integer REFERENCES "Odd Table" (id) ON DELETE SET NULL,
      UNIQUE (parent, id)
    );
    CREATE UNIQUE INDEX "Child Index" ON child (parent) WHERE parent IS NOT NULL;
    COMMENT ON COLUMN "Odd Table".note IS 'it''s; two
    lines -- not a comment';
    GRANT ALL ON "Odd Table" TO PUBLIC;
    GRANT SELECT, REFERENCES ON child TO PUBLIC;
  `);
});
afterAll(async () => db?.drop());

describe('parseCatalog', () => {
  it('reads rendered text back into the catalog read from the server', async () => {
    const catalog = await readCatalog(db.knex);
    const text = renderCatalog(catalog);
    expect(text).toContain('"Odd Table"');
    expect(parseCatalog(text)).toEqual(catalog);
    expect(renderCatalog(parseCatalog(text))).toBe(text);
  });

  it('names the line of a statement it does not understand, rather than skipping it', () => {
    const text = 'CREATE TABLE public.t (\n    id integer\n);\n\nCREATE VIEW public.v AS SELECT 1;\n';
    expect(() => parseCatalog(text, 'x.sql')).toThrow('x.sql, line 5: unexpected statement: CREATE VIEW public.v AS SELECT 1');
  });

  it('rejects a statement without its semicolon and objects of an undeclared table', () => {
    expect(() => parseCatalog('CREATE TABLE public.t (\n    id integer\n)\n')).toThrow(/line 1: statement without a closing semicolon/);
    expect(() => parseCatalog('GRANT ALL ON TABLE public.t TO x;\n')).toThrow(/table t is used before CREATE TABLE/);
  });
});
