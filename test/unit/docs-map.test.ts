// docs/architecture.md is the map (at most 250 lines) and docs/design/ the deep dives: every citation of a
// section in the code and docs names a heading the map has, and every deep dive it links to exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../../..', import.meta.url).pathname;
const map = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
const headings = new Set([...map.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!));
const SKIP = new Set(['node_modules', 'dist', 'out', 'release', '.git', 'test-results', 'playwright-report']);

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|js|mjs|md)$/.test(name)) yield path;
  }
}

describe('the architecture map', () => {
  it('stays a map: at most 250 lines', () => {
    assert.ok(map.split('\n').length <= 250, `docs/architecture.md has ${map.split('\n').length} lines`);
  });

  it('has every section the code and docs cite, and every deep dive it links to', () => {
    const missing: string[] = [];
    for (const file of sources(root)) {
      const text = readFileSync(file, 'utf8');
      // A citation may break across a comment's lines: `(docs/architecture.md,\n// "Mail")`.
      for (const m of text.matchAll(/docs\/architecture\.md,[\s/*]*["“]([^"”]+)["”]/g)) {
        const section = m[1]!.replace(/\s*\n\s*(\/\/|\*)?\s*/g, ' ').replace(/\\'/g, "'");
        if (!headings.has(section)) missing.push(`${file.slice(root.length)}: "${section}"`);
      }
    }
    assert.deepEqual(missing, []);
    const links = [...map.matchAll(/\]\((design\/[^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length >= 10);
    for (const link of links) assert.ok(existsSync(join(root, 'docs', link)), `docs/${link} is linked from the map`);
  });
});
