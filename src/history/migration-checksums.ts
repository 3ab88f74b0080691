/**
 * The checksum of a migration: SHA-256 of its TypeScript source, with line
 * endings and a byte-order mark normalized (a Windows checkout must not look
 * "changed"). The compiled layout (dist/migrations/*.js) carries a manifest of
 * the source checksums, written at build time, so a migration applied from
 * sources (tests, tsx) and one applied by the built CLI record the same value.
 * A folder of plain JavaScript migrations without a manifest is hashed as is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CHECKSUM_MANIFEST = 'checksums.json';

export function checksumOf(source: string): string {
  const normalized = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}

export function checksumOfFile(file: string): string {
  return checksumOf(readFileSync(file, 'utf8'));
}

/** name -> checksum from the folder's build-time manifest; empty when there is none. */
export function readChecksumManifest(dir: string): Record<string, string> {
  const file = path.join(dir, CHECKSUM_MANIFEST);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}
