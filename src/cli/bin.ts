#!/usr/bin/env node
/**
 * The `konstruct-migrate` executable: runs the bundled CLI (main.js, see
 * scripts/bundle-cli.ts) from V8's code cache.
 *
 * Why: Node compiles a script's functions from source on every start, ~50 ms of
 * each command for the CLI with knex and pg. V8 can serialise what it compiled
 * and take it back next time; Node >= 22 offers that as
 * module.enableCompileCache(), Node 20 only through vm.Script, which is used here.
 *
 * A command line that asks for help or the version goes first to a bundle of the
 * program's definitions alone (help-entry.ts), a tenth of the size, and comes here
 * only when it turns out to be something else.
 *
 * The cache is a file per bundle content, Node version and architecture under
 * the package's .cache/ folder, written once by the first command that talks to
 * a database (so it holds knex and pg compiled too). It is only an optimisation:
 * V8 checks and refuses a cache that does not fit (then the source is compiled
 * as usual), any file error is ignored, and KONSTRUCT_CODE_CACHE=off turns it off.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const BUNDLE = path.join(__dirname, 'main.js');
const HELP_BUNDLE = path.join(__dirname, 'help-entry.js');
/** Words that ask for help or the version; any other command line goes straight to the whole CLI. */
const HELP_WORDS = new Set(['-h', '--help', 'help', '-V', '--version']);
const CACHE_DIR = path.resolve(__dirname, '..', '..', '..', '.cache');
/** Commands that load knex and pg: only their runs write the cache. */
const CONNECTING_COMMANDS = new Set(['up', 'down', 'status', 'verify', 'baseline', 'wait']);

/**
 * Runs the bundle, from the code cache when there is one. The bundle's text is already the function a module is
 * wrapped in (scripts/bundle-cli.ts), so it is compiled as read, without another copy of 1.3 MB.
 */
function runBundle(): void {
  const bytes = readFileSync(BUNDLE);
  const cached = process.env.KONSTRUCT_CODE_CACHE === 'off' ? undefined : codeCacheFor(bytes);
  const source = bytes.toString('utf8');
  // The bundle's bytes are garbage once decoded: the cache is read into the same, already touched, memory when it
  // fits. A fresh page costs ~19 µs on the 2-core CI machine, and this saves ~290 of them (perf stat).
  const cachedData = cached && readCache(cached.file, bytes);
  // No import() in here: the bundle has none (src/esm-import.ts is kept outside it), and
  // on Node 20 import() fails in code restored from a cache.
  const script = new vm.Script(source, { filename: BUNDLE, cachedData });

  // Any argument naming such a command (the first bare word may be an option's value: --url <url> up).
  const connects = process.argv.slice(2).some((arg) => CONNECTING_COMMANDS.has(arg));
  if (cached && (!cachedData || script.cachedDataRejected) && connects) {
    process.once('exit', () => saveCache(cached.file, script));
  }

  const mod = new Module(BUNDLE);
  mod.filename = BUNDLE;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, createRequire(BUNDLE), mod, BUNDLE, __dirname);
}

/** The cache file of this bundle's content, Node version and architecture. */
function codeCacheFor(bytes: Buffer): { file: string } {
  // Hashed as read: hashing the decoded string cost ~7 ms more (its UTF-8 encoding again).
  const key = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { file: path.join(CACHE_DIR, `cli-${key}-node${process.version}-${process.arch}.bin`) };
}

/** The cache file's bytes, in `spare` when they fit; undefined when there is none (first run of this build). */
function readCache(file: string, spare: Buffer): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const into = size <= spare.length ? spare.subarray(0, size) : Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, into, done, size - done, done);
      if (n === 0) return undefined; // shortened meanwhile: compiled as usual, and written again
      done += n;
    }
    return into;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Written whole under a temporary name and renamed, so concurrent runs never read
 * half a file. Caches of earlier builds are removed: a checkout rebuilt often
 * would otherwise collect one (~1 MB) per build.
 */
function saveCache(cacheFile: string, script: vm.Script): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
    for (const entry of readdirSync(CACHE_DIR)) {
      if (entry.startsWith('cli-') && entry.endsWith('.bin') && entry !== path.basename(cacheFile)) rmSync(path.join(CACHE_DIR, entry), { force: true });
    }
  } catch {
    /* a read-only install runs without the cache */
  }
}

function answeredHelpOrVersion(): boolean {
  if (!process.argv.slice(2).some((arg) => HELP_WORDS.has(arg))) return false;
  return (require(HELP_BUNDLE) as typeof import('./help-entry')).answerHelpOrVersion(process.argv);
}

if (!answeredHelpOrVersion()) runBundle();
