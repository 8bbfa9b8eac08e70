// Writes docs/openapi.json from the route table (shared/routes.ts): run after a change to the API.
// `npm run openapi`; a test holds the file equal to what the server serves at GET /v1/openapi.json.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/shared/openapi.js';

const file = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote docs/openapi.json (${Object.keys(openApiDocument().paths).length} paths)`);
