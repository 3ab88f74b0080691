/**
 * Parity with the specification: after `up`, the catalog of the whole schema is
 * identical, line for line, to what Alembic's revision 006 produced; after `down`,
 * to what its downgrade() leaves.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { skipOrFailUnderCi } from '../support/required-tool';
import { expectedCatalog, REPO_ROOT, SHARED_SEED_DIR } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('parity');
  ctx = await testContext(db.url);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('catalog parity with the Alembic seed', () => {
  it('after up, equals target-catalog-after-006.sql', async () => {
    await up(ctx);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });

  it('pg_dump agrees, when a pg_dump of the server major version is installed (always under CI)', async (t) => {
    const major = await serverMajor();
    const dump = pgDump(db.url, major);
    if (dump === undefined) return skipOrFailUnderCi(t, `no pg_dump ${major} (Debian package postgresql-client-${major})`);
    expect(dump).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });

  it('after down, equals the catalog that the seed downgrade() leaves', async () => {
    await down(ctx);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
  });

  it('up again after down reproduces the target exactly', async () => {
    await up(ctx);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });

  it('the spec copy in the repo is the seed, byte for byte, by the checksums committed in spec/seed.sha256', () => {
    const committed = committedSeedChecksums();
    expect([...committed.keys()]).toEqual(['006_rbac_roles.py', 'target-catalog-after-006.sql']);
    expect(sha256(path.join(REPO_ROOT, 'spec', 'target-catalog-after-006.sql'))).toBe(committed.get('target-catalog-after-006.sql'));
    // Beside the shared seed (the main checkout; a clone has none): the checksums are the seed's own, so a change to it is seen.
    if (existsSync(SHARED_SEED_DIR)) {
      for (const [file, checksum] of committed) expect(sha256(path.join(SHARED_SEED_DIR, file)), file).toBe(checksum);
    }
  });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** spec/seed.sha256, in `sha256sum` form: file name -> checksum. */
function committedSeedChecksums(): Map<string, string> {
  const lines = readFileSync(path.join(REPO_ROOT, 'spec', 'seed.sha256'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => {
    const [checksum, file] = line.split(/ {2}/) as [string, string];
    return [file, checksum];
  }));
}

async function serverMajor(): Promise<number> {
  const { rows } = await db.knex.raw('show server_version_num');
  return Math.floor(Number(rows[0].server_version_num) / 10000);
}

/** pg_dump's output reduced to statements, as the spec files hold it; undefined when unavailable. */
function pgDump(url: string, major: number): string | undefined {
  const candidates = [`/usr/lib/postgresql/${major}/bin/pg_dump`, 'pg_dump'];
  for (const bin of candidates) {
    try {
      const version = execFileSync(bin, ['--version'], { encoding: 'utf8' });
      if (!version.includes(` ${major}.`)) continue;
      const out = execFileSync(bin, ['--schema-only', '--exclude-table=knex_*', url], { encoding: 'utf8' });
      const lines = out
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('--') && !l.startsWith('SET ') && !l.startsWith('SELECT pg_catalog.'))
        .filter((l) => !/^\\(un)?restrict /.test(l));
      return `${lines.join('\n')}\n`;
    } catch {
      /* try the next candidate */
    }
  }
  return undefined;
}
