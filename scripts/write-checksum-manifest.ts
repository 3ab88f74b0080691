/**
 * Build step (`npm run build`): records the checksum of every migration source
 * beside its compiled JavaScript, as dist/migrations/checksums.json.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKSUM_MANIFEST } from '../src/history/migration-checksums';
import { listLocalMigrations } from '../src/history/local-migrations';

const packageRoot = path.resolve(__dirname, '..');
const sources = path.join(packageRoot, 'migrations');
const compiled = path.join(packageRoot, 'dist', 'migrations');

const manifest = Object.fromEntries(listLocalMigrations(sources).map((m) => [m.name, m.checksum]));
writeFileSync(path.join(compiled, CHECKSUM_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
