import { defineConfig } from '@playwright/test';
import { chromiumPath } from './kit/chromium.js';

// Specs are TypeScript compiled by `tsc -b` with the rest of the tests; Playwright runs the output.
export default defineConfig({
  testDir: 'dist/test/e2e',
  testMatch: '**/*.spec.js',
  outputDir: 'test-results/playwright',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    ...(process.env.CI ? [] : [['html', { open: 'never', outputFolder: 'playwright-report' }] as const]),
    // scripts/run-tests.mjs reads the counts from here.
    ...(process.env.LATCH_PLAYWRIGHT_JSON ? [['json', { outputFile: process.env.LATCH_PLAYWRIGHT_JSON }] as const] : []),
  ],
  use: {
    viewport: { width: 800, height: 600 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath() ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
