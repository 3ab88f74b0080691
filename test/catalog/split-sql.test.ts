/** Statements end at a `;` outside quotes and comments; each keeps its own comments, and where it starts. */
import { expect, it } from 'vitest';
import { splitSql, SqlSplitError } from '../../src/catalog/split-sql';

it('splits at the semicolons that end statements, and no other', () => {
  const text = [
    '-- a comment; between statements',
    "UPDATE t SET a = 'x; ''y''', b = E'it\\'s; z'; /* a /* nested; */ comment */",
    'SELECT "odd;name" FROM t; CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;',
    'SELECT $$a;b$$ -- trailing; comment',
  ].join('\n');
  expect(splitSql(text)).toEqual([
    { sql: "UPDATE t SET a = 'x; ''y''', b = E'it\\'s; z'", line: 2, terminated: true },
    { sql: 'SELECT "odd;name" FROM t', line: 3, terminated: true },
    { sql: 'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql', line: 3, terminated: true },
    { sql: 'SELECT $$a;b$$ -- trailing; comment', line: 4, terminated: false },
  ]);
});

it('keeps a routine\'s BEGIN ATOMIC body whole, CASE ... END within it too (found by review)', () => {
  const text = [
    'CREATE OR REPLACE PROCEDURE reset_names() LANGUAGE sql BEGIN ATOMIC',
    "  UPDATE big SET name = CASE WHEN id = 1 THEN 'a' ELSE 'b' END WHERE id < 10;",
    "  UPDATE big SET name = 'c';",
    'END;',
    "COMMENT ON PROCEDURE reset_names() IS 'admin tool'; BEGIN; END",
  ].join('\n');
  expect(splitSql(text).map((s) => [s.line, s.sql.split('\n').length, s.terminated])).toEqual([
    [1, 4, true],
    [5, 1, true],
    [5, 1, true],
    [5, 1, false],
  ]);
});

it('refuses a quote or comment that is never closed, naming its line', () => {
  expect(() => splitSql("SELECT 1;\nSELECT 'open")).toThrow(new SqlSplitError("line 2: ' is never closed"));
  expect(() => splitSql('SELECT $x$ never')).toThrow(new SqlSplitError('line 1: $x$ is never closed'));
  expect(() => splitSql('SELECT 1 /* never')).toThrow(new SqlSplitError('line 1: /* is never closed'));
});
