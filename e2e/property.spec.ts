// Property-model view end to end: open the G2/GFN2-xTB fixture, cross-validate a bag-of-bonds
// Laplacian-kernel model of the atomization energy over the file's folds in a worker, and look at
// the parity plot, learning curve, cost-vs-size plot and extensivity table; cancel a run; classify
// structures by heavy-atom count and look at the confusion matrix; classify the atoms of Cu
// crystals and slabs by their per-atom structure_type and look at them coloured in the viewer.
import { join } from 'node:path';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

test('cross-validate a property model from the UI and inspect its plots', async ({ host, browserInstance }) => {
  test.setTimeout(240_000);
  const page = await browserInstance.newPage({ viewport: { width: 1600, height: 1100 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-button').click();
  await (await chooser).setFiles(join(ROOT, 'fixtures/property/g2_gfn2_atomization.xyz'));
  await expect(page.getByTestId('frame-count')).toHaveText('372');
  await page.getByTestId('centre-property').click();
  await expect(page.getByTestId('property-view')).toBeVisible();
  await page.getByTestId('prop-representation').selectOption('bob');
  await page.getByTestId('prop-model').selectOption('krr-laplacian');
  await page.getByTestId('prop-target').selectOption('atomization_energy_ev');
  await page.getByTestId('prop-folds').selectOption('fold', { timeout: 10_000 });
  await page.getByTestId('prop-baseline').check(); // the kernel learns the residual of a per-element baseline
  await page.getByTestId('prop-run').click();
  await expect(page.getByTestId('prop-progress')).toBeVisible();
  await expect(page.getByTestId('prop-summary')).toContainText('MAE', { timeout: 200_000 });
  await expect(page.getByTestId('prop-summary')).toContainText('on the composition baseline');
  await expect(page.getByTestId('prop-baseline-mae')).toContainText('baseline alone: MAE');
  await expect(page.getByTestId('prop-extensivity')).toContainText('+ composition baseline');
  await expect(page.getByTestId('prop-summary')).toContainText('eV');
  await expect(page.getByTestId('prop-folds-table').locator('tr')).toHaveCount(6);
  await expect(page.getByTestId('prop-parity')).toBeVisible();
  // the domain-of-applicability line: flagged structures with their MAE, or an explicit "none"
  await expect(page.getByTestId('prop-ood')).toContainText(/outside the training domain|No test structure outside/);
  await expect(page.getByTestId('prop-folds-table')).toContainText('OOD');
  await expect(page.getByTestId('prop-curve')).toBeVisible();
  await expect(page.getByTestId('prop-cost')).toContainText('cm-eigen');
  const ext = page.getByTestId('prop-extensivity');
  await expect(ext).toContainText('bob-sums');
  await expect(ext).toContainText('cm-eigen');
  // The MAE shown is a number well below the target's spread (std 18.6 eV in this file).
  const mae = Number(/MAE ([\d.]+) eV/.exec((await page.getByTestId('prop-summary').textContent()) ?? '')?.[1]);
  expect(mae).toBeGreaterThan(0);
  expect(mae).toBeLessThan(6);
  await page.screenshot({ path: join(SHOTS, 'property-model.png'), fullPage: true });
  await ext.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'property-extensivity.png') });

  // A second run can be cancelled; the error names the cancellation and the form is usable again.
  await page.getByTestId('prop-representation').selectOption('cm-sorted');
  await page.getByTestId('prop-run').click();
  await expect(page.getByTestId('prop-cancel')).toBeVisible();
  await page.getByTestId('prop-cancel').click();
  await expect(page.getByTestId('prop-error')).toContainText('cancelled');
  await expect(page.getByTestId('prop-run')).toBeEnabled();

  // Classification: heavy-atom count from bag sums, out-of-fold confusion matrix.
  await page.getByTestId('prop-task').selectOption('classification');
  await page.getByTestId('prop-representation').selectOption('bob-sums');
  await page.getByTestId('prop-class-key').selectOption('n_heavy');
  await page.getByTestId('prop-run').click();
  await expect(page.getByTestId('prop-classification')).toContainText('accuracy', { timeout: 60_000 });
  await expect(page.getByTestId('prop-confusion')).toContainText('precision');
  await page.screenshot({ path: join(SHOTS, 'property-classification.png') });
  await page.close();
});

test('classify atoms by local structure and see the predicted classes in the viewer', async ({ host, browserInstance }) => {
  test.setTimeout(120_000);
  const page = await browserInstance.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(host.url);
  await expect(page.getByTestId('frame-count')).toHaveText('25');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-button').click();
  await (await chooser).setFiles(join(ROOT, 'fixtures/property/cu_structure_types.xyz'));
  await expect(page.getByTestId('frame-count')).toHaveText('12');
  await page.getByTestId('centre-property').click();
  await page.getByTestId('prop-task').selectOption('classification');
  await page.getByTestId('prop-per-atom').check();
  await page.getByTestId('prop-atom-key').selectOption('structure_type');
  await page.getByTestId('prop-folds').selectOption('fold');
  await page.getByTestId('prop-run').click();
  await expect(page.getByTestId('prop-atom-summary')).toContainText('1284 atoms in 12 structures', { timeout: 90_000 });
  const acc = Number(/accuracy ([\d.]+) %/.exec((await page.getByTestId('prop-atom-summary').textContent()) ?? '')?.[1]);
  expect(acc).toBeGreaterThan(95);
  await expect(page.getByTestId('prop-confusion')).toContainText('surface');
  await page.screenshot({ path: join(SHOTS, 'property-atom-classes.png') });
  // Structure 0 (an fcc(111) slab) coloured by predicted class, with the class names in the legend.
  await page.getByTestId('prop-show-atoms').click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('color-by')).toHaveValue('col:predicted structure_type');
  const legend = page.getByTestId('class-legend');
  await expect(legend).toContainText('predicted structure_type');
  await expect(legend).toContainText('surface');
  await expect(legend).toContainText('fcc');
  await page.screenshot({ path: join(SHOTS, 'property-atom-classes-viewer.png') });
  await page.close();
});
