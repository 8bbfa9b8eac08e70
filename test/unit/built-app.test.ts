// The hardening as it is in the built code, not only in the source.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const out = join(process.cwd(), 'out');

describe('the built app', () => {
  const main = () => readFileSync(join(out, 'main/index.js'), 'utf8');

  it('is built (npm test runs npm run build:app first)', () => {
    for (const file of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) assert.ok(existsSync(join(out, file)), `out/${file} is missing`);
  });

  it('creates windows isolated, sandboxed and without Node', () => {
    const code = main();
    assert.match(code, /contextIsolation:\s*true/);
    assert.match(code, /sandbox:\s*true/);
    assert.match(code, /nodeIntegration:\s*false/);
    assert.match(code, /webSecurity:\s*true/);
    assert.doesNotMatch(code, /nodeIntegration:\s*true|contextIsolation:\s*false|sandbox:\s*false|webSecurity:\s*false/);
  });

  it('denies new windows, navigation away, webviews and permission requests', () => {
    const code = main();
    assert.match(code, /setWindowOpenHandler\(\(\) => \(\{ action: "deny" \}\)\)/);
    assert.match(code, /"will-navigate"/);
    assert.match(code, /"will-attach-webview"/);
    assert.match(code, /setPermissionRequestHandler\(\([^)]*\) => callback\(false\)\)/);
    assert.match(code, /setPermissionCheckHandler\(\(\) => false\)/);
  });

  it('checks the sender frame of every IPC call', () => {
    assert.match(main(), /isTrustedSender\(event\.senderFrame\?\.url, pages\)/);
  });

  it('keeps keytar a real module and bundles the rest', () => {
    const code = main();
    assert.match(code, /from "keytar"|import\("keytar"\)|require\("keytar"\)/);
    assert.doesNotMatch(code, /from "axios"|from "ws"|from "zod"/);
  });

  it('exposes only window.latch from a CommonJS preload, never ipcRenderer itself', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    assert.match(preload, /exposeInMainWorld\("latch"/);
    assert.doesNotMatch(preload, /exposeInMainWorld\("ipcRenderer"/);
  });

  it('ships a strict Content-Security-Policy: no remote scripts, no eval, no network from the page', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:/);
    const scripts = readdirSync(join(out, 'renderer/assets')).filter((f) => f.endsWith('.js'));
    for (const file of scripts) assert.doesNotMatch(readFileSync(join(out, 'renderer/assets', file), 'utf8'), /\beval\(/, file);
  });

  it('ships no source maps', () => {
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [e.name]));
    assert.deepEqual(walk(out).filter((f) => f.endsWith('.map')), []);
  });
});
