/** `new --operations` writes an operations template that loads, compiles and runs as written, up and down. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { newMigration } from '../../src/commands/new-migration';
import { up } from '../../src/commands/up';
import { expectedCatalog } from '../support/spec-files';
import { operationsDatabase, position } from './harness';

it('writes the operation list, and the file runs as written', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-new-'));
  try {
    const created = newMigration({ name: 'rename portal users name', dir, operations: true });
    expect(created.name).toBe('001_rename_portal_users_name');
    const text = readFileSync(created.file, 'utf8');
    expect(text).toMatch(/^import type \{ Operation \} from '..\/src\/operations';$/m);
    expect(text).toMatch(/^export const operations: Operation\[\] = \[$/m);
    const h = await operationsDatabase('newops', '900_new_operations', { text });
    try {
      await up(h.ctx);
      expect(await position(h)).toBe('applied');
      await down(h.ctx, { yes: true });
      expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
    } finally {
      await h.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
