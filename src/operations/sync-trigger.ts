/**
 * The triggers that keep the old and the new shape of a table in step while
 * both application versions write to it (one function per table, whatever the
 * number of operations on it). Rules (parts.ts: SyncRule), in operation order:
 *
 *   INSERT                  a rule's column left NULL is filled from its expression;
 *   UPDATE OF <sources>     (column-list trigger) the column follows its expression,
 *                           even when the statement wrote a value equal to the old one;
 *   any UPDATE              a column still NULL (a row the backfill has not reached,
 *                           which an update may move behind its cursor) is filled; a
 *                           rule without sources follows when the statement changed
 *                           the expression's value and left the column itself alone.
 *
 * The backfill's own updates fire none of the UPDATE triggers (it sets
 * konstruct_migrate.backfill for its transaction): it fills the new shape
 * without writing back into the old one. A custom `batch`'s updates do fire
 * them, as an application's (batch.ts). The function pins its search_path
 * (SET search_path FROM CURRENT: the migration's own), so a schema on the
 * caller's path cannot change what it calls.
 */
import { createHash } from 'node:crypto';
import { ident, literal, generatedName } from './sql-names';
import type { SyncRule } from './parts';

/** The setting the backfill turns on for its own transaction. */
export const BACKFILL_SETTING = 'konstruct_migrate.backfill';
const NOT_BACKFILL = `current_setting('${BACKFILL_SETTING}', true) IS DISTINCT FROM 'on'`;

/** The shared trigger's prefix; a column swap (column-swap.ts) names its own, created only on its path. */
const SYNC = 'konstruct_sync';

interface ObjectNames {
  fn: string;
  insert: string;
  /** One per rule with sources, in the rules' order. */
  columns: string[];
  update: string;
}

/**
 * The function's name and the triggers', which fire in name order: inserts, then the column-list ones, then the
 * catch-all. PostgreSQL keeps 63 bytes of a name: for a column of 47 characters or more, a column swap's prefix left
 * no room for the rest, and its four triggers got one name (found by review: expand failed, "trigger already
 * exists"); so did two renamed columns that share their first 46 characters. Only where two triggers would share a
 * name, then, the names are short with a hash of what they stand for: such a list never ran, so no applied migration
 * has these names to keep (operations' SQL is frozen: frozen-sql.test.ts).
 */
function objectNames(table: string, prefix: string, columns: readonly string[]): ObjectNames {
  const plain = {
    fn: generatedName(prefix, table),
    insert: generatedName(prefix, '1_insert'),
    columns: columns.map((c) => generatedName(`${prefix}_2`, c)),
    update: generatedName(prefix, '3_update'),
  };
  const triggers = [plain.insert, ...plain.columns, plain.update];
  if (new Set(triggers).size === triggers.length) return plain;
  const base = `${firstBytes(prefix, 40)}_${hash(prefix)}`;
  // The function is the schema's, not the table's: the table's name is in its hash.
  return { fn: `${base}_${hash(table)}`, insert: `${base}_1`, columns: columns.map((c) => `${base}_2_${hash(c)}`), update: `${base}_3` };
}

const hash = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 8);

/** At most `bytes` bytes of `name` (UTF-8), whole characters only: PostgreSQL's limit is in bytes. */
function firstBytes(name: string, bytes: number): string {
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/** `expression` evaluated over a record (NEW or OLD) as if it were the table's row. */
function over(record: 'NEW' | 'OLD', expression: string): string {
  return `(SELECT (${expression}) FROM (SELECT ${record}.*) AS konstruct_row)`;
}

function insertRule({ column, expression, insertWhenGiven }: SyncRule): string {
  const c = `NEW.${ident(column)}`;
  const when = insertWhenGiven ? `NEW.${ident(insertWhenGiven)} IS NOT NULL` : `${c} IS NULL`;
  return `    IF ${when} THEN ${c} := ${over('NEW', expression)}; END IF;`;
}

function sourcesRule({ column, expression }: SyncRule): string {
  return `    IF TG_ARGV[0] = ${literal(column)} THEN NEW.${ident(column)} := ${over('NEW', expression)}; END IF;`;
}

function updateRule(rule: SyncRule): string {
  const c = ident(rule.column);
  const fill = `NEW.${c} IS NULL`;
  const follows = rule.sources
    ? fill
    : `NEW.${c} IS NOT DISTINCT FROM OLD.${c} AND (${fill} OR ${over('NEW', rule.expression)} IS DISTINCT FROM ${over('OLD', rule.expression)})`;
  return `    IF ${follows} THEN NEW.${c} := ${over('NEW', rule.expression)}; END IF;`;
}

export interface SyncTrigger {
  create: string[];
  drop: string[];
}

export function syncTrigger(table: string, rules: readonly SyncRule[], prefix = SYNC): SyncTrigger {
  const t = ident(table);
  const withSources = rules.filter((r) => r.sources?.length);
  const names = objectNames(table, prefix, withSources.map((r) => r.column));
  const fn = ident(names.fn);
  const body = [
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $konstruct$`,
    'BEGIN',
    "  IF TG_OP = 'INSERT' THEN",
    // A column the new version gave wins over one filled from the old shape, so those go first.
    ...[...rules.filter((r) => r.insertWhenGiven), ...rules.filter((r) => !r.insertWhenGiven)].map(insertRule),
    ...(withSources.length ? ['  ELSIF TG_NARGS > 0 THEN', ...withSources.map(sourcesRule)] : []),
    '  ELSE',
    ...rules.map(updateRule),
    '  END IF;',
    '  RETURN NEW;',
    'END',
    '$konstruct$',
  ].join('\n');
  // Triggers on one table fire in name order: inserts, then the column-list ones, then the catch-all.
  const triggers = [
    { name: names.insert, on: 'INSERT', when: '', args: '' },
    ...withSources.map((r, i) => ({
      name: names.columns[i]!,
      on: `UPDATE OF ${r.sources!.map(ident).join(', ')}`,
      when: ` WHEN (${NOT_BACKFILL})`,
      args: literal(r.column),
    })),
    { name: names.update, on: 'UPDATE', when: ` WHEN (${NOT_BACKFILL})`, args: '' },
  ];
  return {
    create: [body, ...triggers.map((g) => `CREATE TRIGGER ${ident(g.name)} BEFORE ${g.on} ON ${t} FOR EACH ROW${g.when} EXECUTE FUNCTION ${fn}(${g.args})`)],
    drop: [...triggers.map((g) => `DROP TRIGGER ${ident(g.name)} ON ${t}`), `DROP FUNCTION ${fn}()`],
  };
}
