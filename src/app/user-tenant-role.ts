/** A row of `user_tenant_roles`: one role per user per tenant. */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';
import { pgUuid } from './column-types';
import { tenantRoleSchema } from './user-role';

export const userTenantRoleSchema = z.object({
  id: pgUuid,
  user_id: pgUuid,
  tenant_id: pgUuid,
  // The column is plain text (no CHECK); its documented contract is the tenant roles.
  role: tenantRoleSchema,
  created_at: z.date(),
});
export type UserTenantRole = z.infer<typeof userTenantRoleSchema>;
