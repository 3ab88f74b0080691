/**
 * A permission denied outside a migration's statements is the user's error, exit 2; one that came after part of the
 * run committed says what stands, not "Nothing was changed" (found by review: 005 applied and 006 part-way, and the
 * hint said nothing was changed).
 */
import { expect, it } from 'vitest';
import { asPrivilegeError, KonstructError } from '../../src/errors';
import { ExitCode } from '../../src/exit-codes';

const denied = Object.assign(new Error('permission denied for table knex_migrations'), { code: '42501' });

it('says nothing was changed where nothing was, and what stands where something was', () => {
  const untouched = asPrivilegeError(denied)!;
  expect([untouched.exitCode, untouched.message]).toEqual([ExitCode.Usage, 'the database user lacks a privilege konstruct-migrate needs: permission denied for table knex_migrations [SQLSTATE 42501]']);
  expect(untouched.hint).toMatch(/Nothing was changed\.$/);

  const partWay = asPrivilegeError(denied)!;
  partWay.tellPartWay('006_rbac_roles stands part-way (up), committed and kept: 1 of 5 steps applied.');
  expect(partWay.hint).toMatch(/^006_rbac_roles stands part-way \(up\), committed and kept: 1 of 5 steps applied\. Connect as the role that owns/);
  expect(partWay.hint).not.toContain('Nothing was changed');
});

it('leaves other errors as they are', () => {
  expect(asPrivilegeError(new KonstructError('x', { exitCode: ExitCode.Usage }))).toBeUndefined();
  expect(asPrivilegeError(Object.assign(new Error('x'), { code: '42P01' }))).toBeUndefined();
});
