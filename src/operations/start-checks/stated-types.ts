/** alterColumn's fromType, compared with the column's type, length and precision included. */
import type { Knex } from 'knex';
import { ident } from '../sql-names';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const statedTypes: StartCheck = (operations) => {
  const retyped = operationsOf(operations, 'alterColumn').filter((op) => op.fromType !== undefined);
  return (knex) => typesOtherThanStated(knex, retyped);
};

/**
 * A `fromType` that is not the column's type exactly: its length or precision too, which the expand step's check
 * (by type alone) let through, and `down` then gave the column (found by review: varchar(20) came back varchar(10),
 * or failed on a longer value). The stated type is spelt out by the server.
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

/**
 * `varchar(10)` as format_type() spells it (`character varying(10)`), from the type and modifier the server describes a
 * value cast to it with: no temporary object, so no TEMP privilege needed (found by review: without it the check was
 * skipped). Undefined where the server cannot read the type (expand then says why).
 */
async function spelledByServer(knex: Knex, type: string): Promise<string | undefined> {
  return (await typeOf(knex, type))?.spelled;
}

/** A type as the server reads it: its oid and modifier (a length, a precision), and format_type()'s spelling. */
export async function typeOf(knex: Knex, type: string): Promise<{ oid: number; typmod: number; spelled: string } | undefined> {
  try {
    const described = await knex.raw(`SELECT NULL::${type} AS t`);
    const { dataTypeID, dataTypeModifier } = (described as { fields: Array<{ dataTypeID: number; dataTypeModifier: number }> }).fields[0]!;
    const { rows } = await knex.raw('SELECT pg_catalog.format_type(?::oid, ?::int) AS type', [dataTypeID, dataTypeModifier]);
    return { oid: dataTypeID, typmod: dataTypeModifier, spelled: rows[0].type };
  } catch {
    return undefined;
  }
}

