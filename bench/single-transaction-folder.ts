/**
 * The migrations folder of the "today's single-transaction 006" contender: the
 * built 005 beside the frozen copy of 006 (single-transaction-006/), run by
 * the same CLI through KONSTRUCT_MIGRATIONS_DIR. It carries the build's
 * checksum manifest, so the history it writes and reads names the same
 * checksums as the packaged migrations: both contenders start from the same
 * templates, and the CLI does not take the frozen 006 for an edited one.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHECKSUM_MANIFEST } from '../src/history/migration-checksums';
import { PACKAGE_ROOT } from './project-files';

const BUILT_MIGRATIONS = path.join(PACKAGE_ROOT, 'dist', 'migrations');
const FROZEN_006 = path.join(PACKAGE_ROOT, 'dist', 'bench', 'single-transaction-006', '006_rbac_roles.js');

export interface MigrationsFolder {
  dir: string;
  remove(): void;
}

export function singleTransactionFolder(): MigrationsFolder {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbench-single-006-'));
  copyFileSync(path.join(BUILT_MIGRATIONS, '005_baseline.js'), path.join(dir, '005_baseline.js'));
  copyFileSync(path.join(BUILT_MIGRATIONS, CHECKSUM_MANIFEST), path.join(dir, CHECKSUM_MANIFEST));
  copyFileSync(FROZEN_006, path.join(dir, '006_rbac_roles.js'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
