/**
 * `prepare`: build (`npm run build`) only when what the build reads changed
 * since the last build. `--record`, the last step of `npm run build`, writes
 * the fingerprint of those inputs to dist/build-inputs.sha256.
 *
 * Why: npm runs `prepare` on `npm install` in a clone (dist/ must exist for the
 * `konstruct-migrate` bin), and npx runs it again: when the folder's own
 * package.json has the bin asked for, `npx konstruct-migrate` installs that
 * folder into its cache (~/.npm/_npx/<hash>, a link to it) and prepares it like
 * any directory dependency. A full build there made the first
 * `npx konstruct-migrate --help` of a clone take seconds.
 *
 * Plain JavaScript, not TypeScript: it runs before anything is compiled and
 * must cost no more than a Node start when there is nothing to do.
 */
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'dist', 'build-inputs.sha256');
/** What tsconfig.json compiles and scripts/bundle-cli.ts bundles, with the settings and the locked dependencies. */
// test/support is compiled too: the benchmark spawns processes with its helper (test/support/cli.ts);
// so is check's corpus (test/checks/corpus), which the benchmark gives to check and squawk.
const SOURCE_DIRS = ['src', 'migrations', 'bench', 'scripts', 'test/support', 'test/checks/corpus'];
const FILES = ['knexfile.ts', 'tsconfig.json', 'package.json', 'package-lock.json', 'migrations/superseded-checksums.json'];

function sourcesUnder(dir) {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true })
    .map((entry) => path.join(dir, String(entry)))
    .filter((file) => /\.(c|m)?(t|j)s$/.test(file));
}

function inputsFingerprint() {
  const hash = createHash('sha256');
  const files = [...SOURCE_DIRS.flatMap(sourcesUnder), ...FILES].sort();
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(existsSync(full) ? readFileSync(full) : 'absent');
    hash.update('\0');
  }
  return hash.digest('hex');
}

if (process.argv.includes('--record')) {
  writeFileSync(STAMP, `${inputsFingerprint()}\n`);
} else {
  const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (built !== inputsFingerprint()) {
    const npm = process.env.npm_execpath;
    const run = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit', cwd: root }) : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
    process.exitCode = run.status ?? 1;
  }
}
