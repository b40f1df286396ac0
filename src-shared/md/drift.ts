// Drift of a conserved quantity (NVE total energy, a thermostat's effective energy): the slope of
// an ordinary least-squares line through E(t), in meV/atom/ps, with its standard error, and the
// RMS fluctuation about the line in meV/atom (analysis/statistics.ts for the formulas).
//
// The OLS standard error assumes independent residuals. Energy fluctuations in MD are correlated
// over many steps, which inflates the true uncertainty by √g, g the statistical inefficiency of
// the residuals; `slopeStdErrCorrectedMevPerAtomPerPs` applies that factor with g estimated by
// block averaging (Flyvbjerg & Petersen 1989). Quote the corrected one; the OLS one is a lower
// bound. A "drift" is only meaningful when |slope| is several corrected standard errors.
import { blockAverage, linearFit } from '../analysis/statistics';

export interface DriftFit {
  /** Slope, meV per atom per ps. */
  slopeMevPerAtomPerPs: number;
  /** OLS standard error of the slope (independent residuals assumed), meV/atom/ps. */
  slopeStdErrMevPerAtomPerPs: number;
  /** OLS standard error × √g (g from block averaging of the residuals), meV/atom/ps. */
  slopeStdErrCorrectedMevPerAtomPerPs: number;
  /** Statistical inefficiency g of the residuals (1 = uncorrelated). */
  statisticalInefficiency: number;
  /** RMS of the residuals about the fitted line, meV/atom. */
  rmsFluctuationMevPerAtom: number;
  /** Intercept at t = 0, eV (whole system). */
  interceptEv: number;
  /** Number of samples and the time span, ps. */
  n: number;
  spanPs: number;
}

/**
 * Fit E(t) = a + b t.
 * @param timesFs [n] sample times, fs
 * @param energiesEv [n] conserved quantity of the whole system, eV
 * @param nAtoms atoms in the system (for per-atom values)
 */
export function fitDrift(timesFs: ArrayLike<number>, energiesEv: ArrayLike<number>, nAtoms: number): DriftFit {
  if (timesFs.length !== energiesEv.length) throw new Error('fitDrift: times and energies differ in length');
  if (!(nAtoms > 0)) throw new Error('fitDrift: nAtoms must be > 0');
  const n = timesFs.length;
  const fit = linearFit(timesFs, energiesEv);
  const residuals = new Float64Array(n);
  for (let k = 0; k < n; k++) residuals[k] = energiesEv[k] - fit.intercept - fit.slope * timesFs[k];
  const g = Math.max(1, blockAverage(residuals).inefficiency);
  // eV/fs per system -> meV/ps per atom: × 1000 (meV) × 1000 (fs/ps) / N
  const toMevPerAtomPerPs = 1e6 / nAtoms;
  return {
    slopeMevPerAtomPerPs: fit.slope * toMevPerAtomPerPs,
    slopeStdErrMevPerAtomPerPs: fit.slopeStdErr * toMevPerAtomPerPs,
    slopeStdErrCorrectedMevPerAtomPerPs: fit.slopeStdErr * Math.sqrt(g) * toMevPerAtomPerPs,
    statisticalInefficiency: g,
    rmsFluctuationMevPerAtom: (fit.residualRms * 1e3) / nAtoms,
    interceptEv: fit.intercept,
    n,
    spanPs: (timesFs[n - 1] - timesFs[0]) / 1000,
  };
}
