/**
 * What an operations list cannot do on the database as it is, asked by `up` before the migration's first step
 * (commands/up.ts), so that a refusal changes nothing. Each reason was found by review:
 * - a partitioned table (partitioned-tables.ts): the backfill would fill nothing, and contract drop the old values;
 * - triggers the backfill cannot keep out (backfill-triggers.ts): it would fire them on every row;
 * - a relation createIndex's name is taken by (another index, a table): IF NOT EXISTS kept the other index, and `down`
 *   then dropped it;
 * - rows that do not meet a constraint alterColumn adds: the application's updates of them would fail from expand on;
 * - a fromType other than the column's type, length included; indexes and constraints on a dropped column that
 *   `down` would not bring back; dropIndex of an index a constraint owns.
 */
import type { Knex } from 'knex';
import { backfillTriggerProblems } from './backfill-triggers';
import type { CreateIndex } from './create-index';
import type { Operation } from './index';
import { partitionedAmong, partitionedRefusal } from './partitioned-tables';
import { ident } from './sql-names';

export type StartChecks = (knex: Knex) => Promise<string[]>;

export function startChecks(operations: readonly Operation[]): StartChecks {
  const changed = tablesChangedBy(operations);
  const walked = tablesChangedBy(operations, true);
  const indexes = operations.flatMap((o) => ('createIndex' in o && o.createIndex ? [o.createIndex] : []));
  const constrained = constraintsOnExistingRows(operations);
  const retyped = operations.flatMap((o) => ('alterColumn' in o && o.alterColumn?.fromType !== undefined ? [o.alterColumn] : []));
  const dropped = operations.flatMap((o) => ('dropColumn' in o && o.dropColumn ? [o.dropColumn] : []));
  const indexesDroppedHere = new Set(operations.flatMap((o) => ('dropIndex' in o && o.dropIndex ? [o.dropIndex.name] : [])));
  return async (knex) => {
    const partitioned = await partitionedAmong(knex, changed);
    return [
      ...(partitioned.length > 0 ? [partitionedRefusal(partitioned)] : []),
      ...(await backfillTriggerProblems(knex, walked.filter((t) => !partitioned.includes(t)))),
      ...(await rowsAgainst(knex, constrained)),
      ...(await typesOtherThanStated(knex, retyped)),
      ...(await whatDownWouldNotRebuild(knex, dropped, indexesDroppedHere)),
      ...(await constraintIndexes(knex, [...indexesDroppedHere])),
      ...(await namesTaken(knex, indexes)).map((name) => `createIndex ${name}: another relation of that name is already there; name the index otherwise, or drop that one in a migration before`),
    ];
  };
}

/**
 * Whether an operation's steps walk its table's rows in batches (a backfill up, or a refill going down): a rename's
 * copy, a type change through a new column, an added column filled from `up`, a dropped column refilled from `down`.
 */
function walksRows(name: string, fields: Record<string, unknown>): boolean {
  switch (name) {
    case 'renameColumn': return true;
    case 'alterColumn': return fields.type !== undefined;
    case 'addColumn': return fields.up !== undefined;
    case 'dropColumn': return fields.down !== undefined;
    default: return false;
  }
}

/** The tables an operations list changes in place (not one it creates); `walked`: only those it backfills. */
export function tablesChangedBy(operations: readonly Operation[], walked = false): string[] {
  const tables = operations.flatMap((element) => {
    const [name, fields] = Object.entries(element)[0] as [string, Record<string, unknown> & { table?: string }];
    if (name === 'createTable' || name === 'sql' || typeof fields?.table !== 'string') return [];
    return !walked || walksRows(name, fields) ? [fields.table] : [];
  });
  return [...new Set(tables)];
}

interface RowConstraint { table: string; what: string; violatedBy: string }

/** The NOT VALID constraints alterColumn adds at expand that the rows already there must meet. */
function constraintsOnExistingRows(operations: readonly Operation[]): RowConstraint[] {
  return operations.flatMap((o) => {
    if (!('alterColumn' in o) || !o.alterColumn) return [];
    const { table, column, nullable, check, type } = o.alterColumn;
    return [
      ...(nullable === false ? [{ table, what: `alterColumn ${table}.${column} nullable: false`, violatedBy: `${ident(column)} IS NULL` }] : []),
      // Through a new column (a type change) the CHECK holds the new values, which the rows do not have yet.
      ...(check && type === undefined ? [{ table, what: `alterColumn ${table}.${column} check ${check.name}`, violatedBy: `NOT (${check.constraint})` }] : []),
    ];
  });
}

/**
 * A row that does not meet such a constraint breaks the application from expand on: the constraint holds every new
 * row version, so each UPDATE of that row fails, whatever it changes, and validation can never pass (found by
 * review). One read of the table each (ACCESS SHARE: the application goes on); one not there yet is not asked.
 */
async function rowsAgainst(knex: Knex, constraints: readonly RowConstraint[]): Promise<string[]> {
  const problems: string[] = [];
  for (const c of constraints) {
    let violated = false;
    try {
      const { rows } = await knex.raw(`SELECT EXISTS (SELECT 1 FROM ${ident(c.table)} WHERE ${c.violatedBy}) AS violated`);
      violated = rows[0].violated === true;
    } catch {
      continue; // the table or column comes with an earlier migration or operation: nothing to meet yet
    }
    if (violated) {
      problems.push(`${c.what}: rows are there that do not meet it; from expand on every UPDATE of such a row would fail, and validation never pass: fix those rows first, in a migration before this one`);
    }
  }
  return problems;
}

/**
 * A `fromType` that is not the column's type exactly: its length or precision too, which the expand step's check
 * (by type alone) let through, and `down` then gave the column (found by review: varchar(20) came back varchar(10),
 * or failed on a longer value). The stated type is spelt out by the server, in a transaction rolled back.
 */
async function typesOtherThanStated(knex: Knex, ops: ReadonlyArray<{ table: string; column: string; fromType?: string }>): Promise<string[]> {
  const problems: string[] = [];
  for (const op of ops) {
    const { rows } = await knex.raw(
      `SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped`,
      [ident(op.table), op.column],
    );
    if (rows.length === 0) continue; // not there yet: an earlier migration or operation adds it
    const stated = await spelledByServer(knex, op.fromType!);
    if (stated !== undefined && stated !== rows[0].type) {
      problems.push(`alterColumn ${op.table}.${op.column}: fromType ${op.fromType} is ${stated}, but the column is ${rows[0].type}: give the column's type now, which down changes it back to`);
    }
  }
  return problems;
}

/** `varchar(10)` as format_type() spells it (`character varying(10)`); undefined where the server cannot read it (expand says why). */
async function spelledByServer(knex: Knex, type: string): Promise<string | undefined> {
  let spelled: string | undefined;
  await knex.transaction(async (trx) => {
    try {
      await trx.raw(`CREATE TEMPORARY VIEW konstruct_stated_type AS SELECT NULL::${type} AS t`);
      spelled = (await trx.raw(`SELECT pg_catalog.format_type(atttypid, atttypmod) AS type FROM pg_catalog.pg_attribute
                                 WHERE attrelid = 'konstruct_stated_type'::regclass AND attname = 't'`)).rows[0].type;
    } catch {
      spelled = undefined;
    }
    await trx.rollback();
  }).catch(() => undefined);
  return spelled;
}

/**
 * dropColumn going down past contract adds the column back, refilled, with its NOT NULL and default: not the indexes
 * and constraints that were on it (found by review: an index on it was gone after up and down). Refused unless the
 * list drops each such index itself with its definition (dropIndex), which `down` builds again.
 */
async function whatDownWouldNotRebuild(knex: Knex, dropped: ReadonlyArray<{ table: string; column: string }>, indexesDroppedHere: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const { table, column } of dropped) {
    // What depends on the column: an index on it (also through an expression or a WHERE), a constraint.
    const { rows } = await knex.raw(
      `SELECT DISTINCT i.relname AS name, k.conname AS constraint
         FROM pg_catalog.pg_depend d
         JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         LEFT JOIN pg_catalog.pg_class i ON d.classid = 'pg_catalog.pg_class'::regclass AND i.oid = d.objid AND i.relkind = 'i'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.oid)
         LEFT JOIN pg_catalog.pg_constraint k ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid AND k.contype <> 'n'
        WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = pg_catalog.to_regclass(?) AND a.attname = ?
          AND d.deptype IN ('a', 'n') AND (i.oid IS NOT NULL OR k.oid IS NOT NULL)
        ORDER BY 2 NULLS FIRST, 1`,
      [ident(table), column],
    );
    const lost = (rows as Array<{ name: string | null; constraint: string | null }>)
      .filter((r) => r.constraint !== null || !indexesDroppedHere.has(r.name!))
      .map((r) => (r.constraint !== null ? `constraint ${r.constraint}` : `index ${r.name}`));
    if (lost.length > 0) {
      problems.push(`dropColumn ${table}.${column}: ${lost.join(', ')} ${lost.length === 1 ? 'is' : 'are'} on it, which down past contract would not bring back: drop ${lost.length === 1 ? 'it' : 'them'} first (dropIndex with its definition, in this list; a constraint in a migration before)`);
    }
  }
  return problems;
}

/**
 * dropIndex of an index a constraint owns: DROP INDEX is refused at contract ("constraint ... requires it"), after
 * the contract before it committed, leaving the migration contracting (found by review).
 */
async function constraintIndexes(knex: Knex, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT n.name, k.conname FROM unnest(?::text[]) AS n(name)
       JOIN pg_catalog.pg_constraint k ON k.conindid = pg_catalog.to_regclass(pg_catalog.quote_ident(n.name))`,
    [[...names]],
  );
  return rows.map((r: { name: string; conname: string }) =>
    `dropIndex ${r.name}: it is constraint ${r.conname}'s, which DROP INDEX cannot drop: drop the constraint (a sql operation, or a migration)`);
}

/**
 * Which of `creates` name a relation that is there already, other than a valid index as described: that one may be
 * this list's own, built by a run killed before it could record the step (then it is kept, as IF NOT EXISTS does); an
 * INVALID index is dropped and built again by the step.
 */
async function namesTaken(knex: Knex, creates: readonly CreateIndex[]): Promise<string[]> {
  const taken: string[] = [];
  for (const op of creates) {
    const { rows } = await knex.raw(
      `SELECT i.indexrelid IS NOT NULL AS is_index, i.indisvalid AS valid, t.relname AS on_table, i.indisunique AS is_unique,
              am.amname AS method, i.indpred IS NOT NULL AS partial,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_catalog.pg_class r
         LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = r.oid
         LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
         LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam
        WHERE r.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(?))`,
      [op.name],
    );
    const found = rows[0];
    if (!found || (found.is_index && !found.valid)) continue;
    const asDescribed = found.is_index && found.on_table === op.table && found.is_unique === (op.unique === true)
      && found.method === (op.method ?? 'btree') && found.partial === (op.where !== undefined)
      && JSON.stringify(found.columns) === JSON.stringify(op.columns);
    if (!asDescribed) taken.push(op.name);
  }
  return taken;
}
