/** A connection of one application version, named as a deployment would name it (application_name). */
import { Client } from 'pg';

export async function connectAppVersion(url: string, applicationName: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  return client;
}
