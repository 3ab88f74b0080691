/**
 * Build step (`npm run build`): records the checksum of every migration source
 * beside its compiled JavaScript, as dist/migrations/checksums.json, and copies
 * the record of earlier revisions' checksums (superseded-checksums.json) there,
 * so the installed package accepts the same earlier revisions as the sources.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKSUM_MANIFEST } from '../src/history/migration-checksums';
import { listLocalMigrations } from '../src/history/local-migrations';
import { SUPERSEDED_CHECKSUMS } from '../src/history/superseded-checksums';

const packageRoot = path.resolve(__dirname, '..');
const sources = path.join(packageRoot, 'migrations');
const compiled = path.join(packageRoot, 'dist', 'migrations');

const manifest = Object.fromEntries(listLocalMigrations(sources).map((m) => [m.name, m.checksum]));
writeFileSync(path.join(compiled, CHECKSUM_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
if (existsSync(path.join(sources, SUPERSEDED_CHECKSUMS))) copyFileSync(path.join(sources, SUPERSEDED_CHECKSUMS), path.join(compiled, SUPERSEDED_CHECKSUMS));
