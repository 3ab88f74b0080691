/**
 * The imports between the files of src/, read from the sources (every
 * `import`/`export ... from`, `import()` and `require()` of a relative path;
 * type-only imports count too: they are knowledge of the other layer all the
 * same), and the two ways that graph can go wrong: an import upward through the
 * layers, and a cycle. No dependency: the TypeScript 7 compiler has no
 * JavaScript API to ask, and a regular expression over our own consistent
 * sources finds every relative import (the test of this file proves it on examples).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** file (relative to src/, e.g. `engine/run-steps.ts`) -> the files it imports. */
export type ImportGraph = Map<string, string[]>;

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

/** Comments, and template literals (migration-template.ts writes imports as text). */
const NOT_CODE = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$|`(?:\\[\s\S]|[^`\\])*`/gm;

/** The relative specifiers a source imports, in order. */
export function relativeImports(source: string): string[] {
  return [...source.replace(NOT_CODE, '').matchAll(IMPORT)].map((m) => m[1]!);
}

export function readImportGraph(srcDir: string): ImportGraph {
  const files = listTs(srcDir);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = relativeImports(readFileSync(path.join(srcDir, file), 'utf8')).map((spec) => resolve(file, spec, known));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function listTs(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir)).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry}` : entry;
    if (statSync(path.join(root, rel)).isDirectory()) return listTs(root, rel);
    return /\.ts$/.test(entry) && !entry.endsWith('.d.ts') ? [rel] : [];
  });
}

/** `../db/backoff` from `engine/lock-retry.ts` -> `db/backoff.ts`; outside src/ it stays as written (`../../migrations/x`). */
function resolve(from: string, spec: string, known: Set<string>): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  // A dynamic import() names the compiled file: `./status.js` is `./status.ts`.
  for (const candidate of [joined, `${joined}.ts`, `${joined}/index.ts`, joined.replace(/\.js$/, '.ts')]) if (known.has(candidate)) return candidate;
  return joined;
}

/** The layer of a file: its folder under src/, or its own name for a file directly in src/. */
export function layerOf(file: string): string {
  return file.includes('/') ? file.split('/')[0]! : file;
}

/** `a -> b` for each import of a file into a layer that comes earlier in `layers` (top first), or into one not listed. */
export function upwardImports(graph: ImportGraph, layers: readonly (readonly string[])[]): string[] {
  const rank = new Map(layers.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const found: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const from = rank.get(layerOf(file));
      const to = rank.get(layerOf(target));
      if (from === undefined || to === undefined || to < from) found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

/** Every cycle of files, as the files of one strongly connected component (Tarjan), sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}
