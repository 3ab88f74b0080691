/**
 * The import graph of src/ runs one way, top to bottom through the layers
 * below (docs/development.md#layers), and has no cycle. A file may import files
 * of its own layer and of any layer below it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, readImportGraph, relativeImports, upwardImports, type ImportGraph } from '../support/import-graph';
import { REPO_ROOT } from '../support/spec-files';

/** Top first. A folder of src/, or a file directly in src/. */
export const LAYERS = [
  ['cli', 'index.ts'],
  ['commands'],
  ['checks'],
  ['engine'],
  ['drain'],
  ['context.ts', 'open-embedded-server.ts'],
  ['model'],
  ['operations'],
  ['phased'],
  ['catalog', 'app'],
  ['config'],
  ['history'],
  ['db'],
  ['errors.ts', 'exit-codes.ts', 'esm-import.ts'],
] as const;

describe('the import graph of src/', () => {
  const graph = readImportGraph(path.join(REPO_ROOT, 'src'));

  it('is read from the sources', () => {
    expect(graph.get('engine/lock-retry.ts')).toContain('db/backoff.ts');
    expect(graph.get('commands/up.ts')).toContain('engine/run-migration.ts');
  });

  it('never imports upward, nor into a folder the layers do not name', () => {
    expect(upwardImports(graph, LAYERS)).toEqual([]);
  });

  it('has no cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find every form of relative import, and nothing else', () => {
    const source = [
      `import type { A } from '../model/migration';`,
      `import { b,\n  c } from "./b";`,
      `export { d } from '../d';`,
      `export * from './e';`,
      `import './side-effect';`,
      `const f = await import('../f');`,
      `const g = require('./g');`,
      `import knex from 'knex';`,
      `// import { h } from './commented-out';`,
      `/* import { i } from './in-a-block-comment'; */`,
      'const template = `import type { PhasedStep } from "../src/phased/phased-migration";`;',
    ].join('\n');
    expect(relativeImports(source)).toEqual(['../model/migration', './b', '../d', './e', './side-effect', '../f', './g']);
  });

  it('report an upward import, an unlisted folder and a cycle', () => {
    const graph: ImportGraph = new Map([
      ['engine/a.ts', ['db/b.ts']],
      ['db/b.ts', ['engine/a.ts']],
      ['stray/c.ts', ['errors.ts']],
      ['errors.ts', []],
    ]);
    expect(upwardImports(graph, [['engine'], ['db'], ['errors.ts']])).toEqual(['db/b.ts -> engine/a.ts', 'stray/c.ts -> errors.ts']);
    expect(importCycles(graph)).toEqual([['db/b.ts', 'engine/a.ts']]);
  });
});
