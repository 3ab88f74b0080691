/**
 * What the stock knex CLI finds first (it looks for knexfile.js before
 * knexfile.ts): loads knexfile.ts through tsx, so that `npx knex migrate:*`
 * works as docs/knex-interop.md says, with or without NODE_OPTIONS='--import tsx'.
 * Without tsx (an install without dev dependencies) it fails with one line
 * naming the fix, instead of knex's "Failed to load external module
 * ts-node/register ... SyntaxError".
 */
'use strict';

// Already loadable when knex runs under `--import tsx` (or another TypeScript loader).
if (!require.extensions['.ts']) {
  try {
    require('tsx/cjs');
  } catch {
    throw new Error(
      "knexfile.ts needs tsx to load, and tsx is not installed: run `npm install` (tsx is a dev dependency), or run knex under another TypeScript loader (NODE_OPTIONS='--import <loader>').",
    );
  }
}
module.exports = require('./knexfile.ts');
