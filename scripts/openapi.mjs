// Writes docs/openapi.json from the route table (shared/routes.ts): run after a change to the API.
// `npm run openapi` (`-- --out <file>` writes elsewhere); a test holds the file equal to what the server
// serves at GET /v1/openapi.json.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openApiDocument } from '../dist/shared/openapi.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const file = values.out ? resolve(values.out) : new URL('../docs/openapi.json', import.meta.url);
const document = openApiDocument();
writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${values.out ?? 'docs/openapi.json'} (${Object.keys(document.paths).length} paths)`);
