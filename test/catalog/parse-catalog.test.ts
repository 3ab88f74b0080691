/**
 * Snapshot text must read back into exactly the catalog it was rendered from,
 * including names that need quoting, comments holding quotes, semicolons and
 * newlines, expressions with commas, every kind of constraint and grant, and
 * functions (bodies in dollar quotes) with their triggers.
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
    CREATE FUNCTION "Stamp"() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      NEW.note := 'stamped; -- ' || $$it's$$; -- a comment; with a quote '
      RETURN NEW;
    END $body$;
    CREATE TRIGGER "On Note" BEFORE INSERT OR UPDATE OF note ON "Odd Table" FOR EACH ROW WHEN (NEW.note IS NOT NULL) EXECUTE FUNCTION "Stamp"();
  `);
});
afterAll(async () => db?.drop());

describe('parseCatalog', () => {
  it('reads rendered text back into the catalog read from the server', async () => {
    const catalog = await readCatalog(db.knex);
    const text = renderCatalog(catalog);
    expect(text).toContain('"Odd Table"');
    expect(catalog.functions.map((f) => f.name)).toEqual(['"Stamp"()']);
    expect(catalog.triggers.map((t) => `${t.table}: ${t.name}`)).toEqual(['Odd Table: On Note']);
    expect(parseCatalog(text)).toEqual(catalog);
    expect(renderCatalog(parseCatalog(text))).toBe(text);
  });

  it('names the line of a statement it does not understand, rather than skipping it', () => {
    const text = 'CREATE TABLE public.t (\n    id integer\n);\n\nCREATE VIEW public.v AS SELECT 1;\n';
    expect(() => parseCatalog(text, 'x.sql')).toThrow('x.sql, line 5: unexpected statement: CREATE VIEW public.v AS SELECT 1');
  });

  it('keeps a dollar-quoted function body whole, whatever it holds, and names the line of one never closed', () => {
    const fn = 'CREATE OR REPLACE FUNCTION public.f(a$b integer)\n RETURNS integer\n LANGUAGE sql\nAS $x$ SELECT 1; -- \' " $$ $y$ $x$';
    const catalog = parseCatalog(`${fn};\nCREATE TABLE public.t (\n    id integer\n);\n`);
    expect(catalog.functions).toEqual([{ name: 'f(a$b integer)', definition: fn }]);
    expect(catalog.tables.map((t) => t.name)).toEqual(['t']);
    expect(() => parseCatalog('CREATE TABLE public.t (\n    id integer\n);\nCREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\nAS $x$ SELECT 1;\n')).toThrow(
      /line 6: \$x\$ is never closed/,
    );
  });

  it('rejects a statement without its semicolon and objects of an undeclared table', () => {
    expect(() => parseCatalog('CREATE TABLE public.t (\n    id integer\n)\n')).toThrow(/line 1: statement without a closing semicolon/);
    expect(() => parseCatalog('GRANT ALL ON TABLE public.t TO x;\n')).toThrow(/table t is used before CREATE TABLE/);
  });
});
