// Uncertainty from the UI, end to end (issue 6): open a small mlearn Si set and Ge structures,
// train a committee of 3 linear models (Train tab, "committee members"), colour the atoms of the
// current structure by the committee force spread (colour bar with units), compare the Si data
// with Ge-as-Si (domain shift: histograms side by side), and draw the loss landscape heat map.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
const FIX = join(ROOT, 'fixtures', 'uncertainty');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('committee, per-atom uncertainty colours, domain shift and loss landscape from the UI', async ({ host, browserInstance }) => {
  test.setTimeout(360_000);
  const page = await browserInstance.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  await page.getByTestId('file-input').setInputFiles(join(FIX, 'ge_mlearn_3.xyz'));
  await expect(page.getByTestId('frame-count')).toHaveText('3', { timeout: 30_000 });
  await page.getByTestId('file-input').setInputFiles(join(FIX, 'si_mlearn_8.xyz'));
  await expect(page.getByTestId('frame-count')).toHaveText('8', { timeout: 30_000 });

  // a committee of 3 linear models (closed form; bagged)
  await page.getByTestId('tab-train').click();
  await page.getByTestId('model-type').selectOption('linear');
  await page.getByTestId('train-committee').fill('3');
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('train-state')).toHaveText('finished', { timeout: 150_000 });

  // per-atom committee force spread on the current Si frame
  await page.getByTestId('centre-uncertainty').click();
  // the shared test host may hold runs from other specs (e.g. the BP run of train.spec): pick ours
  const committeeOption = page.getByTestId('unc-run').locator('option', { hasText: 'committee of 3' }).first();
  await expect(committeeOption).toHaveCount(1);
  await page.getByTestId('unc-run').selectOption((await committeeOption.getAttribute('value'))!);
  await page.getByTestId('unc-focus').selectOption('forceStd');
  await page.getByTestId('colour-atoms').click();
  await expect(page.getByTestId('legend')).toContainText('committee σF (eV/Å)', { timeout: 120_000 });
  await expect(page.getByTestId('color-by')).toHaveValue('col:committee σF');
  await page.screenshot({ path: join(SHOTS, 'uncertainty-atoms.png') });
  // per-atom energy decomposition of the committee mean
  await page.getByTestId('centre-uncertainty').click();
  await page.getByTestId('unc-focus').selectOption('energyRel');
  await page.getByTestId('colour-atoms').click();
  await expect(page.getByTestId('legend')).toContainText('atomic energy − element mean (eV)', { timeout: 60_000 });
  await page.screenshot({ path: join(SHOTS, 'uncertainty-energy.png') });

  // domain shift: Si reference vs Ge structures seen as Si
  await page.getByTestId('centre-uncertainty').click();
  await page.getByTestId('unc-map').fill('Ge=Si');
  await page.getByTestId('shift-ref').selectOption({ label: 'si_mlearn_8.xyz' });
  await page.getByTestId('shift-target').selectOption({ label: 'ge_mlearn_3.xyz' });
  await page.getByTestId('run-shift').click();
  await expect(page.getByTestId('shift-histograms')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('shift-table')).toContainText('ge_mlearn_3.xyz');
  await expect(page.getByTestId('shift-histograms').locator('figure')).toHaveCount(4);
  await page.screenshot({ path: join(SHOTS, 'uncertainty-shift.png'), fullPage: true });

  // loss landscape of the first member
  await page.getByTestId('land-ds').selectOption({ label: 'si_mlearn_8.xyz' });
  await page.getByTestId('land-grid').fill('9');
  await page.getByTestId('run-landscape').click();
  await expect(page.getByTestId('landscape-heatmap')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('landscape-surface').locator('line')).toHaveCount(2 * 9 * 8);
  await page.getByTestId('landscape-heatmap').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'uncertainty-landscape.png') });
  await expect(page.getByTestId('unc-error')).toHaveCount(0);

  // MD driven by the committee mean, hot enough to leave the training data: max σF beside the
  // energy, the alarm stops the run, and the uncertain frames open as a dataset for labelling
  await page.getByTestId('centre-structure').click();
  await page.getByTestId('tab-simulate').click();
  await page.getByTestId('potential-select').selectOption({ label: 'committee of 3 linear on si_mlearn_8.xyz (linear)' });
  await page.getByTestId('md-initial-t').fill('3000');
  await page.getByTestId('md-steps').fill('2000');
  await page.getByTestId('md-stop-sigma').fill('0.3');
  await page.getByTestId('md-export-sigma').fill('0.15');
  await page.getByTestId('start-md').click();
  await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 120_000 });
  await expect(page.getByTestId('run-message')).toContainText('uncertainty alarm');
  await expect(page.getByTestId('sigma-plot')).toBeVisible();
  await expect(page.getByTestId('uncertain-frames')).toContainText('uncertain.xyz');
  await page.screenshot({ path: join(SHOTS, 'uncertainty-md.png') });
  await page.getByTestId('open-uncertain').click();
  // the exported frames open as a new, active dataset (its frame count depends on the trajectory)
  await expect(page.getByTestId('dataset-panel').locator('.tab.on .name')).toHaveText('uncertain.xyz', { timeout: 30_000 });
  await expect(page.getByTestId('frame-count')).toHaveText(/^[1-9]\d*$/);
  await page.close();
});
