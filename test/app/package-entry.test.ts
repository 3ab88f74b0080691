/** What a service gets from `require('konstruct-migrate')`: the built main entry and its type declarations. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/spec-files';

const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

const APP_EXPORTS = [
  'UserRole', 'TenantRole', 'userRoleSchema', 'tenantRoleSchema',
  'portalUserSchema', 'newPortalUserSchema', 'userTenantRoleSchema',
  'InvitationStatus', 'portalInvitationSchema', 'newPortalInvitationSchema',
  'appSettingsSchema', 'loadAppSettings', 'SettingsError', 'Secret', 'revealed',
  'createInvitationToken', 'hashInvitationToken', 'createInvitation', 'verifyInvitation', 'acceptInvitation',
  'ConfigError',
];
/** The exports that are not functions (classes count as functions): enums and zod schemas. */
const EXPORT_KIND: Record<string, 'object'> = Object.fromEntries(
  ['UserRole', 'TenantRole', 'InvitationStatus', 'userRoleSchema', 'tenantRoleSchema', 'portalUserSchema', 'newPortalUserSchema',
    'userTenantRoleSchema', 'portalInvitationSchema', 'newPortalInvitationSchema', 'appSettingsSchema'].map((name) => [name, 'object']),
);
const APP_TYPES = ['PortalUser', 'UserTenantRole', 'PortalInvitation', 'AppSettings', 'InvitationCheck'];

it('exports the application-facing values from the built main entry', () => {
  const entry = require(path.join(REPO_ROOT, packageJson.main));
  const kinds = Object.fromEntries(APP_EXPORTS.map((name) => [name, typeof entry[name]]));
  expect(kinds).toEqual(Object.fromEntries(APP_EXPORTS.map((name) => [name, EXPORT_KIND[name] ?? 'function'])));
  expect(entry.UserRole.CUSTOMER_ADMIN).toBe('customer_admin');
});

it('declares their types next to it', () => {
  const declarations = readFileSync(path.join(REPO_ROOT, packageJson.types), 'utf8');
  for (const name of [...APP_EXPORTS, ...APP_TYPES]) expect(declarations, name).toMatch(new RegExp(`\\b${name}\\b`));
});
