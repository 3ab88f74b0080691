/** What the list around an operation says about it: what an operation may refuse or leave out because of another. */
export interface ListContext {
  /** The indexes a createIndex of the same list makes. */
  indexesCreatedHere: ReadonlySet<string>;
  /** `table\u0000column` of the columns that exist only as a copy until contract, and why: renameColumn's `to`, a retyped column. */
  columnsReplacedHere: ReadonlyMap<string, string>;
}

/** An operation compiled on its own. */
export const NO_LIST: ListContext = { indexesCreatedHere: new Set(), columnsReplacedHere: new Map() };
