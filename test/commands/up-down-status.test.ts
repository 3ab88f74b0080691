/** The library commands: targets, one-step down, history bookkeeping. */
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down';
import { status } from '../../src/commands/status';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { KonstructError } from '../../src/errors';
import { ExitCode } from '../../src/exit-codes';
import { testContext } from '../support/context';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('commands');
  ctx = await testContext(db.url);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});
beforeEach(async () => {
  await down(ctx, { all: true });
});

const historyNames = async () => (await db.knex('knex_migrations').orderBy('id').pluck('name')) as string[];
const tables = async () =>
  (await db.knex.raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex%' ORDER BY 1`)).rows.map(
    (r: { tablename: string }) => r.tablename,
  );

describe('up', () => {
  it('applies every pending migration in order, in one batch, recorded without file extension', async () => {
    const result = await up(ctx);
    expect(result.applied.map((s) => s.name)).toEqual(['005_baseline', '006_rbac_roles']);
    expect(result.applied.every((s) => s.direction === 'up' && s.ms >= 0)).toBe(true);
    expect(await historyNames()).toEqual(['005_baseline', '006_rbac_roles']);
    expect(new Set(await db.knex('knex_migrations').pluck('batch')).size).toBe(1);
  });

  it('--to stops after the named migration, by number or full name', async () => {
    expect((await up(ctx, { to: '005' })).applied.map((s) => s.name)).toEqual(['005_baseline']);
    expect(await tables()).toEqual(['portal_users', 'tenants']);
    expect((await up(ctx, { to: '006_rbac_roles' })).applied.map((s) => s.name)).toEqual(['006_rbac_roles']);
  });

  it('is a no-op when up to date', async () => {
    await up(ctx);
    expect(await up(ctx)).toEqual({ applied: [], expanded: [], batch: null });
  });

  it('rejects an unknown target with a usage error naming the known migrations', async () => {
    const error = await up(ctx, { to: '042' }).catch((e) => e);
    expect(error).toBeInstanceOf(KonstructError);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.hint).toContain('005_baseline');
    expect(await historyNames()).toEqual([]);
  });
});

describe('down', () => {
  it('reverts exactly one migration by default', async () => {
    await up(ctx);
    expect((await down(ctx)).reverted.map((s) => s.name)).toEqual(['006_rbac_roles']);
    expect(await historyNames()).toEqual(['005_baseline']);
  });

  it('--to reverts down to, but not including, the target', async () => {
    await up(ctx);
    expect((await down(ctx, { to: '005' })).reverted.map((s) => s.name)).toEqual(['006_rbac_roles']);
    expect(await tables()).toEqual(['portal_users', 'tenants']);
  });

  it('--all reverts everything, newest first, and leaves the konstruct_app role', async () => {
    await up(ctx);
    expect((await down(ctx, { all: true })).reverted.map((s) => s.name)).toEqual(['006_rbac_roles', '005_baseline']);
    expect(await tables()).toEqual([]);
    expect((await db.knex.raw(`SELECT 1 FROM pg_roles WHERE rolname = 'konstruct_app'`)).rows).toHaveLength(1);
  });

  it('with nothing applied is an error that says so', async () => {
    const error = await down(ctx).catch((e) => e);
    expect(error.message).toMatch(/nothing to revert/);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('up -> down -> up ends where a single up ends', async () => {
    await up(ctx);
    await down(ctx);
    await up(ctx);
    expect(await historyNames()).toEqual(['005_baseline', '006_rbac_roles']);
    expect(await tables()).toEqual(['portal_invitations', 'portal_users', 'tenants', 'user_tenant_roles']);
  });
});

describe('status', () => {
  it('lists applied and pending migrations with when they were applied', async () => {
    await up(ctx, { to: '005' });
    const result = await status(ctx);
    expect(result.applied).toBe(1);
    expect(result.pending).toBe(1);
    expect(result.migrations.map((m) => [m.name, m.state])).toEqual([
      ['005_baseline', 'applied'],
      ['006_rbac_roles', 'pending'],
    ]);
    expect(result.migrations[0]!.appliedAt).toBeInstanceOf(Date);
  });

  it('history written from compiled .js is the same history when read from .ts sources', async () => {
    const compiled = await testContext(db.url, path.join(REPO_ROOT, 'dist', 'migrations'));
    try {
      await up(compiled);
    } finally {
      await compiled.close();
    }
    const fromSources = await status(ctx);
    expect(fromSources.unknown).toEqual([]);
    expect(fromSources.pending).toBe(0);
  });
});
