/**
 * The README and docs/ as a newcomer meets them: the README is short, in the
 * promised order, with a table of contents; every relative link (and #anchor)
 * leads somewhere; the project layout in docs/development.md is true; the
 * performance lines are the ones the benchmark's last results render.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeBlock } from '../../bench/readme-block';
import { headingAnchors, linkTargets } from '../bench/markup-checks';
import { REPO_ROOT } from '../support/spec-files';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const DOCS = readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const README = read('README.md');

/** Every relative link of `file` that leads nowhere: a missing file, or an anchor no heading of the target has. */
function brokenLinks(file: string): string[] {
  return linkTargets(read(file))
    .filter((target) => !/^[a-z]+:/i.test(target))
    .filter((target) => {
      const [pathPart, anchor] = target.split('#') as [string, string | undefined];
      const resolved = pathPart ? path.normalize(path.join(path.dirname(file), decodeURIComponent(pathPart))) : file;
      if (!existsSync(path.join(REPO_ROOT, resolved))) return true;
      if (anchor === undefined || !resolved.endsWith('.md')) return false;
      return !headingAnchors(read(resolved)).includes(anchor);
    });
}

describe('the README', () => {
  it('is at most 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('has its sections in the promised order, each in the table of contents', () => {
    const sections = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual([
      'What it is, and who it is for',
      'Quick start',
      'Everyday workflow',
      'Commands',
      'Configuration',
      'Exit codes',
      'In CI',
      'Using it from a service',
      'Performance',
      'Documentation',
    ]);
    const contents = README.slice(0, README.indexOf('\n## '));
    expect([...contents.matchAll(/^- \[(.+)\]\(#(.+)\)$/gm)].map((m) => m[1])).toEqual(sections);
  });

  it('links every document in docs/', () => {
    const linked = new Set(linkTargets(README).map((t) => t.split('#')[0]));
    expect(DOCS.filter((doc) => !linked.has(doc))).toEqual([]);
  });

  it("quotes the benchmark's last results as the benchmark renders them", () => {
    const results = JSON.parse(read('bench/results/results.json'));
    const block = README.slice(README.indexOf('<!-- bench:results:start -->\n') + 29, README.indexOf('\n<!-- bench:results:end -->'));
    expect(block).toBe(readmeBlock(results, 'bench/results/RESULTS.md'));
    // A headline, four lines of results, and one of the rollout scenarios when the run measured any: short.
    expect(block.split('\n')).toHaveLength(results.scenarios ? 6 : 5);
  });
});

describe('links', () => {
  it.each(['README.md', ...DOCS])('of %s all lead somewhere', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('are found, anchors included, so a broken one is reported', () => {
    expect(linkTargets('[a](docs/x.md#y) `[b](not-a-link)` ![c](img.svg)\n```\n[d](in-code)\n```\n')).toEqual(['docs/x.md#y', 'img.svg']);
    expect(headingAnchors('## Checking for schema drift (`verify`)\n## The URL, and waiting\n## Tests\n## Tests')).toEqual([
      'checking-for-schema-drift-verify',
      'the-url-and-waiting',
      'tests',
      'tests-1',
    ]);
  });
});

describe('the project layout in docs/development.md', () => {
  const block = read('docs/development.md').split('## Project layout')[1]!.split('```')[1]!;
  const entries = block.trim().split('\n').map((line) => /^(\S+)\s+(.*)$/.exec(line)!.slice(1) as [string, string]);

  it('names only paths that exist', () => {
    expect(entries.map(([p]) => p).filter((p) => !existsSync(path.join(REPO_ROOT, p)))).toEqual([]);
  });

  it('names every top-level folder, every folder of src/ and every file directly in src/', () => {
    const listed = entries.map(([p]) => p.replace(/\/$/, ''));
    const isFolder = (p: string) => statSync(path.join(REPO_ROOT, p)).isDirectory();
    const notInGit = new Set(['node_modules', 'dist', 'coverage', '.git', '.cache', '.konstruct']);
    const topLevel = readdirSync(REPO_ROOT).filter((e) => !notInGit.has(e) && isFolder(e));
    const srcFolders = readdirSync(path.join(REPO_ROOT, 'src')).filter((e) => isFolder(`src/${e}`)).map((e) => `src/${e}`);
    expect([...topLevel, ...srcFolders].filter((p) => !listed.some((l) => l === p || l.startsWith(`${p}/`)))).toEqual([]);

    const srcLine = entries.find(([p]) => p === 'src/')![1];
    const srcFiles = readdirSync(path.join(REPO_ROOT, 'src')).filter((e) => !isFolder(`src/${e}`));
    expect(srcFiles.filter((f) => !srcLine.includes(f))).toEqual([]);
  });
});
