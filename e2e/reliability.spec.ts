// Absurd settings in the UI (issue 9): the host refuses them before any work starts and the panel
// shows its message; no run appears. The same checks through the host API and the CLI are in
// src-main/reliability/absurdSettings.spec.ts.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('negative dt, 1e9 steps, 0 epochs and a negative learning rate are refused with a message, nothing starts', async ({ host, browserInstance }) => {
  const page = await browserInstance.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('frame-list').getByText('9', { exact: true }).first().click();
  await page.getByTestId('tab-simulate').click();
  await page.getByTestId('integrator-select').selectOption('nve');
  await page.getByTestId('md-dtFs').fill('-1');
  await page.getByTestId('md-steps').fill('100');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('sim-message')).toContainText('time step must be > 0 fs, got -1');
  await page.screenshot({ path: join(SHOTS, 'refused-negative-dt.png') });
  await page.getByTestId('md-dtFs').fill('1');
  await page.getByTestId('md-steps').fill('1000000000');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('sim-message')).toContainText('steps');
  await expect(page.getByTestId('run-state')).toHaveCount(0);

  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-epochs').fill('0');
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('train-message')).toContainText('epochs must be an integer between 1 and 1e6, got 0');
  await page.getByTestId('train-epochs').fill('5');
  await page.getByTestId('train-lr').fill('-0.001');
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('train-message')).toContainText('learning rate must be a finite number in (0, 10), got -0.001');
  await page.screenshot({ path: join(SHOTS, 'refused-training-settings.png') });
  await page.close();
});
