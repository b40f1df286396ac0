// Training from the UI, end to end: train a Behler-Parrinello model on the bundled example, watch
// the loss plot update, stop (keeping the best model), see parity plots, error table and model card,
// then use the model for MD.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('train a BP model from the UI, stop it, inspect it and run MD with it', async ({ host, browserInstance }) => {
  test.setTimeout(180_000);
  const page = await browserInstance.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('model-type').selectOption('bpnn');
  await page.getByTestId('train-epochs').fill('500');
  // Per-group loss weights: the bundled example's two Surface frames count 5x.
  await page.getByTestId('train-group-weights').locator('summary').click();
  await page.getByTestId('group-weight-Surface').fill('5');
  await page.getByTestId('train-stage').check(); // a final energy-weighted stage from 75 % of the epochs
  await page.screenshot({ path: join(SHOTS, 'train-settings.png') });
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('training-view')).toBeVisible();
  await expect(page.getByTestId('train-state')).toHaveText('running', { timeout: 60_000 });
  const epochOf = async () => Number(/epoch (\d+)/.exec((await page.getByTestId('train-epoch').textContent()) ?? '')?.[1] ?? 0);
  await expect.poll(epochOf, { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('loss-plot')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'train-running.png') });
  await page.getByTestId('stop-training').click();
  await expect(page.getByTestId('train-state')).toHaveText('stopped', { timeout: 60_000 });
  await expect(page.getByTestId('parity')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('model-card')).toContainText('parameters');
  await expect(page.getByTestId('model-card')).toContainText('config_type: Surface 5, others 1');
  await expect(page.getByTestId('error-table')).toContainText('Si');
  await page.screenshot({ path: join(SHOTS, 'train-finished.png'), fullPage: true });
  // The stopped run keeps a usable model: use it for a short NVE run.
  await page.getByTestId('use-in-md').click();
  await expect(page.getByTestId('potential-select')).toHaveValue(/^model:/);
  await page.getByTestId('md-steps').fill('20');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await page.close();
});

test('fit the GAP-style kernel model from the UI and run MD with it', async ({ host, browserInstance }) => {
  test.setTimeout(180_000);
  const page = await browserInstance.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('model-type').selectOption('kernel');
  await expect(page.getByTestId('cfg-sparsePoints')).toHaveValue('1000'); // the registry's defaults fill the form
  await page.getByTestId('cfg-sparsePoints').fill('300');
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('train-state')).toHaveText('finished', { timeout: 90_000 });
  await expect(page.getByTestId('train-epoch')).toHaveText(/closed-form fit/);
  await expect(page.getByTestId('closed-form-note')).toBeVisible();
  await expect(page.getByTestId('parity')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('model-card')).toContainText('Sparse kernel');
  await expect(page.getByTestId('model-card')).toContainText('closed form (one solve)');
  await expect(page.getByTestId('model-card')).toContainText('sparsePoints 300');
  await page.screenshot({ path: join(SHOTS, 'train-kernel.png'), fullPage: true });
  await page.getByTestId('use-in-md').click();
  await expect(page.getByTestId('potential-select')).toHaveValue(/^model:/);
  await page.getByTestId('md-steps').fill('20');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await page.close();
});
