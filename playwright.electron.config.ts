import { defineConfig } from '@playwright/test';

// Testing layer 5: the real Electron app, where an Electron binary is installed.
export default defineConfig({
  testDir: 'dist/test/e2e-electron',
  testMatch: '**/*.spec.js',
  outputDir: 'test-results/electron',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ...(process.env.LATCH_PLAYWRIGHT_JSON ? [['json', { outputFile: process.env.LATCH_PLAYWRIGHT_JSON }] as const] : [])],
});
