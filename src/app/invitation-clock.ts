/**
 * Which clock an invitation's times come from.
 *
 * The database's, unless the caller passes `now`: every helper has a database at
 * hand, and one clock for writing `expires_at` and for comparing it keeps service
 * instances whose clocks drift apart from shortening or stretching the 48 hours.
 * An explicit `now` (tests, replays) is used for both instead.
 */
import { types } from 'node:util';
import type { Knex } from 'knex';
import { ConfigError } from '../errors';

/**
 * `now` if it is a usable time, undefined when left out (or null). A Date that holds
 * no time (`new Date('x')`) would turn every comparison with it false, so that
 * `expires_at <= now` never says expired: refused instead.
 *
 * Why ConfigError, like a short INVITE_SECRET, and not zod's ZodError like a bad
 * `input`: `now` comes from the application's code, never from the invitee. A
 * service typically shows a ZodError as a form error to the person it is inviting;
 * this one must surface as the programming error it is.
 */
export function explicitNow(now: unknown): Date | undefined {
  if (now === undefined || now === null) return undefined;
  if (types.isDate(now) && !Number.isNaN(now.getTime())) return now;
  throw new ConfigError(
    'The invitation option `now` is not a valid Date.',
    "Pass a Date that holds a time, or leave `now` out so that the database's clock decides.",
  );
}

/**
 * The time as SQL: `now` if given, else the database's statement_timestamp(). Not
 * now(), which is the transaction's start: inside a caller's long transaction that
 * would date an invitation, or judge its expiry, minutes in the past.
 */
export function clockSql(db: Knex, now: Date | undefined): Knex.Raw {
  return now ? db.raw('?::timestamptz', [now]) : db.raw('statement_timestamp()');
}
