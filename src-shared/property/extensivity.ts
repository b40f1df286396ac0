// Size-extensivity study of property models: an extensive property (an atomisation energy, a
// total energy) of two molecules far apart is the sum of the parts, E(A ∪ B) = E(A) + E(B). A
// model inherits this only if its representation is additive over distant fragments AND the model
// is linear in it without a per-structure constant: f(x_A + x_B) = f(x_A) + f(x_B).
//   - Coulomb-matrix models (cm-sorted, cm-eigen) with a Gaussian or Laplacian kernel are not: the
//     pair is a new, larger molecule far from every training molecule, so the prediction falls
//     back towards the training mean (≈ one molecule's energy, not two).
//   - Bag of bonds is a concatenation of sorted bags, not a sum: merging the bags of A and B shifts
//     entries to other slots, and the cross terms Z_iZ_j/r (r = 50 Å ≈ 94 Bohr: 0.4 for C-C) are
//     small but not zero (Coulomb is long-ranged). A linear model on it is therefore extensive
//     only approximately; its error is measured here, not assumed.
//   - acsf-sum (local, 5 Å cutoff, summed per element, with element counts) with linear-sum
//     (no intercept) is extensive to rounding: f = Σ_atoms w·G_i.
// The study places B beside A with a gap between their bounding boxes (default 50 Å, along x) and
// reports E(pair) - E(A) - E(B) for each pair.
import type { Frame } from '../atoms/frame';
import { makeFrame } from '../atoms/frame';

/** A and B in one frame, B shifted along x so that the bounding boxes are gapA apart. */
export function placeApart(a: Frame, b: Frame, gapA = 50): Frame {
  const na = a.numbers.length, nb = b.numbers.length;
  let maxA = -Infinity, minB = Infinity;
  for (let i = 0; i < na; i++) maxA = Math.max(maxA, a.positionsA[3 * i]);
  for (let i = 0; i < nb; i++) minB = Math.min(minB, b.positionsA[3 * i]);
  const shift = maxA - minB + gapA;
  const pos = new Float64Array(3 * (na + nb));
  pos.set(a.positionsA, 0);
  for (let i = 0; i < nb; i++) {
    pos[3 * (na + i)] = b.positionsA[3 * i] + shift;
    pos[3 * (na + i) + 1] = b.positionsA[3 * i + 1];
    pos[3 * (na + i) + 2] = b.positionsA[3 * i + 2];
  }
  return makeFrame({ symbols: [...a.symbols, ...b.symbols], positionsA: pos });
}

export interface ExtensivityRow {
  atomsA: number;
  atomsB: number;
  predictionA: number;
  predictionB: number;
  predictionPair: number;
  sumOfParts: number;
  /** predictionPair - sumOfParts, in the target's units. */
  difference: number;
  /** |difference| / |sumOfParts|. */
  relativeDifference: number;
}

export interface ExtensivityStudy {
  gapA: number;
  rows: ExtensivityRow[];
  meanAbsDifference: number;
  maxAbsDifference: number;
  meanRelativeDifference: number;
}

/**
 * Compare a model's prediction on far-apart pairs with the sum of its predictions on the parts.
 * `predict` maps frames to per-frame predictions (e.g. TrainedPropertyModel.predict; its layout
 * must accommodate the pairs: pass them as layoutFrames when training, see pairFrames).
 */
export function extensivityStudy(predict: (frames: readonly Frame[]) => Float64Array, pairs: readonly (readonly [Frame, Frame])[], gapA = 50): ExtensivityStudy {
  const singles = pairs.flatMap(([a, b]) => [a, b]);
  const joined = pairs.map(([a, b]) => placeApart(a, b, gapA));
  const ps = predict(singles);
  const pp = predict(joined);
  const rows = pairs.map(([a, b], k) => {
    const sum = ps[2 * k] + ps[2 * k + 1];
    const diff = pp[k] - sum;
    return { atomsA: a.numbers.length, atomsB: b.numbers.length, predictionA: ps[2 * k], predictionB: ps[2 * k + 1], predictionPair: pp[k], sumOfParts: sum, difference: diff, relativeDifference: Math.abs(diff) / Math.max(1e-300, Math.abs(sum)) };
  });
  const n = rows.length || 1;
  return {
    gapA,
    rows,
    meanAbsDifference: rows.reduce((s, r) => s + Math.abs(r.difference), 0) / n,
    maxAbsDifference: rows.reduce((s, r) => Math.max(s, Math.abs(r.difference)), 0),
    meanRelativeDifference: rows.reduce((s, r) => s + r.relativeDifference, 0) / n,
  };
}

/** The joined frames of the pairs (to size a representation's layout before training). */
export function pairFrames(pairs: readonly (readonly [Frame, Frame])[], gapA = 50): Frame[] {
  return pairs.map(([a, b]) => placeApart(a, b, gapA));
}
