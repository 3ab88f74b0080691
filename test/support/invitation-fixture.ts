/**
 * What the invitation tests share: a migrated database holding a tenant and the
 * admin who invites, an invitee to vary, and the table's rows to compare before
 * and after a refusal.
 */
import type { Knex } from 'knex';
import type { NewPortalInvitationInput } from '../../src/index';
import { createMigratedDatabase } from './migrated-database';
import type { TestDatabase } from './test-database';

export const TEST_INVITE_SECRET = 'test-invite-secret-with-more-than-32-bytes';
export const HOUR = 60 * 60 * 1000;

export interface InvitationDatabase {
  db: TestDatabase;
  /** A valid invitation input: tenant and inviter exist. */
  invitee: NewPortalInvitationInput;
}

export async function createInvitationDatabase(label: string): Promise<InvitationDatabase> {
  const db = await createMigratedDatabase(label);
  const [tenant] = await db.knex('tenants').insert({ name: 'Acme', slug: 'acme' }).returning('id');
  const [inviter] = await db.knex('portal_users').insert({ email: 'admin@example.com', hashed_password: 'x', name: 'Admin', role: 'customer_admin' }).returning('id');
  const invitee: NewPortalInvitationInput = { email: 'new@example.com', name: 'New Person', tenant_id: tenant.id, role: 'customer_operator', invited_by: inviter.id };
  return { db, invitee };
}

/** Every invitation row, in a stable order: equal before and after means nothing changed. */
export function invitationRows(knex: Knex): Promise<Record<string, unknown>[]> {
  return knex('portal_invitations').select('*').orderBy('id');
}
