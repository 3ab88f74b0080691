/** The test run's embedded PostgreSQL: a throwaway cluster, without fsync (its data is never kept). */
import { startThrowawayServer } from './throwaway-server';

export async function startEmbeddedTestServer() {
  const server = await startThrowawayServer({ label: 'test', settings: { fsync: 'off' } });
  return { url: server.url, kind: `embedded-postgres (port ${server.port})`, stop: server.stop };
}
