/**
 * Earlier revisions of migrations: a committed, reviewed record, beside the
 * migrations, of the checksums a migration's text had before a revision.
 *
 *   superseded-checksums.json
 *   { "006_rbac_roles": [{ "checksum": "<sha256>", "why": "<the fix>", "until": "2026-12-07" }] }
 *
 * A history row or a phase row holding one of these checksums was applied (or
 * part-applied) from that earlier text, and counts as unchanged: its database
 * goes on without `--allow-changed`. Any other checksum is still a changed
 * migration. `until` is the day the text was replaced. A revision is allowed
 * only for a fix whose end state is identical both ways (the catalog after up
 * and after down), recorded here with its reason (docs/production-safety.md).
 *
 * The file is not a migration (its name has no number). The build copies it
 * beside the compiled migrations, so the installed package knows it too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
// zod/v3, as the CLI's configuration: zod 4 would come into the CLI's bundle again (src/config/config-schema.ts says why).
import { z } from 'zod/v3';
import { ConfigError } from '../errors';

export const SUPERSEDED_CHECKSUMS = 'superseded-checksums.json';

const earlierRevision = z.strictObject({
  checksum: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'),
  why: z.string().trim().min(1, 'the reason for the revision'),
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
});
const recordSchema = z.record(z.string(), z.array(earlierRevision));

/** name -> the checksums of its earlier revisions; empty when the folder has no record. */
export function readSupersededChecksums(dir: string, names: readonly string[]): Map<string, string[]> {
  const file = path.join(dir, SUPERSEDED_CHECKSUMS);
  if (!existsSync(file)) return new Map();
  const refuse = (what: string) =>
    new ConfigError(`${file} ${what}`, 'Fix the record of superseded checksums (docs/production-safety.md#revising-an-applied-migration); nothing was changed.');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw refuse(`is not JSON: ${(error as Error).message}`);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw refuse(`is malformed at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  // A name that is no migration here is a typo: it would silently protect nothing.
  const unknown = Object.keys(parsed.data).filter((name) => !names.includes(name));
  if (unknown.length > 0) throw refuse(`names no migration of this folder: ${unknown.join(', ')}`);
  return new Map(Object.entries(parsed.data).map(([name, revisions]) => [name, revisions.map((r) => r.checksum)]));
}

/** The text a recorded checksum stands for: the migration as it is now, an earlier revision of it, or neither. */
export type Revision = 'current' | 'earlier' | 'changed';

export function revisionOf(migration: { checksum: string; earlierChecksums?: readonly string[] }, recorded: string): Revision {
  if (recorded === migration.checksum) return 'current';
  return migration.earlierChecksums?.includes(recorded) ? 'earlier' : 'changed';
}
