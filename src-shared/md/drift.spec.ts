// Drift fits on synthetic series with a known slope: units (eV/fs for the system -> meV/atom/ps),
// the RMS fluctuation, and that the autocorrelation-corrected standard error describes the actual
// scatter of fitted slopes while the plain OLS one underestimates it.
import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { fitDrift } from './drift';

describe('fitDrift', () => {
  it('converts units and recovers slope and fluctuation for white noise', () => {
    const rng = createRng(1);
    const nAtoms = 100;
    const slopeEvPerFs = 2e-6; // = 2e-6 * 1e6 / 100 = 0.02 meV/atom/ps
    const sigma = 1e-3; // eV
    const t = Array.from({ length: 5000 }, (_, k) => 2 * k);
    const e = t.map((x) => -300 + slopeEvPerFs * x + sigma * rng.normal());
    const d = fitDrift(t, e, nAtoms);
    expect(Math.abs(d.slopeMevPerAtomPerPs - 0.02)).toBeLessThan(4 * d.slopeStdErrMevPerAtomPerPs);
    expect(d.rmsFluctuationMevPerAtom / ((sigma * 1e3) / nAtoms)).toBeCloseTo(1, 1);
    expect(d.statisticalInefficiency).toBeLessThan(1.5);
    expect(d.spanPs).toBeCloseTo(9.998, 10);
    expect(d.interceptEv).toBeCloseTo(-300, 3);
  });

  it('corrects the standard error for autocorrelated fluctuations', () => {
    const rng = createRng(2);
    const phi = 0.95; // g = 39
    const t = Array.from({ length: 4096 }, (_, k) => k);
    const slopes: number[] = [];
    let seOls = 0, seCorr = 0;
    const reps = 150;
    for (let r = 0; r < reps; r++) {
      let x = 0;
      const e = t.map(() => (x = phi * x + 1e-4 * rng.normal()));
      const d = fitDrift(t, e, 1);
      slopes.push(d.slopeMevPerAtomPerPs);
      seOls += d.slopeStdErrMevPerAtomPerPs / reps;
      seCorr += d.slopeStdErrCorrectedMevPerAtomPerPs / reps;
    }
    const m = slopes.reduce((a, b) => a + b, 0) / reps;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - m) ** 2, 0) / (reps - 1));
    expect(sd / seOls).toBeGreaterThan(3); // OLS is far too optimistic
    expect(sd / seCorr).toBeGreaterThan(0.7);
    expect(sd / seCorr).toBeLessThan(1.4);
  });
});
