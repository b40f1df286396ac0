// Softmax classifier (multinomial logistic regression; Bishop, "Pattern Recognition and Machine
// Learning" (2006), §4.3.4, Eqs. 4.104-4.109): class probabilities
//   p_c(x) = exp(a_c) / Σ_c' exp(a_c'),   a_c = w_c·z + b_c,   z = (x - μ) / s   (standardised features)
// trained by minimising the mean cross-entropy plus an L2 penalty on the weights,
//   L = -(1/n) Σ_i log p_{y_i}(x_i) + (λ/2) Σ_c ‖w_c‖²,   ∂L/∂w_c = (1/n) Σ_i (p_c - [y_i = c]) z_i + λ w_c
// in float64 with L-BFGS (convex, so the optimum is unique for λ > 0). Works for per-structure
// samples (one feature row per frame) and per-atom samples (one row per atom, e.g. local structure
// types from ACSF); rows with label -1 are ignored. The log-sum-exp is shifted by max a_c.
import { minimizeLbfgs } from './lbfgsMinimize';

export interface SoftmaxModel {
  classes: string[];
  dim: number;
  /** [dim] feature means and scales used for standardisation. */
  mean: Float64Array;
  scale: Float64Array;
  /** [C·dim] weights (on standardised features), [C] biases. */
  W: Float64Array;
  b: Float64Array;
  l2: number;
}

export interface SoftmaxFit {
  model: SoftmaxModel;
  /** Final training loss (mean cross-entropy + penalty). */
  loss: number;
  iterations: number;
  converged: boolean;
}

/** Mean and standard deviation per column (scale 1 for constant columns). */
export function columnScaling(X: Float64Array, n: number, dim: number, rows?: ArrayLike<number>): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(dim), sq = new Float64Array(dim);
  const m = rows ? rows.length : n;
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r] : r;
    for (let k = 0; k < dim; k++) mean[k] += X[i * dim + k];
  }
  for (let k = 0; k < dim; k++) mean[k] /= m || 1;
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r] : r;
    for (let k = 0; k < dim; k++) sq[k] += (X[i * dim + k] - mean[k]) ** 2;
  }
  const scale = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    const sd = Math.sqrt(sq[k] / (m || 1));
    scale[k] = sd > 1e-12 * Math.max(1, Math.abs(mean[k])) ? sd : 1;
  }
  return { mean, scale };
}

/**
 * Train on X ([n·dim]) with labels ([n], 0..C-1, -1 = ignore).
 * @param l2 penalty λ on the weights (default 1e-3)
 */
export function fitSoftmax(X: Float64Array, n: number, dim: number, labels: ArrayLike<number>, classes: string[], opts: { l2?: number; maxIterations?: number } = {}): SoftmaxFit {
  const C = classes.length;
  const l2 = opts.l2 ?? 1e-3;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] >= 0) rows.push(i);
  if (rows.length === 0) throw new Error('softmax classifier: no labelled samples');
  for (const i of rows) if (!(labels[i] < C)) throw new Error(`softmax classifier: label ${labels[i]} of sample ${i} is not one of the ${C} classes`);
  const { mean, scale } = columnScaling(X, n, dim, rows);
  const m = rows.length;
  const Z = new Float64Array(m * dim);
  rows.forEach((i, r) => {
    for (let k = 0; k < dim; k++) Z[r * dim + k] = (X[i * dim + k] - mean[k]) / scale[k];
  });
  const y = Int32Array.from(rows, (i) => labels[i]);
  const fg = (theta: Float64Array, grad: Float64Array) => softmaxLossAndGradient(theta, Z, y, dim, C, l2, grad);
  const res = minimizeLbfgs(fg, new Float64Array(C * dim + C), { maxIterations: opts.maxIterations ?? 1000, gradTol: 1e-7 });
  return {
    model: { classes, dim, mean, scale, W: res.x.slice(0, C * dim), b: res.x.slice(C * dim), l2 },
    loss: res.f,
    iterations: res.iterations,
    converged: res.converged,
  };
}

/**
 * Mean cross-entropy + (λ/2)‖W‖² and its gradient (written to grad) for parameters
 * theta = [W (C·dim, row c = class c), b (C)], standardised samples Z ([m·dim]) and labels y ([m]).
 */
export function softmaxLossAndGradient(theta: Float64Array, Z: Float64Array, y: Int32Array, dim: number, C: number, l2: number, grad: Float64Array): number {
  const m = y.length;
  const a = new Float64Array(C);
  grad.fill(0);
  let loss = 0;
  for (let r = 0; r < m; r++) {
    const zo = r * dim;
    let amax = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = theta[C * dim + c];
      const wo = c * dim;
      for (let k = 0; k < dim; k++) s += theta[wo + k] * Z[zo + k];
      a[c] = s;
      if (s > amax) amax = s;
    }
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(a[c] - amax);
    const lse = amax + Math.log(se);
    const yr = y[r];
    loss += lse - a[yr];
    for (let c = 0; c < C; c++) {
      const d = (Math.exp(a[c] - lse) - (c === yr ? 1 : 0)) / m;
      if (d === 0) continue;
      grad[C * dim + c] += d;
      const wo = c * dim;
      for (let k = 0; k < dim; k++) grad[wo + k] += d * Z[zo + k];
    }
  }
  loss /= m;
  for (let p = 0; p < C * dim; p++) {
    loss += 0.5 * l2 * theta[p] * theta[p];
    grad[p] += l2 * theta[p];
  }
  return loss;
}

/** Class probabilities, [nq·C]. */
export function predictProbabilities(model: SoftmaxModel, X: Float64Array, nq: number): Float64Array {
  const C = model.classes.length, dim = model.dim;
  const out = new Float64Array(nq * C);
  const z = new Float64Array(dim);
  for (let q = 0; q < nq; q++) {
    for (let k = 0; k < dim; k++) z[k] = (X[q * dim + k] - model.mean[k]) / model.scale[k];
    let amax = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = model.b[c];
      for (let k = 0; k < dim; k++) s += model.W[c * dim + k] * z[k];
      out[q * C + c] = s;
      amax = Math.max(amax, s);
    }
    let se = 0;
    for (let c = 0; c < C; c++) se += (out[q * C + c] = Math.exp(out[q * C + c] - amax));
    for (let c = 0; c < C; c++) out[q * C + c] /= se;
  }
  return out;
}

/** Most probable class of each row, [nq]. */
export function predictClasses(model: SoftmaxModel, X: Float64Array, nq: number): Int32Array {
  const C = model.classes.length;
  const p = predictProbabilities(model, X, nq);
  const out = new Int32Array(nq);
  for (let q = 0; q < nq; q++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (p[q * C + c] > p[q * C + best]) best = c;
    out[q] = best;
  }
  return out;
}
