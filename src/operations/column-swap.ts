/**
 * alterColumn's type change where PostgreSQL would rewrite the table (no
 * binary-compatible cast in pg_cast), made online through a new column:
 *
 *   expand    the column `konstruct_new_<column>` of the new type (nullable, no
 *             default: catalog-only); a CHECK (… IS NOT NULL) NOT VALID on it when
 *             the column is NOT NULL, or the operation asks for `nullable: false`
 *             (the column before is then taken as nullable: down leaves it so,
 *             as alterColumn's NOT NULL does without a type change); a trigger of its own keeping the two in step:
 *             writes of the column fill the new one with `up`, writes of the new one
 *             fill the column with `down`.
 *   backfill  the new column filled by heap pages with `up` (where still NULL);
 *             then the column's plain indexes built on it (swap-indexes.ts).
 *   validate, set NOT NULL   the CHECK validated, then SET NOT NULL.
 *   contract  the trigger and the old column go; the new one takes the column's
 *             name, default, comment and index names. It is now the table's LAST column, with a
 *             new attnum: the one difference from a plain ALTER TYPE.
 *
 * The path is chosen in expand's transaction, from the catalog, before anything
 * changes (alter-column.ts); every later statement of this path runs only where
 * its column exists, so the same compiled steps serve the catalog-only path.
 * Refused there, changing nothing: no `fromType` (down past contract needs it),
 * a `fromType` that is not the column's type, `check`/`unique`/`references`/
 * `nullable: true` in the same operation, column privileges, and anything that depends
 * on the column besides its default and plain indexes (another index, a key, a
 * foreign key either way, a CHECK, a view, a sequence it owns, a generated column,
 * a trigger's column list): the old column's drop would take it along.
 *
 * `up` is SQL over the row, the column by its name holding the old value;
 * `down` the same, the column's name holding the new value (bound through a
 * subquery, so the other columns keep their names). Defaults: plain casts.
 */
import { ifConstraintExists, notNullCheckName } from './column';
import { notNullBack } from './not-null-back';
import type { OperationParts, SyncRule } from './parts';
import { generatedName, ident, literal } from './sql-names';
import { syncTrigger } from './sync-trigger';
import { plainIndexes, renameIndexes, swapIndexes } from './swap-indexes';

export interface ColumnSwap {
  table: string;
  column: string;
  type: string;
  fromType?: string;
  up?: string;
  down?: string;
  /** `nullable: false` in the same operation: the new column gets NOT NULL (as it does when the column has it), and down leaves the column nullable. */
  notNull?: boolean;
  /** Other constraints the same operation asks for (check, unique, references, nullable: true): refused on this path. */
  alsoConstraints: boolean;
}

/** The new column's name during the deploy: what the new version may read and write the new type by. */
export const shadowColumn = (column: string) => generatedName('konstruct_new', column);

const regclass = (table: string) => `${literal(ident(table))}::regclass`;

/** True where the table has this column. */
export const hasColumn = (table: string, column: string) =>
  `EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(column)} AND NOT attisdropped)`;

/** True where a change from the type `from` (an oid) to `type` is no binary-compatible one: it would rewrite. */
export const rewrites = (from: string, type: string) =>
  `NOT (${from} = ${literal(type)}::regtype OR EXISTS (SELECT 1 FROM pg_cast WHERE castsource = ${from} AND casttarget = ${literal(type)}::regtype AND castmethod = 'b'))`;

/** The DO blocks holding the trigger's function take this tag: the function's own body is quoted $konstruct$. */
export const SWAP_TAG = '$konstruct_swap$';

const run = (statements: readonly string[]) => statements.map((s) => `EXECUTE ${literal(s)};`).join('\n    ');

function names(op: ColumnSwap) {
  const shadow = shadowColumn(op.column);
  const [t, col, sh] = [`ALTER TABLE ${ident(op.table)}`, ident(op.column), ident(shadow)];
  const up = op.up ?? `${col}::${op.type}`;
  const down = `(SELECT (${op.down ?? (op.fromType ? `${col}::${op.fromType}` : col)}) FROM (SELECT ${sh} AS ${col}) AS konstruct_new)`;
  const rules: SyncRule[] = [
    { column: shadow, expression: up, sources: [op.column] },
    { column: op.column, expression: down, sources: [shadow], insertWhenGiven: shadow },
  ];
  const trigger = syncTrigger(op.table, rules, generatedName('konstruct_swap', op.column));
  const nn = notNullCheckName(op.table, shadow);
  const refuse = (why: string) => `RAISE EXCEPTION ${literal(`alterColumn ${op.table}.${op.column}: a change to ${op.type} rewrites the table, so it goes through a new column; ${why}`)}`;
  return { shadow, t, col, sh, up, down, trigger, nn, refuse };
}

/** plpgsql run in expand's DO block when the change rewrites: refusals first, then the new column and its trigger. */
export function swapExpand(op: ColumnSwap): string {
  const { t, sh, trigger, nn, refuse } = names(op);
  const describe = `pg_describe_object(classid, objid, objsubid)`;
  const addNotNullCheck = `EXECUTE ${literal(`${t} ADD CONSTRAINT ${ident(nn)} CHECK (${sh} IS NOT NULL) NOT VALID`)};`;
  return `DECLARE
    attr record;
    deps text;
    dflt text;
  BEGIN
    SELECT attnum, atttypid, attnotnull, attacl IS NOT NULL AS granted INTO attr FROM pg_attribute
     WHERE attrelid = ${regclass(op.table)} AND attname = ${literal(op.column)} AND NOT attisdropped;
    ${op.fromType ? `IF attr.atttypid <> ${literal(op.fromType)}::regtype THEN ${refuse(`its type is % and not fromType ${op.fromType}: give the column's type now as fromType`)}, format_type(attr.atttypid, NULL); END IF;` : `${refuse('give fromType, the column\'s type now, so that down can bring it back')};`}
    ${op.alsoConstraints ? `${refuse('give check, unique, references and nullable in a later migration')};` : ''}
    SELECT string_agg(DISTINCT ${describe}, ', ' ORDER BY ${describe}) INTO deps FROM pg_depend
     WHERE refclassid = 'pg_class'::regclass AND refobjid = ${regclass(op.table)} AND refobjsubid = attr.attnum AND classid <> 'pg_attrdef'::regclass
       AND objid NOT IN (SELECT oid FROM (${plainIndexes(op.table, op.column)}) AS x);
    IF deps IS NOT NULL THEN ${refuse('the old column\'s drop would take % along (only plain one-column indexes are carried over): drop it before and add it back after, or change the type in a plain migration')}, deps; END IF;
    IF attr.granted THEN ${refuse('it has column privileges, which the new column would not have: revoke them before, grant them after')}; END IF;
    EXECUTE ${literal(`${t} ADD COLUMN ${sh} ${op.type}`)};
    -- The default comes over at contract: whether it fits the new type is known now (set and dropped, catalog-only).
    dflt := (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = ${regclass(op.table)} AND adnum = attr.attnum);
    IF dflt IS NOT NULL THEN
      BEGIN
        EXECUTE format(${literal(`${t} ALTER COLUMN ${sh} SET DEFAULT %s`)}, dflt);
      EXCEPTION WHEN OTHERS THEN
        ${refuse(`its default % does not fit ${op.type}: drop the default before, set it after`)}, dflt;
      END;
      EXECUTE ${literal(`${t} ALTER COLUMN ${sh} DROP DEFAULT`)};
    END IF;
    ${op.notNull ? addNotNullCheck : `IF attr.attnotnull THEN ${addNotNullCheck} END IF;`}
    ${run(trigger.create)}
  END;`.replace(/\n\s*\n/g, '\n');
}

/** Going down through expand on this path: the trigger and the new column go (its CHECK with it). */
export function swapExpandDown(op: ColumnSwap): string {
  const { t, sh, trigger } = names(op);
  return `${run(trigger.drop)}
    EXECUTE ${literal(`${t} DROP COLUMN ${sh}`)};`;
}

/** The steps after expand on this path, each doing nothing where the new column does not exist. */
export function swapParts(op: ColumnSwap): OperationParts {
  const { shadow, t, col, sh, up, down, trigger, nn } = names(op);
  const onlyIf = hasColumn(op.table, shadow);
  const attnum = `(SELECT attnum FROM pg_attribute WHERE attrelid = ${regclass(op.table)} AND attname = ${literal(op.column)} AND NOT attisdropped)`;
  const defaultOf = `(SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = ${regclass(op.table)} AND adnum = ${attnum})`;
  const commentOf = `col_description(${regclass(op.table)}, ${attnum})`;
  const contractUp = `DO ${SWAP_TAG}
DECLARE
  dflt text := ${defaultOf};
  note text := ${commentOf};
  deps text;
  r record;
BEGIN
  IF ${onlyIf} THEN
    -- The trigger first: its column lists depend on the column too.
    ${run(trigger.drop)}
    SELECT string_agg(DISTINCT pg_describe_object(classid, objid, objsubid), ', ' ORDER BY pg_describe_object(classid, objid, objsubid)) INTO deps FROM pg_depend
     WHERE refclassid = 'pg_class'::regclass AND refobjid = ${regclass(op.table)} AND refobjsubid = ${attnum} AND classid <> 'pg_attrdef'::regclass
       AND objid NOT IN (SELECT oid FROM (${plainIndexes(op.table, op.column)}) AS x WHERE to_regclass(quote_ident(${literal('konstruct_new_')} || x.name)) IS NOT NULL);
    IF deps IS NOT NULL THEN
      RAISE EXCEPTION ${literal(`alterColumn ${op.table}.${op.column}: % came to depend on the old column during the deploy, and its drop would take it along: drop it, then run again`)}, deps;
    END IF;
    EXECUTE ${literal(`${t} DROP COLUMN ${col}`)};
    EXECUTE ${literal(`${t} RENAME COLUMN ${sh} TO ${col}`)};
    ${renameIndexes(op.table, op.column, 'ours')}
    IF dflt IS NOT NULL THEN EXECUTE format(${literal(`${t} ALTER COLUMN ${col} SET DEFAULT %s`)}, dflt); END IF;
    IF note IS NOT NULL THEN EXECUTE format(${literal(`COMMENT ON COLUMN ${ident(op.table)}.${col} IS %L`)}, note); END IF;
  END IF;
END ${SWAP_TAG}`;
  // Past contract the new column has the column's name: this path ran where fromType -> type rewrites (the same test as expand's).
  const contractDown = op.fromType
    ? `DO ${SWAP_TAG}
DECLARE
  dflt text := ${defaultOf};
  note text := ${commentOf};
  not_null boolean := (SELECT attnotnull FROM pg_attribute WHERE attrelid = ${regclass(op.table)} AND attname = ${literal(op.column)} AND NOT attisdropped);
  r record;
BEGIN
  IF NOT ${onlyIf} AND ${rewrites(`${literal(op.fromType)}::regtype`, op.type)} THEN
    IF dflt IS NOT NULL THEN EXECUTE ${literal(`${t} ALTER COLUMN ${col} DROP DEFAULT`)}; END IF;
    IF note IS NOT NULL THEN EXECUTE ${literal(`COMMENT ON COLUMN ${ident(op.table)}.${col} IS NULL`)}; END IF;
    ${renameIndexes(op.table, op.column, 'theirs')}
    EXECUTE ${literal(`${t} RENAME COLUMN ${col} TO ${sh}`)};
    EXECUTE ${literal(`${t} ADD COLUMN ${col} ${op.fromType}`)};
    IF dflt IS NOT NULL THEN EXECUTE format(${literal(`${t} ALTER COLUMN ${col} SET DEFAULT %s`)}, dflt); END IF;
    IF note IS NOT NULL THEN EXECUTE format(${literal(`COMMENT ON COLUMN ${ident(op.table)}.${col} IS %L`)}, note); END IF;
    -- NOT NULL comes back through a CHECK, validated and made NOT NULL in the steps down after the refill (not-null-back.ts).
    ${op.notNull ? '-- nullable: false made it NOT NULL: it was nullable before.' : `IF not_null THEN EXECUTE ${literal(notNullBack(op.table, op.column).check)}; END IF;`}
    ${run(trigger.create)}
  END IF;
END ${SWAP_TAG}`
    : undefined;
  const back = notNullBack(op.table, op.column);
  return {
    table: op.table,
    slots: {
      ...back.slots,
      validate: { up: [ifConstraintExists(op.table, nn, [`${t} VALIDATE CONSTRAINT ${ident(nn)}`])], down: back.slots.validate!.down },
      setNotNull: {
        up: [ifConstraintExists(op.table, nn, [`${t} ALTER COLUMN ${sh} SET NOT NULL`, `${t} DROP CONSTRAINT ${ident(nn)}`])],
        down: [`DO $konstruct$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${regclass(op.table)} AND attname = ${literal(shadow)} AND NOT attisdropped AND attnotnull) THEN
    ${run([`${t} ALTER COLUMN ${sh} DROP NOT NULL`, `${t} ADD CONSTRAINT ${ident(nn)} CHECK (${sh} IS NOT NULL) NOT VALID`])}
  END IF;
END $konstruct$`],
      },
      contract: { up: [contractUp], down: contractDown ? [contractDown] : [] },
    },
    outside: [{ phase: 'backfill', name: `indexes of ${op.table}.${op.column} on ${shadow}`, ...swapIndexes(op.table, op.column, shadow, onlyIf) }],
    fillUp: [{ column: shadow, expression: up, onlyIf }],
    fillDown: [{ column: op.column, expression: down, onlyIf }],
  };
}
