// Audits and the drift diagnosis from the UI, end to end, on the bundled example with the bundled
// Stillinger-Weber potential: the symmetry audit passes, the elastic constants of an Elastic frame
// come out (SW Si: C11 ≈ 151 GPa), and the drift study separates integration error from force errors.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('symmetry audit and elastic constants from the UI', async ({ host, browserInstance }) => {
  test.setTimeout(150_000);
  const page = await browserInstance.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('tab-audit').click();
  await expect(page.getByTestId('audit-potential')).toHaveValue(/bundled:sw/);
  await page.getByTestId('audit-kind').selectOption('symmetry');
  await page.getByTestId('run-audit').click();
  await expect(page.getByTestId('audit-verdict')).toContainText('PASS', { timeout: 60_000 });
  // Elastic constants of an Elastic-group frame (a strained diamond cell).
  await page.getByTestId('dataset-panel').getByRole('button', { name: /Elastic/ }).click();
  await page.getByTestId('frame-list').locator('.row').first().click();
  await page.getByTestId('audit-kind').selectOption('elastic');
  await page.getByTestId('run-audit').click();
  await expect(page.getByTestId('elastic-matrix')).toBeVisible({ timeout: 90_000 });
  const c11 = Number((await page.getByTestId('elastic-matrix').locator('tr').nth(1).locator('td').first().textContent()) ?? 0);
  expect(c11).toBeGreaterThan(140);
  expect(c11).toBeLessThan(160);
  await expect(page.getByTestId('bulk-modulus')).toContainText('GPa');
  await page.screenshot({ path: join(SHOTS, 'audit-elastic.png') });
  await page.close();
});

test('drift diagnosis from the UI', async ({ host, browserInstance }) => {
  test.setTimeout(150_000);
  const page = await browserInstance.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('frame-list').getByText('9', { exact: true }).first().click();
  await page.getByTestId('tab-simulate').click();
  await page.getByTestId('md-dtFs').fill('2');
  await page.getByTestId('start-drift-study').click();
  await expect(page.getByTestId('drift-verdict').first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('drift-study')).toContainText('conservative');
  await expect(page.getByTestId('drift-study')).toContainText('biased');
  await page.screenshot({ path: join(SHOTS, 'drift-study.png') });
  await page.close();
});
