/**
 * A row of `portal_users`, exactly as `pg` returns it (uuid and varchar as
 * strings, timestamptz as Date), and the input for creating one.
 */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';
import { DEFAULT_USER_ROLE, userRoleSchema } from './user-role';
import { pgUuid, pgVarchar } from './column-types';
import { emailAddress, singleLineText } from './input-text';

export const portalUserSchema = z.object({
  id: pgUuid,
  email: pgVarchar(255),
  hashed_password: pgVarchar(255),
  name: pgVarchar(255),
  created_at: z.date(),
  updated_at: z.date(),
  role: userRoleSchema,
});
export type PortalUser = z.infer<typeof portalUserSchema>;

/** What an application supplies to create a user; the database fills id and timestamps (input-text.ts: how text is checked). */
export const newPortalUserSchema = z.object({
  email: emailAddress,
  hashed_password: pgVarchar(255).min(1),
  name: singleLineText(255),
  role: userRoleSchema.default(DEFAULT_USER_ROLE),
});
/** The input before defaults apply: `role` may be left out. */
export type NewPortalUserInput = z.input<typeof newPortalUserSchema>;
export type NewPortalUser = z.output<typeof newPortalUserSchema>;
