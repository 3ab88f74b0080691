/**
 * Runs a command the way a user or a pipeline does, and times it from spawn to
 * exit: process start, module loading, connecting and the work itself.
 */
import { spawn } from 'node:child_process';
import { PACKAGE_ROOT } from './project-files';

export interface TimedProcess {
  ms: number;
  stdout: string;
  stderr: string;
}

/** The caller's environment without anything that could point a child at another database (plus `extra`). */
export function environmentFor(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const isDatabaseSetting = (name: string) =>
    name === 'CI' || name === 'DATABASE_URL' || name.startsWith('PG') || name.startsWith('KONSTRUCT_');
  const kept = Object.entries(process.env).filter(([name]) => !isDatabaseSetting(name));
  return { ...Object.fromEntries(kept), ...extra, DATABASE_URL: databaseUrl };
}

/** Runs `node <args>`; a non-zero exit is an error that quotes the end of stderr. */
export function runNode(args: string[], databaseUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<TimedProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    env: environmentFor(databaseUrl, extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) return resolve({ ms, stdout, stderr });
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}: ${tail}`));
    });
  });
}
