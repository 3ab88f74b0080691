/**
 * The roles a portal user can hold, as the application spells them.
 *
 * A const object plus a union type rather than a TypeScript `enum`: the values are
 * plain strings (what PostgreSQL stores and `pg` returns), they compare and
 * serialise as such, and `Object.values(UserRole)` lists exactly the three.
 *
 * The database enforces the same list with `ck_portal_users_role`; the migrations
 * spell it out themselves (frozen history) and test/app/user-role.test.ts holds the
 * two equal.
 */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';

export const UserRole = {
  PLATFORM_ADMIN: 'platform_admin',
  CUSTOMER_ADMIN: 'customer_admin',
  CUSTOMER_OPERATOR: 'customer_operator',
} as const;
export type UserRole = (typeof UserRole)[keyof typeof UserRole];

/**
 * The roles a user can hold within one tenant (`user_tenant_roles.role`,
 * `portal_invitations.role`): platform administration is never granted per tenant.
 */
export const TenantRole = {
  CUSTOMER_ADMIN: UserRole.CUSTOMER_ADMIN,
  CUSTOMER_OPERATOR: UserRole.CUSTOMER_OPERATOR,
} as const;
export type TenantRole = (typeof TenantRole)[keyof typeof TenantRole];

export const userRoleSchema = z.enum(UserRole);
export const tenantRoleSchema = z.enum(TenantRole);

/** The role a new portal user gets when none is given (the seed's default). */
export const DEFAULT_USER_ROLE: UserRole = UserRole.CUSTOMER_ADMIN;
