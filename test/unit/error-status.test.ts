// Each error code comes with one status (shared/api.ts, ERROR_STATUS), which the OpenAPI document
// lists it under (docs/architecture.md, "The HTTP contract"). Every place the server pairs a status
// with a code is read here and held to that table, so the document cannot list a code under a status
// the server never sends it with.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ERROR_STATUS, ErrorCode } from '../../shared/api.js';

const root = new URL('../../..', import.meta.url).pathname;
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

/** `new ApiError(403, 'forbidden'`, `[413, 'payload_too_large'` and `414: ['bad_request'`: a status beside a code. */
const PAIR = /(?:new ApiError\(|\[)(\d{3}), '([a-z_]+)'|(\d{3}): \['([a-z_]+)'/g;

it('every status the server gives an error code is the status shared/api.ts gives it (bad_request also 414)', () => {
  const pairs: Array<{ file: string; status: number; code: string }> = [];
  for (const file of sources('server')) {
    for (const match of readFileSync(join(root, file), 'utf8').matchAll(PAIR)) {
      pairs.push({ file, status: Number(match[1] ?? match[3]), code: match[2] ?? match[4]! });
    }
  }
  assert.ok(pairs.length > 40, `found ${pairs.length} pairs: the pattern still reads the server`);
  for (const { file, status, code } of pairs) {
    assert.ok(ErrorCode.options.includes(code as ErrorCode), `${file}: ${code} is an error code`);
    if (code === 'bad_request' && status === 414) continue;
    assert.equal(status, ERROR_STATUS[code as ErrorCode], `${file}: ${code} with ${status}`);
  }
});
