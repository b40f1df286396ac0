// Composition ("dressed atom") baseline for property models: y ≈ Σ_e n_e c_e, the least-squares
// per-element contributions c_e over the training structures. A kernel model then learns the
// residual, and far from its training data falls back to the baseline instead of the training
// mean: for an extensive target (atomisation energy) that is the size-dependent part a
// fixed-width kernel extrapolates worst. Δ-learning with the cheapest possible baseline, the
// first rung of Hansen et al.'s hierarchy ("sum over atoms", J. Phys. Chem. Lett. 6, 2326 (2015)).
import type { Frame } from '../atoms/frame';
import { choleskyInPlace, choleskySolveInPlace } from './cholesky';

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
 * Per-element contributions c fitted on the structures `rows` (indices into the feature rows):
 * minimise Σ (y_i - n_i·c)² + ε‖c‖² with ε = 1e-9 × the largest diagonal of NᵀN (only to keep an
 * element that occurs in no training structure, or two that always occur together, solvable).
 */
export function fitComposition(counts: Float64Array, S: number, rows: readonly number[], y: ArrayLike<number>): Float64Array {
  const A = new Float64Array(S * S);
  const b = new Float64Array(S);
  for (const i of rows) {
    for (let p = 0; p < S; p++) {
      const np = counts[i * S + p];
      if (np === 0) continue;
      b[p] += np * y[i];
      for (let q = 0; q < S; q++) A[p * S + q] += np * counts[i * S + q];
    }
  }
  let dmax = 0;
  for (let p = 0; p < S; p++) dmax = Math.max(dmax, A[p * S + p]);
  for (let p = 0; p < S; p++) A[p * S + p] += 1e-9 * Math.max(dmax, 1);
  choleskyInPlace(A, S);
  return choleskySolveInPlace(A, S, b);
}

/** Baseline values n_i·c for every row. */
export function compositionValues(counts: Float64Array, S: number, c: Float64Array): Float64Array {
  const n = counts.length / S;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < S; p++) s += counts[i * S + p] * c[p];
    out[i] = s;
  }
  return out;
}
