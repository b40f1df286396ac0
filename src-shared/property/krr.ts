// Kernel ridge regression (KRR; Rasmussen & Williams, "Gaussian Processes for Machine Learning"
// (2006) Eq. 2.25 and Alg. 2.1; as used for molecules by Rupp et al., PRL 108, 058301 (2012), Eq. 3):
//
//   f(x) = ȳ + Σ_i α_i k(x, x_i),     (K + λ I) α = y - ȳ
//
// with ȳ the mean training target (so that far from the data the model returns the mean, not 0),
// K_ij = k(x_i, x_j) (kernels.ts) and λ the regulariser relative to k(x, x) = 1. Solved in closed
// form by Cholesky in float64 (cholesky.ts). The model keeps its training features to predict.
import { choleskyInPlace, choleskySolveInPlace } from './cholesky';
import { kernelOfDistances, pairwiseDistances, range, type KernelKind, type Metric } from './kernels';

export interface KrrHyper {
  kernel: KernelKind;
  metric: Metric;
  sigma: number;
  lambda: number;
}

export interface KrrModel extends KrrHyper {
  /** [n·dim] training features. */
  trainX: Float64Array;
  n: number;
  dim: number;
  /** [n] weights α. */
  alpha: Float64Array;
  yMean: number;
}

/**
 * Solve (K + λI) α = y - ȳ given the training kernel K ([n·n], overwritten by its Cholesky factor).
 * Returns α and ȳ. Throws NotPositiveDefiniteError when K + λI is numerically indefinite.
 */
export function solveKrr(K: Float64Array, n: number, y: ArrayLike<number>, lambda: number): { alpha: Float64Array; yMean: number } {
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n || 1;
  for (let i = 0; i < n; i++) K[i * n + i] += lambda;
  choleskyInPlace(K, n);
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = y[i] - yMean;
  choleskySolveInPlace(K, n, alpha);
  return { alpha, yMean };
}

/** ȳ + K_q α for a query kernel K_q ([nq·n]). */
export function predictFromKernel(Kq: Float64Array, nq: number, n: number, alpha: Float64Array, yMean: number, out: Float64Array = new Float64Array(nq)): Float64Array {
  for (let q = 0; q < nq; q++) {
    let s = yMean;
    const o = q * n;
    for (let i = 0; i < n; i++) s += Kq[o + i] * alpha[i];
    out[q] = s;
  }
  return out;
}

/** Train on features X ([n·dim]) and targets y ([n]). */
export function fitKrr(X: Float64Array, n: number, dim: number, y: ArrayLike<number>, hyper: KrrHyper): KrrModel {
  const idx = range(n);
  const D = pairwiseDistances(X, idx, X, idx, dim, hyper.metric);
  const K = kernelOfDistances(D, hyper.kernel, hyper.sigma, D);
  const { alpha, yMean } = solveKrr(K, n, y, hyper.lambda);
  return { ...hyper, trainX: X.slice(0, n * dim), n, dim, alpha, yMean };
}

/** Predictions for query features Xq ([nq·dim]), in chunks of 256 rows to bound memory. */
export function predictKrr(model: KrrModel, Xq: Float64Array, nq: number): Float64Array {
  const out = new Float64Array(nq);
  const train = range(model.n);
  const CH = 256;
  for (let q0 = 0; q0 < nq; q0 += CH) {
    const q1 = Math.min(q0 + CH, nq);
    const rows = range(q1 - q0).map((r) => r + q0);
    const D = pairwiseDistances(Xq, rows, model.trainX, train, model.dim, model.metric);
    const K = kernelOfDistances(D, model.kernel, model.sigma, D);
    predictFromKernel(K, q1 - q0, model.n, model.alpha, model.yMean, out.subarray(q0, q1));
  }
  return out;
}
