/** The defaults of `check`'s options, apart from its code: --help shows them without loading it. */

/** Rows from which a finding refuses: from there, rewrites and index builds hold their lock for a noticeable time (docs/checking-migrations.md). */
export const DEFAULT_THRESHOLD_ROWS = 100_000;

/** Where --recorded and --record-sizes read and write, from the project root. */
export const DEFAULT_SIZES_FILE = 'schema/table-sizes.json';
