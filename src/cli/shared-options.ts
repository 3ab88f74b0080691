/**
 * Options that several commands take, worded once so that every --help says
 * the same thing about them. A new command takes these rather than its own copy.
 */
import { Option } from 'commander';

/** --json: the envelope of json-output.ts, the same for every command. */
export function jsonOption(): Option {
  return new Option('--json', 'print one JSON document on stdout, whatever the outcome; text for people goes to stderr');
}

/** An option naming a migration, accepted as its full name or its number. */
export function migrationOption(flags: string, description: string): Option {
  return new Option(flags, `${description} (name or number, e.g. 005)`);
}
