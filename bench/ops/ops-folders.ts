/**
 * The operations scenario's two migrations folders, run by the same CLI through
 * KONSTRUCT_MIGRATIONS_DIR: the built 005 and 006 (with the build's checksum
 * manifest, so the history of the 006 templates matches), plus 007 either as
 * operations or as the same change written as a plain migration.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileOperations, type Operation } from '../../src/operations';
import { CHECKSUM_MANIFEST } from '../../src/history/migration-checksums';
import type { PhaseName } from '../phase-timeline';
import { PACKAGE_ROOT } from '../project-files';

export type OpsContender = 'operations' | 'plain';
export const OPS_CONTENDERS: readonly OpsContender[] = ['operations', 'plain'];
export const OPS_MIGRATION = '007_rename_retype_index';
export const OPS_CONTENDER_LABELS: Record<OpsContender, string> = {
  operations: 'konstruct-migrate operations (renameColumn, alterColumn, createIndex)',
  plain: 'the same change as a plain migration (one transaction)',
};

const BUILT = path.join(PACKAGE_ROOT, 'dist');
const SOURCE_DIR: Record<OpsContender, string> = { operations: 'operations-007', plain: 'plain-007' };
const builtMigration = (contender: OpsContender) => path.join(BUILT, 'bench', 'ops', SOURCE_DIR[contender], `${OPS_MIGRATION}.js`);

export interface OpsFolders {
  dirs: Record<OpsContender, string>;
  /** The operations' compiled steps (phase and name), in order, as the CLI runs them. */
  steps: Array<{ phase: PhaseName; name: string }>;
  remove(): void;
}

export function opsFolders(): OpsFolders {
  const dirs = {} as Record<OpsContender, string>;
  for (const contender of OPS_CONTENDERS) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `kbench-ops-${contender}-`));
    for (const file of ['005_baseline.js', '006_rbac_roles.js', CHECKSUM_MANIFEST]) copyFileSync(path.join(BUILT, 'migrations', file), path.join(dir, file));
    copyFileSync(builtMigration(contender), path.join(dir, `${OPS_MIGRATION}.js`));
    dirs[contender] = dir;
  }
  const { operations } = require(builtMigration('operations')) as { operations: Operation[] };
  return {
    dirs,
    steps: compileOperations(operations).map((step) => ({ phase: step.phase, name: step.name })),
    remove: () => Object.values(dirs).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
  };
}
