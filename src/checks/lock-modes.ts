/** PostgreSQL's table lock modes and what each keeps the application from doing while it is held. */

/** Weakest first: each conflicts with more of the others than the one before. */
const MODES = [
  'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
  'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
];

export const strength = (mode: string): number => MODES.indexOf(mode);

/** The strongest of `modes`, or undefined when there is none. */
export function strongest(modes: string[]): string | undefined {
  return [...modes].sort((a, b) => strength(b) - strength(a))[0];
}

/** What the application cannot do on the table while `mode` is held: ShareLock and up block writes; ACCESS EXCLUSIVE reads too. */
export function blockedBy(mode: string): 'reads and writes' | 'writes' | null {
  if (mode === 'AccessExclusiveLock') return 'reads and writes';
  return strength(mode) >= strength('ShareLock') ? 'writes' : null;
}

/** The strongest lock the statement's transaction holds on `table` (see ObservedStatement.held). */
export function heldOn(statement: { held: Array<{ table: string; mode: string }> | null }, table: string): string | undefined {
  return statement.held?.find((l) => l.table === table)?.mode;
}
