/**
 * squawk (npm `squawk-cli` at a pinned version, fetched by npx on first use) on one corpus case's SQL,
 * with its lock-safety rules only: the timeout reminders and the style rules
 * (types to prefer, re-runnable statements) are left out, as they flag every
 * statement whatever it does to a live table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../test/support/cli';
import type { CorpusCase } from '../test/checks/corpus/cases';
import { PACKAGE_ROOT } from './project-files';

export const SQUAWK_LEFT_OUT = [
  'require-lock-timeout', 'require-statement-timeout', 'prefer-robust-stmts',
  'prefer-text-field', 'prefer-bigint-over-int', 'prefer-bigint-over-smallint', 'prefer-identity', 'prefer-timestamptz', 'ban-char-field',
];

/**
 * Not a devDependency: the registry here serves squawk-cli's Linux binary package only, and
 * `npm ci` refuses a lock file without the other platforms' optional packages. npx fetches
 * the pinned version into its cache the first time the benchmark needs it.
 */
const SQUAWK_VERSION = '2.66.0';
const NPX = ['exec', '--yes', `--package=squawk-cli@${SQUAWK_VERSION}`, '--', 'squawk'];

/** The rules squawk reports on the case, distinct, in the order reported. */
export async function squawkRules(c: CorpusCase, pgVersion: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-squawk-'));
  try {
    const file = path.join(dir, `${c.name}.sql`);
    writeFileSync(file, `${c.up.join(';\n')};\n`);
    const args = [file, '--reporter', 'json', `--pg-version=${pgVersion}`, `--exclude=${SQUAWK_LEFT_OUT.join(',')}`];
    // A migration that runs in a transaction is checked as one (knex wraps it in BEGIN ... COMMIT).
    if (c.transaction !== false) args.push('--assume-in-transaction');
    const run = await runProcess('npm', [...NPX, ...args], { timeoutMs: 120_000, cwd: PACKAGE_ROOT });
    if (run.code !== 0 && run.code !== 1) throw new Error(`squawk failed (exit ${run.code}): ${run.stderr.trim()}`);
    const violations = JSON.parse(run.stdout || '[]') as Array<{ rule_name: string }>;
    return [...new Set(violations.map((v) => v.rule_name))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
