// Distances between feature vectors and the kernels of kernel ridge regression on them:
//   L1 (Manhattan)  d(x, y) = Σ_k |x_k - y_k|
//   L2 (Euclidean)  d(x, y) = (Σ_k (x_k - y_k)²)^½
//   Gaussian        k = exp(-d² / (2σ²))       (Rupp et al., PRL 108, 058301 (2012), with L2)
//   Laplacian       k = exp(-d / σ)            (Hansen et al., JCTC 9, 3404 (2013) and JPCL 6, 2326
//                                               (2015), with L1: the pairing that gave their best
//                                               Coulomb-matrix and bag-of-bonds results)
// Distances are computed directly (never as ‖x‖² + ‖y‖² - 2x·y, which cancels badly for the
// large, close Coulomb-matrix vectors), one row of X against four rows of Y per inner loop so each
// x_k is loaded once for four differences. Matrices are row-major Float64Array.

export type Metric = 'l1' | 'l2';
export type KernelKind = 'gaussian' | 'laplacian';

export const KERNELS: readonly { id: KernelKind; title: string; formula: string; defaultMetric: Metric }[] = [
  { id: 'gaussian', title: 'Gaussian', formula: 'exp(-d²/(2σ²))', defaultMetric: 'l2' },
  { id: 'laplacian', title: 'Laplacian', formula: 'exp(-d/σ)', defaultMetric: 'l1' },
];

/**
 * D[a, b] = d(X[rowsX[a]], Y[rowsY[b]]) for the selected rows, [|rowsX|·|rowsY|].
 * @param X [nx·dim] features, Y [ny·dim] (may be the same array)
 */
export function pairwiseDistances(X: Float64Array, rowsX: ArrayLike<number>, Y: Float64Array, rowsY: ArrayLike<number>, dim: number, metric: Metric, out?: Float64Array): Float64Array {
  const na = rowsX.length, nb = rowsY.length;
  const D = out ?? new Float64Array(na * nb);
  const l1 = metric === 'l1';
  for (let a = 0; a < na; a++) {
    const xa = rowsX[a] * dim;
    const ra = a * nb;
    let b = 0;
    for (; b + 4 <= nb; b += 4) {
      const y0 = rowsY[b] * dim, y1 = rowsY[b + 1] * dim, y2 = rowsY[b + 2] * dim, y3 = rowsY[b + 3] * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      if (l1) {
        for (let k = 0; k < dim; k++) {
          const x = X[xa + k];
          s0 += Math.abs(x - Y[y0 + k]);
          s1 += Math.abs(x - Y[y1 + k]);
          s2 += Math.abs(x - Y[y2 + k]);
          s3 += Math.abs(x - Y[y3 + k]);
        }
        D[ra + b] = s0; D[ra + b + 1] = s1; D[ra + b + 2] = s2; D[ra + b + 3] = s3;
      } else {
        for (let k = 0; k < dim; k++) {
          const x = X[xa + k];
          const t0 = x - Y[y0 + k], t1 = x - Y[y1 + k], t2 = x - Y[y2 + k], t3 = x - Y[y3 + k];
          s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3;
        }
        D[ra + b] = Math.sqrt(s0); D[ra + b + 1] = Math.sqrt(s1); D[ra + b + 2] = Math.sqrt(s2); D[ra + b + 3] = Math.sqrt(s3);
      }
    }
    for (; b < nb; b++) {
      const yb = rowsY[b] * dim;
      let s = 0;
      if (l1) for (let k = 0; k < dim; k++) s += Math.abs(X[xa + k] - Y[yb + k]);
      else {
        for (let k = 0; k < dim; k++) {
          const t = X[xa + k] - Y[yb + k];
          s += t * t;
        }
        s = Math.sqrt(s);
      }
      D[ra + b] = s;
    }
  }
  return D;
}

/** 0..n-1 as an index list. */
export function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/**
 * Full symmetric distance matrix of n rows, [n·n], computing each pair once (lower triangle in
 * blocks of 64 rows, mirrored). Progress reports (rows done, n).
 */
export function selfDistances(X: Float64Array, n: number, dim: number, metric: Metric, onProgress?: (done: number, total: number) => void): Float64Array {
  const D = new Float64Array(n * n);
  const B = 64;
  const rowsA = new Int32Array(B);
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(i0 + B, n);
    const nbA = i1 - i0;
    for (let a = 0; a < nbA; a++) rowsA[a] = i0 + a;
    const rows = rowsA.subarray(0, nbA);
    const cols = range(i1); // rows 0..i1: the lower triangle of this block row (and a little more)
    const block = pairwiseDistances(X, rows, X, cols, dim, metric);
    for (let a = 0; a < nbA; a++) {
      const i = i0 + a;
      for (let j = 0; j <= i; j++) {
        const v = block[a * i1 + j];
        D[i * n + j] = v;
        D[j * n + i] = v;
      }
      D[i * n + i] = 0;
    }
    onProgress?.(i1, n);
  }
  return D;
}

/** Kernel value from a distance. */
export function kernelOfDistance(kind: KernelKind, d: number, sigma: number): number {
  return kind === 'gaussian' ? Math.exp(-(d * d) / (2 * sigma * sigma)) : Math.exp(-d / sigma);
}

/**
 * K[a, b] = k(D[rows[a], cols[b]]) from a full distance matrix D ([nD·nD]), [|rows|·|cols|].
 * With rows === cols the result is the (symmetric) training kernel.
 */
export function kernelFromDistances(D: Float64Array, nD: number, rows: ArrayLike<number>, cols: ArrayLike<number>, kind: KernelKind, sigma: number, out?: Float64Array): Float64Array {
  const na = rows.length, nb = cols.length;
  const K = out ?? new Float64Array(na * nb);
  const gauss = kind === 'gaussian';
  const c = gauss ? -1 / (2 * sigma * sigma) : -1 / sigma;
  for (let a = 0; a < na; a++) {
    const ra = rows[a] * nD, oa = a * nb;
    if (gauss)
      for (let b = 0; b < nb; b++) {
        const d = D[ra + cols[b]];
        K[oa + b] = Math.exp(c * d * d);
      }
    else for (let b = 0; b < nb; b++) K[oa + b] = Math.exp(c * D[ra + cols[b]]);
  }
  return K;
}

/** Elementwise kernel of a distance block (any shape), in place when out === D. */
export function kernelOfDistances(D: Float64Array, kind: KernelKind, sigma: number, out: Float64Array = new Float64Array(D.length)): Float64Array {
  const gauss = kind === 'gaussian';
  const c = gauss ? -1 / (2 * sigma * sigma) : -1 / sigma;
  if (gauss)
    for (let i = 0; i < D.length; i++) {
      const d = D[i];
      out[i] = Math.exp(c * d * d);
    }
  else for (let i = 0; i < D.length; i++) out[i] = Math.exp(c * D[i]);
  return out;
}

/** Median of the off-diagonal distances over up to `maxPairs` evenly spread pairs (a length scale for σ grids). */
export function medianDistance(D: Float64Array, n: number, maxPairs = 200_000): number {
  const total = (n * (n - 1)) / 2;
  if (total === 0) return 1;
  const stride = Math.max(1, Math.floor(total / maxPairs));
  const vals: number[] = [];
  let p = 0;
  for (let i = 1; i < n; i++)
    for (let j = 0; j < i; j++, p++) if (p % stride === 0) vals.push(D[i * n + j]);
  vals.sort((a, b) => a - b);
  return vals[Math.floor(vals.length / 2)] || 1;
}
