// The server's folders as floors (eslint.config.js, docs/architecture.md "The server's folders"): lint refuses
// an import that runs back up or sideways, type-only ones included, and says why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });
async function floorProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe("the server's floors", () => {
  it('refuses an import of a folder above, with the folders it may import and where to read why', async () => {
    const [message, ...more] = await floorProblems('server/sessions/probe.ts', "import { AuthService } from '../auth/auth.service.js';\nexport const x = AuthService;\n");
    assert.equal(more.length, 0);
    assert.match(message!, /^'\.\.\/auth\/auth\.service\.js' import is restricted .* server\/sessions\/ may import only the folders on the floors below it \(common, config, metrics, events, storage, http, mail, passwords\)/);
    assert.match(message!, /docs\/architecture\.md, "The server's folders"/);
  });

  it('refuses a type-only import upward, an import of a folder on the same floor, and of the files above every floor', async () => {
    assert.equal((await floorProblems('server/storage/probe.ts', "import type { SessionsService } from '../sessions/sessions.service.js';\nexport type X = SessionsService;\n")).length, 1);
    assert.equal((await floorProblems('server/mail/probe.ts', "import { PasswordHasher } from '../passwords/passwords.js';\nexport const x = PasswordHasher;\n")).length, 1);
    assert.equal((await floorProblems('server/admin/probe.ts', "import { AppModule } from '../app.module.js';\nexport const x = AppModule;\n")).length, 1);
  });

  it('lets a folder import the floors below it', async () => {
    assert.deepEqual(await floorProblems('server/storage/probe.ts', "import { SessionEventBus } from '../events/bus.js';\nimport { CONFIG } from '../common/di-tokens.js';\nexport const x = [SessionEventBus, CONFIG];\n"), []);
  });
});
