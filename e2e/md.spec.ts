// MD from the UI, end to end: start an NVE run on the bundled example with the bundled potential,
// watch the energy plot grow, pause and stop it, see the trajectory file written and reopen it;
// run a time-step study and read its dt exponent.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('NVE run from the UI: live monitor, pause, stop, trajectory reopens', async ({ host, browserInstance }) => {
  const page = await browserInstance.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  // Start from the 64-atom AIMD frame 9.
  await page.getByTestId('frame-list').getByText('9', { exact: true }).first().click();
  await expect(page.getByTestId('frame-atoms')).toHaveText('64');
  await page.getByTestId('tab-simulate').click();
  await expect(page.getByTestId('potential-select')).toHaveValue(/bundled:sw:bundled:Si_StillingerWeber1985.sw/);
  await page.getByTestId('integrator-select').selectOption('nve');
  await page.getByTestId('md-dtFs').fill('1');
  await page.getByTestId('md-steps').fill('50000000');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 30_000 });
  const stepOf = async () => Number(/step (\d+)/.exec((await page.getByTestId('run-progress').textContent()) ?? '')?.[1] ?? 0);
  await expect.poll(stepOf, { timeout: 30_000 }).toBeGreaterThan(500);
  await expect(page.getByTestId('drift')).toContainText('meV/atom/ps');
  await page.screenshot({ path: join(SHOTS, 'md-running.png') });
  await page.getByTestId('pause-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  const s1 = await stepOf();
  await page.waitForTimeout(600);
  expect(await stepOf()).toBe(s1);
  await page.getByTestId('resume-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await page.getByTestId('stop-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('stopped');
  await page.getByTestId('open-trajectory').click();
  await expect(page.getByTestId('dataset-panel').locator('.tab.on')).toContainText('(trajectory)');
  await expect(page.getByTestId('frame-atoms')).toHaveText('64');
  await expect(page.getByTestId('atom-count')).toContainText('64–64 per frame');
  // Analyse the trajectory just written: g(r) and MSD with a diffusion coefficient.
  await page.getByTestId('tab-analyze').click();
  await page.getByTestId('run-rdf').click();
  await expect(page.getByTestId('analysis-panel')).toContainText('Å⁻³');
  await page.getByTestId('run-msd').click();
  await expect(page.getByTestId('diffusion')).toContainText('cm²/s');
  await page.screenshot({ path: join(SHOTS, 'md-trajectory.png') });
  await page.close();
});

test('time-step study from the UI shows the dt² scaling', async ({ host, browserInstance }) => {
  const page = await browserInstance.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('frame-list').getByText('9', { exact: true }).first().click();
  await page.getByTestId('tab-simulate').click();
  await page.getByTestId('md-dtFs').fill('2');
  await page.getByTestId('start-study').click();
  await expect(page.getByTestId('study-exponent')).toContainText('dt^', { timeout: 60_000 });
  const exp = Number(/dt\^([\d.]+)/.exec((await page.getByTestId('study-exponent').textContent()) ?? '')?.[1]);
  expect(exp).toBeGreaterThan(1.6);
  expect(exp).toBeLessThan(2.4);
  await page.screenshot({ path: join(SHOTS, 'md-study.png') });
  await page.close();
});
