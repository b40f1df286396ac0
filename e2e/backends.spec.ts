// The Train panel's backend picker, end to end: it lists the backends the training worker has
// (tensorflow, webgpu with the adapter's name or why it is missing, wasm, cpu), measures steps/s
// of the chosen model on each, and the chosen backend is the one the run reports.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('backend picker lists this machine\'s backends and measures steps/s', async ({ host, browserInstance }) => {
  test.setTimeout(240_000);
  const page = await browserInstance.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('tab-train').click();
  const table = page.getByTestId('backend-table');
  await expect(table.locator('tr')).toHaveCount(4, { timeout: 90_000 });
  for (const b of ['tensorflow', 'webgpu', 'wasm', 'cpu']) await expect(table.locator(`tr[data-backend="${b}"]`)).toBeVisible();
  // wasm and cpu are always there; webgpu names its adapter or says why it is missing
  await expect(page.getByTestId('train-backend').locator('option[value="wasm"]')).toBeEnabled();
  const webgpu = table.locator('tr[data-backend="webgpu"]');
  const webgpuOn = !(await webgpu.getAttribute('class'))?.includes('off');
  if (!webgpuOn) {
    await expect(webgpu).toContainText(/no WebGPU adapter|not available/);
    await expect(page.getByTestId('train-backend').locator('option[value="webgpu"]')).toBeDisabled();
  }
  await page.getByTestId('model-type').selectOption('bpnn');
  await page.getByTestId('probe-backends').click();
  await expect(table.locator('tr[data-backend="wasm"] td.num')).toHaveText(/\d+(\.\d)? steps\/s/, { timeout: 180_000 });
  await expect(table.locator('tr[data-backend="cpu"] td.num')).toHaveText(/\d+(\.\d)? steps\/s/);
  await expect(table.locator('tr.best')).toHaveCount(1);
  await page.getByTestId('train-backend').selectOption('wasm');
  await expect(page.getByTestId('train-backend').locator('option[value="wasm"]')).toContainText('steps/s');
  await page.getByTestId('backend-picker').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'train-backends.png') });
  await page.close();
});
