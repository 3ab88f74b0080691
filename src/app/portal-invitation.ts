/** A row of `portal_invitations`: invite-only onboarding into one tenant. */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';
import { pgUuid, pgVarchar } from './column-types';
import { emailAddress, singleLineText } from './input-text';
import { tenantRoleSchema } from './user-role';

// Spelled like UserRole: a const object, a union type and a zod enum (user-role.ts says why not a TypeScript enum).
export const InvitationStatus = {
  PENDING: 'pending',
  ACCEPTED: 'accepted',
  REVOKED: 'revoked',
} as const;
export type InvitationStatus = (typeof InvitationStatus)[keyof typeof InvitationStatus];
export const invitationStatusSchema = z.enum(InvitationStatus);

export const portalInvitationSchema = z.object({
  id: pgUuid,
  email: pgVarchar(255),
  name: pgVarchar(255),
  tenant_id: pgUuid,
  // role and status are plain text columns (no CHECK); their documented contracts are enforced here.
  role: tenantRoleSchema,
  /** The user who invited; null for system-generated invitations. */
  invited_by: pgUuid.nullable(),
  /** SHA-256 hex of the raw token; the raw token itself is never stored. */
  token_hash: pgVarchar(255),
  status: invitationStatusSchema,
  expires_at: z.date(),
  created_at: z.date(),
});
export type PortalInvitation = z.infer<typeof portalInvitationSchema>;

/** Who is invited, where, and as what: the part of an invitation an application decides (input-text.ts: how text is checked). */
export const newPortalInvitationSchema = z.object({
  email: emailAddress,
  name: singleLineText(255),
  tenant_id: pgUuid,
  role: tenantRoleSchema,
  invited_by: pgUuid.nullable().default(null),
});
export type NewPortalInvitationInput = z.input<typeof newPortalInvitationSchema>;
export type NewPortalInvitation = z.output<typeof newPortalInvitationSchema>;
