/** The command an interrupted run names: the same scope and consent as the run it carries on, never the URL. */
import { expect, it } from 'vitest';
import { carryOnCommand } from '../../src/cli/carry-on-command';

it.each([
  ['up', ['up'], 'konstruct-migrate up'],
  ['up', ['up', '--expand', '--batch-size', '100'], 'konstruct-migrate up --expand'],
  ['up', ['--url', 'postgres://u:S3cret@h/db', 'up', '--to=006', '-q'], 'konstruct-migrate up --to 006'],
  ['down', ['down', '--to-expanded'], 'konstruct-migrate down --to-expanded'],
  ['down', ['down', '--yes', '--json'], 'konstruct-migrate down --yes'],
  ['down', ['down', '--to', '005', '--yes'], 'konstruct-migrate down --to 005 --yes'],
  ['down', ['down', '--all', '--yes'], 'konstruct-migrate down --all --yes'],
  ['complete', ['complete', '--force', '--drain-window', '0'], 'konstruct-migrate complete'],
  ['down', ['--schema', 'tenant one', 'down', '--to-expanded'], "konstruct-migrate --schema 'tenant one' down --to-expanded"],
  ['up', ['up', '--schema=t1', '--expand'], 'konstruct-migrate --schema t1 up --expand'],
])('%s %j: %s', (command, args, expected) => {
  expect(carryOnCommand(command, args)).toBe(expected);
});
