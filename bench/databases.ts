/**
 * The benchmark's databases on one server: created from templates so that every
 * measured run starts from byte-identical data, and always dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface RelationSize {
  /** pg_total_relation_size: heap, indexes and TOAST. */
  total: number;
  /** pg_relation_size: the heap alone. */
  heap: number;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function connect(url: string, applicationName = 'konstruct-migrate bench'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  // A connection lost while idle (the server stopping on Ctrl-C, a dropped database) would otherwise
  // be an uncaught 'error' event that kills the process before it cleans up; a query on it still fails.
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates and drops databases named `kbench_<purpose>_<random>` through an admin connection. */
export class DatabaseFactory {
  private readonly created = new Set<string>();

  private constructor(
    readonly adminUrl: string,
    private readonly admin: pg.Client,
    private readonly serverVersionNum: number,
  ) {}

  static async open(adminUrl: string): Promise<DatabaseFactory> {
    const admin = await connect(adminUrl);
    const { rows } = await admin.query(`SELECT current_setting('server_version_num')::int AS v`);
    return new DatabaseFactory(adminUrl, admin, rows[0].v);
  }

  /** An empty database, or a copy of `template` (which must have no open connections). */
  async create(purpose: string, template?: string): Promise<string> {
    const name = `kbench_${purpose}_${randomBytes(3).toString('hex')}`;
    // FILE_COPY (the only strategy before 15) copies files after a checkpoint: fast for large
    // templates, and the measured run does not inherit the copy's dirty buffers.
    const from = template ? ` TEMPLATE ${template}${this.serverVersionNum >= 150000 ? ' STRATEGY FILE_COPY' : ''}` : '';
    await this.admin.query(`CREATE DATABASE ${name}${from}`);
    this.created.add(name);
    return name;
  }

  url(database: string): string {
    return databaseUrl(this.adminUrl, database);
  }

  async drop(database: string): Promise<void> {
    await this.admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    this.created.delete(database);
  }

  /** Drops every database this factory made that is still there, then disconnects. */
  async close(): Promise<void> {
    for (const database of [...this.created]) await this.drop(database).catch(() => {});
    await this.admin.end();
  }
}

export async function portalUsersSize(client: pg.Client): Promise<RelationSize> {
  const { rows } = await client.query(
    `SELECT pg_total_relation_size('portal_users') AS total, pg_relation_size('portal_users') AS heap`,
  );
  return { total: Number(rows[0].total), heap: Number(rows[0].heap) };
}
