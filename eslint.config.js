// Lint, and the layer matrix of docs/architecture.md (house rule 2) as a rule: a wrong import
// fails with a sentence that says which import is not allowed and why.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

// The server's folders as floors, from the ground up (docs/architecture.md, "The server's folders"): a folder
// imports only folders on floors below its own, so no import inside server/ runs back up and none loops.
const SERVER_FLOORS = [
  ['common'],
  ['config'],
  ['metrics'],
  ['events'],
  ['storage'],
  ['http', 'mail', 'passwords'],
  ['sessions'],
  ['approval'],
  ['authenticator', 'passkeys'],
  ['auth'],
  ['maintenance', 'realtime', 'web', 'health', 'admin'],
];
const unplaced = readdirSync(new URL('./server', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !SERVER_FLOORS.flat().includes(entry.name))
  .map((entry) => `server/${entry.name}/`);
if (unplaced.length > 0) throw new Error(`${unplaced.join(', ')} has no floor: add it to SERVER_FLOORS in eslint.config.js (docs/architecture.md, "The server's folders").`);
const serverFloors = SERVER_FLOORS.flatMap((floor, row) =>
  floor.map((folder) => {
    const below = SERVER_FLOORS.slice(0, row).flat();
    const barred = [...SERVER_FLOORS.slice(row + 1).flat(), ...floor.filter((other) => other !== folder)];
    return {
      files: [`server/${folder}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^\\.\\./((${barred.join('|')})/|(app|app\\.module|main)\\.js$)`,
                message:
                  `server/${folder}/ may import only the folders on the floors below it (${below.join(', ') || 'none'}): ` +
                  'an import of a folder beside it or above it (or of app.ts, app.module.ts or main.ts, above them all) runs back up ' +
                  'or makes a loop. Move what both need down a floor ' +
                  '(docs/architecture.md, "The server\'s folders").',
              },
            ],
          },
        ],
      },
    };
  }),
);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': 'error',
    },
  },
  layer(
    ['shared/**/*.ts'],
    [
      {
        regex: '^(?!zod$)(?!\\./)',
        message: 'shared/ is used by the server, the core and the renderer alike, so it depends on zod alone (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  // A folder of shared/ (a language in messages/, the client's session in session/) may import from the
  // shared/ folder just above it, and nothing further.
  layer(
    ['shared/*/*.ts'],
    [
      {
        regex: '^(?!zod$)(?!\\./)(?!\\.\\./[a-z-]+\\.js$)',
        message: 'shared/ is used by the server, the core and the renderer alike, so it depends on zod alone (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['server/**/*.ts'],
    [
      {
        regex: '(^|/)(electron|renderer|keytar)(/|$)',
        message: 'server/ imports only shared/ and itself: the server never depends on the desktop app (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  ...serverFloors,
  layer(
    ['electron/core/**/*.ts'],
    [
      {
        regex: '^electron$',
        message: "electron/core runs in plain Node and is tested without Electron, so it must not import 'electron' (docs/architecture.md, house rule 2).",
      },
      {
        regex: '(^|/)(server|renderer|main|preload)(/|$)',
        message: 'electron/core talks to the server over HTTP only and knows nothing of main, preload or the renderer (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['renderer/**/*.{ts,tsx}'],
    [
      {
        regex: '^(node:|electron$|keytar$|axios$|ws$)',
        message: 'renderer/ runs in a sandboxed page: it imports only shared/ and itself and reaches everything else through window.latch (docs/architecture.md, house rule 2).',
      },
      {
        regex: '(^|/)(server|electron)(/|$)',
        message: 'renderer/ imports only shared/ and itself; the core and main are reached through window.latch (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['electron/main/**/*.ts'],
    [
      {
        regex: '(^|/)(server|renderer|preload)(/|$)',
        message: 'electron/main is thin glue over electron/core and shared/: the server is reached over HTTP, the renderer and preload over IPC (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['electron/preload/**/*.ts'],
    [
      {
        regex: '^(node:|keytar$|axios$|ws$)',
        message: 'electron/preload runs sandboxed: it imports electron (contextBridge, ipcRenderer) and shared/ only (docs/architecture.md, house rule 2).',
      },
      {
        regex: '(^|/)(server|renderer|core|main)(/|$)',
        message: 'electron/preload exposes the IPC channels of shared/ipc.ts and nothing else (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['kit/**/*.ts'],
    [
      {
        regex: '(^|/)(server|electron|renderer|test|bench)(/|$)',
        message: 'kit/ is what tests and benchmarks share (an HTTP and WebSocket client, PostgreSQL): it imports shared/ and packages only (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  layer(
    ['bench/**/*.ts'],
    [
      {
        regex: '(^|/)(test|electron|renderer)(/|$)',
        message:
          'bench/ drives the server over HTTP and WebSocket with kit/; it never imports the tests or the desktop app (only bench/desktop/ runs electron/core, in a process of its own) (docs/architecture.md, house rule 2).',
      },
    ],
  ),
  // The same rule reached through bench/desktop/: its types may be shared, but loading it would run the core here.
  {
    files: ['bench/**/*.ts'],
    ignores: ['bench/desktop/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)desktop/',
              allowTypeImports: true,
              message:
                'bench/desktop/ is a process of its own (it runs electron/core): spawn it and import its types only, with `import type` (docs/architecture.md, "Benchmarks").',
            },
          ],
        },
      ],
    },
  },
  // Replaces the rule above for these files: the desktop start benchmark is the app's core in a process of its own.
  layer(
    ['bench/desktop/**/*.ts'],
    [
      {
        regex: '(^|/)(test|renderer|server)(/|$)',
        message:
          'bench/desktop/ runs the desktop core in its own process, as the app does: it imports electron/core, shared/ and kit/, never the tests, the renderer or the server (docs/architecture.md, "Benchmarks").',
      },
      {
        regex: '^electron$|(^|/)electron/(main|preload)(/|$)',
        message: 'bench/desktop/ runs electron/core in plain Node: never the electron package, electron/main or electron/preload (docs/architecture.md, "Benchmarks").',
      },
    ],
  ),
  layer(
    ['test/**/*.ts'],
    [
      {
        regex: '(^|/)bench(/|$)',
        message: 'test/ never imports bench/: benchmarks are not part of the test suite (docs/architecture.md, "Benchmarks").',
      },
    ],
  ),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'kit/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-console': 'off' },
  },
  { files: ['scripts/**/*.{js,mjs}', 'bench/**/*.mjs'], rules: { 'no-console': 'off' } },
);
