/**
 * The two versions of the application that run side by side during a rolling
 * deploy of 006, as the SQL each sends to portal_users:
 * - old: reads and writes `is_admin`, inserts users with `is_admin`;
 * - new: reads and writes `role`, inserts users with `role` (no `is_admin`).
 *
 * Every write is chosen so that the row's final `role` is known whatever order
 * the writes commit in (see load-check.ts): each version updates rows of its own
 * pool to one fixed value, and each inserted user's email carries the role it
 * must end up with.
 */
export type AppVersion = 'old' | 'new';
export type RequestKind = 'read' | 'update' | 'insert';

export const APP_VERSIONS: readonly AppVersion[] = ['old', 'new'];

/** Of every 10 requests: 7 reads, 2 updates, 1 insert (a read-mostly user table). */
const MIX: readonly RequestKind[] = ['read', 'update', 'read', 'read', 'read', 'insert', 'read', 'update', 'read', 'read'];

/** Template users the load touches, by id: read by both, updated by one version each. */
export interface RowPools {
  read: string[];
  /** Non-admins the old version promotes (`is_admin = true`): they must end as platform_admin. */
  promotedByOld: string[];
  /** Non-admins the new version makes operators: they must end as customer_operator. */
  operatorsByNew: string[];
}

/** The role an update by this version leaves on its pool's rows. */
export const UPDATED_ROLE: Record<AppVersion, string> = { old: 'platform_admin', new: 'customer_operator' };

const ROLES = ['customer_admin', 'platform_admin', 'customer_operator'] as const;
/** Emails of users the load inserts: `<version>.<sequence>.<role it must end with>@load.example`. */
export const LOAD_EMAIL_DOMAIN = 'load.example';
const HASH = `$2b$12$${'x'.repeat(53)}`;

export interface AppRequest {
  kind: RequestKind;
  text: string;
  values: unknown[];
  /** For an update: the row it changes. */
  rowId?: string;
}

export function kindOf(sequence: number): RequestKind {
  return MIX[sequence % MIX.length]!;
}

/** The row of a pool that request `sequence` touches: each row in turn, once per round of the mix. */
export function pickRow(sequence: number, ids: string[]): string {
  return ids[Math.floor(sequence / MIX.length) % ids.length]!;
}

/** What a version sends as its sequence-th request (006's versions by default; other scenarios bring their own). */
export type RequestSource = (version: AppVersion, sequence: number) => AppRequest;

/** The sequence-th request of a version (deterministic, so every run sends the same requests). */
export function appRequest(version: AppVersion, sequence: number, pools: RowPools): AppRequest {
  const kind = kindOf(sequence);
  const pick = (ids: string[]) => pickRow(sequence, ids);
  const column = version === 'old' ? 'is_admin' : 'role';
  if (kind === 'read') {
    return { kind, text: `SELECT id, email, name, ${column} FROM portal_users WHERE id = $1`, values: [pick(pools.read)] };
  }
  if (kind === 'update') {
    const rowId = version === 'old' ? pick(pools.promotedByOld) : pick(pools.operatorsByNew);
    const value = version === 'old' ? true : UPDATED_ROLE.new;
    return { kind, rowId, text: `UPDATE portal_users SET ${column} = $2, updated_at = now() WHERE id = $1`, values: [rowId, value] };
  }
  const role = version === 'old' ? (sequence % 20 === 5 ? 'platform_admin' : 'customer_admin') : ROLES[sequence % ROLES.length]!;
  const email = `${version}.${sequence}.${role}@${LOAD_EMAIL_DOMAIN}`;
  const value = version === 'old' ? role === 'platform_admin' : role;
  return {
    kind,
    text: `INSERT INTO portal_users (email, hashed_password, name, ${column}) VALUES ($1, $2, $3, $4)`,
    values: [email, HASH, `Load ${version} ${sequence}`, value],
  };
}
