// Composition ("dressed atom") baseline for property models: y ≈ Σ_e n_e c_e, the least-squares
// per-element contributions c_e over the training structures. A kernel model then learns the
// residual, and far from its training data falls back to the baseline instead of the training
// mean: for an extensive target (atomisation energy) that is the size-dependent part a
// fixed-width kernel extrapolates worst. Δ-learning with the cheapest possible baseline, the
// first rung of Hansen et al.'s hierarchy ("sum over atoms", J. Phys. Chem. Lett. 6, 2326 (2015)).
import type { Frame } from '../atoms/frame';
import { fitLinearRidge, type LinearModel } from './linearRidge';

export interface CompositionFeatures {
  /** Atomic numbers of the columns, ascending. */
  elements: number[];
  /** [n·elements.length] atom counts per structure. */
  counts: Float64Array;
}

export function compositionFeatures(frames: readonly Pick<Frame, 'numbers'>[]): CompositionFeatures {
  const zs = new Set<number>();
  for (const f of frames) for (let i = 0; i < f.numbers.length; i++) zs.add(f.numbers[i]);
  const elements = [...zs].sort((a, b) => a - b);
  const col = new Map(elements.map((z, k) => [z, k]));
  const S = elements.length;
  const counts = new Float64Array(frames.length * S);
  frames.forEach((f, m) => {
    for (let i = 0; i < f.numbers.length; i++) counts[m * S + col.get(f.numbers[i])!]++;
  });
  return { elements, counts };
}

/**
 * Per-element contributions fitted on the structures `rows` (indices into the feature rows): linear
 * ridge without intercept (linearRidge.ts) on the counts, λ = 1e-9 on unit-RMS columns (only to keep
 * an element that occurs in no training structure solvable). `w` holds c_e; predictLinear gives n·c.
 */
export function fitComposition(counts: Float64Array, S: number, rows: readonly number[], y: ArrayLike<number>): LinearModel {
  const n = counts.length / S;
  const masked = new Float64Array(n).fill(NaN); // fitLinearRidge skips NaN targets
  for (const i of rows) masked[i] = y[i];
  return fitLinearRidge(counts, n, S, masked, { lambda: 1e-9, intercept: false });
}
