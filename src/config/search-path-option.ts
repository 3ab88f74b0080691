/**
 * A search_path set through the server's startup options (`?options=-c
 * search_path=other,public` in the URL, or PGOPTIONS, which node-postgres reads
 * when the URL has none) would move the history tables and every unqualified
 * name to another schema, unchecked: `status` sees nothing there and `up`
 * applies every migration again. --schema is the one way to choose a schema
 * (checked to exist, refused through a transaction pooler), so this is refused.
 */

/** `-c search_path=...`, `-csearch_path=...` or `--search_path=...`, in any case. */
const SETS_SEARCH_PATH = /(?:^|\s)(?:-c\s*|--)search_path\s*=/i;

export function setsSearchPath(options: string | undefined): boolean {
  return options !== undefined && SETS_SEARCH_PATH.test(options);
}

export const SEARCH_PATH_IN_OPTIONS = 'sets search_path, which would move the history and the migrations to another schema unchecked';
export const SEARCH_PATH_HINT = 'Remove search_path from it and give the schema with --schema (or KONSTRUCT_SCHEMA), which is checked and used by every connection.';
