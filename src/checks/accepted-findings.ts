/**
 * A migration accepts a finding on purpose, by naming it and saying why (like
 * strong_migrations' safety_assured):
 *
 *   export const acceptFindings = [
 *     { rule: 'index-build', table: 'tenants', reason: 'tenants has 40 rows and is written once a day' },
 *   ];
 *
 * Only that rule on that table is accepted, and the reason is shown wherever
 * the finding is (check, up, status, --dry-run).
 */
// zod/v3, as the CLI's configuration: zod 4 would come into the CLI's bundle again (src/config/config-schema.ts says why).
import { z } from 'zod/v3';
import { ConfigError } from '../errors';
import type { Migration } from '../model/migration';
import { RULES } from './rules/registry';

const Accepted = z.array(z.object({ rule: z.string(), table: z.string(), reason: z.string().trim().min(1) }).strict());
export type AcceptedFinding = z.infer<typeof Accepted>[number];

/** The findings `mod` accepts; a malformed list, or one naming an unknown rule, is a usage error. */
export function acceptedFindingsOf(migration: string, mod: object): AcceptedFinding[] {
  const declared = (mod as { acceptFindings?: unknown }).acceptFindings;
  if (declared === undefined) return [];
  const parsed = Accepted.safeParse(declared);
  const unknown = parsed.success ? parsed.data.find((a) => !RULES.some((r) => r.name === a.rule)) : undefined;
  if (!parsed.success || unknown) {
    throw new ConfigError(
      `${migration}: acceptFindings ${unknown ? `names an unknown rule "${unknown.rule}"` : 'must list { rule, table, reason } with a reason'}`,
      `Rules: ${RULES.map((r) => r.name).join(', ')}. See docs/checking-migrations.md.`,
    );
  }
  return parsed.data;
}

/** What `status` and `--dry-run` show: each finding the given (pending) migrations accept, with its reason. */
export function acceptedBy(migrations: readonly Migration[]): Array<AcceptedFinding & { migration: string }> {
  return migrations.flatMap((m) => acceptedFindingsOf(m.name, { acceptFindings: m.acceptFindings }).map((a) => ({ migration: m.name, ...a })));
}

/** One line for people: `007_x accepts index-build on tenants: <reason>`. */
export const acceptedLine = (a: AcceptedFinding & { migration: string }): string => `${a.migration} accepts ${a.rule} on ${a.table}: ${a.reason}`;
