/**
 * Every knex instance the tool makes, so that all of them report a failing
 * statement the same way: PostgreSQL's message as the error's message, the SQL
 * with placeholders kept apart (statement-errors.ts), never the values bound
 * to it. `check`'s throwaway copy once made its own and printed the statement in
 * front of the message where `up` did not.
 *
 * knex is loaded here, not at the top of a module: it is the CLI's heaviest
 * (~0.1 s), and --help, --version and `new` never connect.
 */
import type { Knex } from 'knex';
import { keepStatementApart } from './statement-errors';

export async function createKnex(config: Knex.Config): Promise<Knex> {
  const { default: knexFactory } = await import('knex');
  // compileSqlOnError off: knex then prefixes exactly the SQL it sent, which keepStatementApart takes off again.
  const knex = knexFactory({ ...config, compileSqlOnError: false });
  keepStatementApart(knex);
  return knex;
}
