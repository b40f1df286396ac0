// Linear ridge regression in the primal: f(x) = b + w·x with
//   w = argmin Σ_i (y_i - b - w·x_i)² + λ ‖w‖²  ->  (XᵀX + λI) w = Xᵀ(y - b)
// (Hastie, Tibshirani & Friedman, "The Elements of Statistical Learning" (2009), Eq. 3.44). The same
// predictions as kernel ridge regression with the linear kernel k(x, x') = x·x' (the dual form),
// at O(n d² + d³) instead of O(n³): the natural choice when d << n. With `intercept: false` the
// model is f(x) = w·x, which is what a size-extensive model needs (no per-structure constant).
// Columns are scaled to unit root-mean-square before the solve (so λ means the same for features
// of very different magnitudes, e.g. power sums) and the weights are scaled back; scaling without
// centring keeps f linear in x.
import { choleskyInPlace, choleskySolveInPlace } from './cholesky';

export interface LinearModel {
  /** [dim] weights. */
  w: Float64Array;
  /** Intercept (0 without one). */
  b: number;
  dim: number;
}

/** Fit on X ([n·dim]) and y ([n]); NaN targets are skipped. */
export function fitLinearRidge(X: Float64Array, n: number, dim: number, y: ArrayLike<number>, opts: { lambda: number; intercept?: boolean }): LinearModel {
  const intercept = opts.intercept ?? true;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(y[i])) rows.push(i);
  const mx = new Float64Array(dim);
  let my = 0;
  if (intercept) {
    for (const i of rows) {
      my += y[i];
      for (let k = 0; k < dim; k++) mx[k] += X[i * dim + k];
    }
    my /= rows.length || 1;
    for (let k = 0; k < dim; k++) mx[k] /= rows.length || 1;
  }
  const rms = new Float64Array(dim);
  for (const i of rows) for (let k = 0; k < dim; k++) rms[k] += (X[i * dim + k] - mx[k]) ** 2;
  for (let k = 0; k < dim; k++) rms[k] = rms[k] > 0 ? Math.sqrt(rms[k] / rows.length) : 1;
  const A = new Float64Array(dim * dim);
  const rhs = new Float64Array(dim);
  const xc = new Float64Array(dim);
  for (const i of rows) {
    for (let k = 0; k < dim; k++) xc[k] = (X[i * dim + k] - mx[k]) / rms[k];
    const yi = y[i] - my;
    for (let a = 0; a < dim; a++) {
      const xa = xc[a];
      if (xa === 0) continue;
      rhs[a] += xa * yi;
      const o = a * dim;
      for (let b = 0; b <= a; b++) A[o + b] += xa * xc[b];
    }
  }
  for (let a = 0; a < dim; a++) A[a * dim + a] += opts.lambda;
  choleskyInPlace(A, dim);
  const w = choleskySolveInPlace(A, dim, rhs);
  for (let k = 0; k < dim; k++) w[k] /= rms[k];
  let b = my;
  for (let k = 0; k < dim; k++) b -= w[k] * mx[k];
  return { w, b: intercept ? b : 0, dim };
}

/** b + w·x for each row of X ([nq·dim]). */
export function predictLinear(model: LinearModel, X: Float64Array, nq: number): Float64Array {
  const out = new Float64Array(nq);
  for (let q = 0; q < nq; q++) {
    let s = model.b;
    for (let k = 0; k < model.dim; k++) s += model.w[k] * X[q * model.dim + k];
    out[q] = s;
  }
  return out;
}
