/**
 * Recognises the statements of the CatalogObject kinds in pg_dump-style text
 * (what render-catalog.ts prints for them). The statement itself is the
 * object's definition: only its kind, table and name are read from it.
 */
import type { CatalogObject, ObjectKind } from './catalog';
import { IDENT, LITERAL, unquoteIdent } from './sql-text';

const QNAME = `(${IDENT})\\.(${IDENT})`;

/** Schema-qualified name -> the name, once its schema is checked to be the catalog's. */
export type InSchema = (schemaText: string, nameText: string) => string;

interface Form {
  pattern: RegExp;
  read(m: RegExpExecArray, inSchema: InSchema): Pick<CatalogObject, 'kind' | 'table' | 'name'>;
}

const named = (kind: ObjectKind) => (m: RegExpExecArray, inSchema: InSchema) => ({ kind, table: '', name: inSchema(m[1]!, m[2]!) });

const FORMS: Form[] = [
  { pattern: new RegExp(`^CREATE EXTENSION IF NOT EXISTS (${IDENT}) WITH SCHEMA (${IDENT})$`), read: (m, inSchema) => ({ kind: 'extension', table: '', name: inSchema(m[2]!, m[1]!) }) },
  { pattern: new RegExp(`^CREATE TYPE ${QNAME} AS `), read: named('type') },
  { pattern: new RegExp(`^CREATE DOMAIN ${QNAME} AS `), read: named('domain') },
  { pattern: new RegExp(`^CREATE SEQUENCE ${QNAME}\\n`), read: named('sequence') },
  { pattern: new RegExp(`^CREATE VIEW ${QNAME} AS\\n`), read: named('view') },
  { pattern: new RegExp(`^CREATE MATERIALIZED VIEW ${QNAME} AS\\n`), read: named('materialized view') },
  {
    pattern: new RegExp(`^ALTER SEQUENCE ${QNAME} OWNED BY ${QNAME}\\.${IDENT}$`),
    read: (m, inSchema) => ({ kind: 'sequence owned by', table: inSchema(m[3]!, m[4]!), name: inSchema(m[1]!, m[2]!) }),
  },
  {
    pattern: new RegExp(`^COMMENT ON EXTENSION (${IDENT}) IS ${LITERAL}$`),
    read: (m) => ({ kind: 'comment', table: '', name: `extension ${unquoteIdent(m[1]!)}` }),
  },
  {
    pattern: new RegExp(`^COMMENT ON (TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|DOMAIN) ${QNAME} IS ${LITERAL}$`),
    read: (m, inSchema) => {
      const name = inSchema(m[2]!, m[3]!);
      return { kind: 'comment', table: m[1] === 'TABLE' ? name : '', name: `${m[1]!.toLowerCase()} ${name}` };
    },
  },
  {
    pattern: new RegExp(`^ALTER TABLE (?:ONLY )?${QNAME} (ENABLE|FORCE) ROW LEVEL SECURITY$`),
    read: (m, inSchema) => ({ kind: 'row level security', table: inSchema(m[1]!, m[2]!), name: m[3] === 'ENABLE' ? 'enabled' : 'forced' }),
  },
  {
    pattern: new RegExp(`^CREATE STATISTICS ${QNAME} [\\s\\S]* FROM ${QNAME}$`),
    read: (m, inSchema) => ({ kind: 'statistics', table: inSchema(m[3]!, m[4]!), name: inSchema(m[1]!, m[2]!) }),
  },
  {
    pattern: new RegExp(`^CREATE RULE (${IDENT}) AS\\s+ON (?:SELECT|INSERT|UPDATE|DELETE) TO ${QNAME}[\\s\\S]*$`),
    read: (m, inSchema) => ({ kind: 'rule', table: inSchema(m[2]!, m[3]!), name: unquoteIdent(m[1]!) }),
  },
  {
    pattern: new RegExp(`^ALTER TABLE ${QNAME} (?:DISABLE|ENABLE ALWAYS|ENABLE REPLICA) TRIGGER (${IDENT})$`),
    read: (m, inSchema) => ({ kind: 'trigger state', table: inSchema(m[1]!, m[2]!), name: unquoteIdent(m[3]!) }),
  },
  {
    pattern: new RegExp(`^REVOKE ALL ON (?:FUNCTION|PROCEDURE) ${QNAME}\\((.*)\\) FROM PUBLIC$`),
    read: (m, inSchema) => ({ kind: 'function privilege', table: '', name: `${inSchema(m[1]!, m[2]!)}(${m[3]}) from PUBLIC` }),
  },
  {
    pattern: new RegExp(`^GRANT ALL ON (?:FUNCTION|PROCEDURE) ${QNAME}\\((.*)\\) TO (${IDENT})(?: WITH GRANT OPTION)?$`),
    read: (m, inSchema) => ({ kind: 'function privilege', table: '', name: `${inSchema(m[1]!, m[2]!)}(${m[3]}) to ${unquoteIdent(m[4]!)}` }),
  },
  {
    pattern: new RegExp(`^ALTER INDEX ${QNAME} ATTACH PARTITION ${QNAME}$`),
    read: (m, inSchema) => ({ kind: 'index attachment', table: '', name: inSchema(m[3]!, m[4]!) }),
  },
  {
    pattern: new RegExp(`^CREATE POLICY (${IDENT}) ON ${QNAME}`),
    read: (m, inSchema) => ({ kind: 'policy', table: inSchema(m[2]!, m[3]!), name: unquoteIdent(m[1]!) }),
  },
];

export function parseObject(sql: string, inSchema: InSchema): CatalogObject | undefined {
  for (const form of FORMS) {
    const m = form.pattern.exec(sql);
    if (m) return { ...form.read(m, inSchema), definition: sql, owner: null };
  }
  return undefined;
}
