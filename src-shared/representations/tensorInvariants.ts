// Rotation-invariant features of vector and rank-2 tensor data (forces, dipoles, stress, ...).
// Under an orthogonal map Q (rotation, or reflection with det Q = -1) a vector goes to Q v and a
// tensor to Q T Qᵀ, so
//   ‖v‖                                   (vector norm)
//   I1 = tr T,  I2 = ½[(tr T)² - tr(T²)],  I3 = det T   (principal invariants: the coefficients of
//                                           the characteristic polynomial λ³ - I1 λ² + I2 λ - I3)
//   λ1 >= λ2 >= λ3                        (eigenvalues of a symmetric T: the same information as
//                                           I1..I3, in the form a reader recognises)
// do not change (Spencer, "Continuum Mechanics" (1980), §4.4; Holzapfel, "Nonlinear Solid
// Mechanics" (2000), §1.5). Non-symmetric tensors are symmetrised (the antisymmetric part is an
// axial vector whose norm is reported separately) so that the eigenvalues are real.
//
// Per-atom columns give per-atom invariants ([N, k]); poolInvariants sums or averages them per
// structure, which keeps permutation invariance.
import { sortDescending, symmetricEigenvalues } from './symmetricEigen';

/** ‖v‖ of each row of a [N·3] array. [N] */
export function vectorNorms(v: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = Math.floor(v.length / 3);
  const r = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.hypot(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
  return r;
}

export interface TensorInvariants {
  trace: number;
  secondInvariant: number;
  determinant: number;
  /** [3] eigenvalues of the symmetric part, descending. */
  eigenvalues: Float64Array;
  /** ‖axial vector‖ of the antisymmetric part (0 for a symmetric tensor). */
  antisymmetricNorm: number;
}

/** Invariants of one 3×3 tensor ([9] row-major). */
export function tensorInvariants(t: ArrayLike<number>, offset = 0): TensorInvariants {
  const s = new Float64Array(9);
  let anti = 0;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      s[3 * i + j] = 0.5 * (t[offset + 3 * i + j] + t[offset + 3 * j + i]);
      if (i < j) {
        const a = 0.5 * (t[offset + 3 * i + j] - t[offset + 3 * j + i]);
        anti += a * a;
      }
    }
  const tr = s[0] + s[4] + s[8];
  let tr2 = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) tr2 += s[3 * i + j] * s[3 * j + i];
  const det = s[0] * (s[4] * s[8] - s[5] * s[7]) - s[1] * (s[3] * s[8] - s[5] * s[6]) + s[2] * (s[3] * s[7] - s[4] * s[6]);
  return {
    trace: tr,
    secondInvariant: 0.5 * (tr * tr - tr2),
    determinant: det,
    eigenvalues: sortDescending(symmetricEigenvalues(s, 3)),
    antisymmetricNorm: Math.sqrt(anti),
  };
}

/** Number of features tensorInvariantVector writes. */
export const TENSOR_FEATURES = 7;
export const TENSOR_FEATURE_NAMES = ['trace', 'I2', 'det', 'eig1', 'eig2', 'eig3', 'antisym_norm'];

/** [trace, I2, det, λ1, λ2, λ3, ‖antisym‖] of a tensor, written at out[at..at+7). */
export function tensorInvariantVector(t: ArrayLike<number>, offset = 0, out: Float64Array = new Float64Array(TENSOR_FEATURES), at = 0): Float64Array {
  const r = tensorInvariants(t, offset);
  out[at] = r.trace;
  out[at + 1] = r.secondInvariant;
  out[at + 2] = r.determinant;
  out[at + 3] = r.eigenvalues[0];
  out[at + 4] = r.eigenvalues[1];
  out[at + 5] = r.eigenvalues[2];
  out[at + 6] = r.antisymmetricNorm;
  return out;
}

/**
 * Per-row invariants of a per-atom column: width 3 -> [N, 1] norms; width 9 -> [N, 7] tensor
 * invariants; width 6 (Voigt xx yy zz yz xz xy, ASE order) -> expanded to 3×3 first.
 * Width 1 -> the scalar itself (already invariant).
 */
export function perRowInvariants(data: ArrayLike<number>, width: number): { values: Float64Array; k: number } {
  const n = Math.floor(data.length / width);
  if (width === 1) return { values: Float64Array.from(data as ArrayLike<number>), k: 1 };
  if (width === 3) return { values: vectorNorms(data), k: 1 };
  if (width === 9 || width === 6) {
    const out = new Float64Array(n * TENSOR_FEATURES);
    const full = new Float64Array(9);
    for (let i = 0; i < n; i++) {
      if (width === 9) tensorInvariantVector(data, 9 * i, out, i * TENSOR_FEATURES);
      else {
        const [xx, yy, zz, yz, xz, xy] = Array.from({ length: 6 }, (_, k) => data[6 * i + k]);
        full.set([xx, xy, xz, xy, yy, yz, xz, yz, zz]);
        tensorInvariantVector(full, 0, out, i * TENSOR_FEATURES);
      }
    }
    return { values: out, k: TENSOR_FEATURES };
  }
  throw new Error(`invariants: a column of width ${width} is neither a scalar (1), a vector (3) nor a 3×3 tensor (6 Voigt or 9)`);
}

/** Pool per-row features [N, k] to [k] by 'sum' or 'mean' (over rows). */
export function poolRows(values: Float64Array, k: number, how: 'sum' | 'mean', out: Float64Array = new Float64Array(k), at = 0): Float64Array {
  const n = values.length / k;
  for (let f = 0; f < k; f++) out[at + f] = 0;
  for (let i = 0; i < n; i++) for (let f = 0; f < k; f++) out[at + f] += values[i * k + f];
  if (how === 'mean' && n > 0) for (let f = 0; f < k; f++) out[at + f] /= n;
  return out;
}
