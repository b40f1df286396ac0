// End-to-end tests: the real UI in browser mode (always, when a Chromium is found) and in Electron
// (when its binary is installed). See e2e/fixtures.ts for how the host and browser are started.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'out/e2e-results',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: 'out/test-results/playwright.json' }]],
});
