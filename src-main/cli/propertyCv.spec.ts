// CLI `property cv`: the JSON contract of cross-validated KRR (the exact form), with and
// without the composition ("dressed atom") baseline, on the G2 fixture (GFN2-xTB atomisation
// energies, fixtures/property). Known answers: folds and counts from the `fold` key; the
// baseline's per-element contributions are fitted per fold, and on this small diverse set the
// kernel model on its residual beats both the baseline alone and KRR on the raw target; bad values are refused with the reason.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test-support/cliRun';
import { PROPERTY_COMMANDS } from './property';

const G2 = fileURLToPath(new URL('../../fixtures/property/g2_gfn2_atomization.xyz', import.meta.url));
const run = (argv: string[]) => runCli(PROPERTY_COMMANDS[0], argv);
const base = ['cv', G2, '--representation', 'bob', '--model', 'krr-laplacian', '--target', 'atomization_energy_ev', '--folds', 'fold', '--json'];

afterEach(() => vi.restoreAllMocks());

describe('atomforge property cv', () => {
  it('--json: mae, rmse and folds; with --baseline composition, per-fold contributions and the baseline\'s own error', async () => {
    const plain = await run(base);
    expect(plain.code, plain.err).toBe(0);
    const p = JSON.parse(plain.out);
    expect(p).toMatchObject({ representation: 'bob', model: 'krr-laplacian', metric: 'l1', target: 'atomization_energy_ev', baseline: 'none', fold_key: 'fold' });
    expect(p.mae).toBeGreaterThan(0);
    expect(p.rmse).toBeGreaterThanOrEqual(p.mae);
    expect(p.folds.length).toBeGreaterThanOrEqual(2);
    expect(p.folds.reduce((s: number, f: { n_test: number }) => s + f.n_test, 0)).toBe(p.n);
    expect(p.folds[0].baseline_mae).toBeUndefined();
    // domain of applicability: the flagged frames over all folds, and each fold's count
    expect(p.out_of_domain.n).toBe(p.out_of_domain.frames.length);
    expect(p.folds.reduce((s: number, f: { out_of_domain: { n: number } }) => s + f.out_of_domain.n, 0)).toBe(p.out_of_domain.n);
    for (const f of p.folds) expect(f.out_of_domain.threshold).toBeGreaterThan(0);

    const withBase = await run([...base, '--baseline', 'composition']);
    expect(withBase.code, withBase.err).toBe(0);
    const b = JSON.parse(withBase.out);
    expect(b.baseline).toBe('composition');
    expect(b.n).toBe(p.n);
    for (const f of b.folds) {
      expect(Object.keys(f.baseline_per_element).sort()).toEqual(['C', 'Cl', 'F', 'H', 'N', 'O', 'S']); // the fixture's elements
      for (const v of Object.values(f.baseline_per_element)) expect(Number.isFinite(v)).toBe(true);
      expect(f.baseline_per_element.H).toBeGreaterThan(0); // atomisation energies are positive here: every atom adds
    }
    // On this small, diverse set (372 molecules, 7 elements) the size-dependent part dominates: the
    // baseline alone (~1.5 eV) already beats BoB KRR on the raw target (~2.0 eV), and KRR on its
    // residual beats both (~1.2 eV).
    const baseAlone = b.folds.reduce((s: number, f: { baseline_mae: number; n_test: number }) => s + f.baseline_mae * f.n_test, 0) / b.n;
    expect(baseAlone).toBeLessThan(p.mae);
    expect(b.mae).toBeLessThan(baseAlone);
  }, 120_000);

  it('a training part larger than --inner-max-train gets σ refined at full size, reported per fold; --no-sigma-refine keeps the subsample\'s σ', async () => {
    const small = ['--inner-max-train', '60', '--inner-folds', '3'];
    const r = JSON.parse((await run([...base, ...small])).out);
    expect(r.hyperparameters.sigma_refined_at_full_size).toBe(true);
    for (const f of r.folds) {
      expect(f.n_train).toBeGreaterThan(60);
      expect(f.sigma_refine[0].sigma).toBe(f.sigma_subsample);
      const best = f.sigma_refine.reduce((a: { sigma: number; holdout_mae: number }, b: { sigma: number; holdout_mae: number }) => (b.holdout_mae < a.holdout_mae ? b : a));
      expect(f.sigma).toBe(best.sigma);
    }
    const off = JSON.parse((await run([...base, ...small, '--no-sigma-refine'])).out);
    expect(off.hyperparameters.sigma_refined_at_full_size).toBe(false);
    off.folds.forEach((f: { sigma: number; sigma_subsample?: number }, k: number) => {
      expect(f.sigma_subsample).toBeUndefined();
      expect(f.sigma).toBe(r.folds[k].sigma_subsample);
    });
  }, 120_000);

  it('refuses an unknown baseline', async () => {
    const r = await run([...base, '--baseline', 'dft']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--baseline must be none or composition, got "dft"/);
  });
});
