// Directions in weight space for loss-landscape plots (Li, Xu, Taylor, Studer & Goldstein,
// "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018).
//
// A random Gaussian direction d is "filter-normalised" so that each filter of d has the norm of the
// corresponding filter of the weights θ:  d_j <- d_j / ||d_j|| · ||θ_j||. Without it, the
// scale invariance of networks (multiplying a layer's weights by c and dividing the next by c)
// makes sharpness comparisons between models meaningless. Here a filter is the set of weights
// feeding one output unit: for a kernel [in, out] (our layout) the column j, i.e. the row of
// PyTorch's [out, in] Linear weight; in general, all entries sharing the last index. 1-D tensors
// (biases) get a zero direction by default, as in Li et al.'s code (`ignore='biasbn'`), or may be
// normalised as one filter. Weights are plain arrays per tensor (a SavedModel's `weights`), and
// directions are Float64Array per tensor in the same order.
import type { Rng } from '../../space/rng';

export interface WeightTensor {
  name: string;
  shape: number[];
  data: ArrayLike<number>;
}

export type Direction = Float64Array[];

export interface DirectionOptions {
  /** 'zero' (default, Li et al.) or 'filter' (a bias vector normalised like one filter). */
  biases?: 'zero' | 'filter';
}

/** Number of filters (size of the last axis) of a tensor; 1 for scalars. */
function filterCount(shape: readonly number[]): number {
  return shape.length ? Math.max(1, shape[shape.length - 1]) : 1;
}

/** [filters] Euclidean norm of each filter (entries sharing the last index). */
export function filterNorms(data: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const J = filterCount(shape);
  const out = new Float64Array(J);
  for (let k = 0; k < data.length; k++) out[k % J] += data[k] * data[k];
  return out.map(Math.sqrt);
}

/**
 * Scale `dir` in place so that every filter has the norm of the weights' filter (1-D tensors:
 * zeroed, or normalised as one filter with biases: 'filter'). Returns dir.
 */
export function filterNormalize(dir: Direction, weights: readonly WeightTensor[], opts: DirectionOptions = {}): Direction {
  weights.forEach((w, t) => {
    const d = dir[t];
    if (d.length !== w.data.length) throw new Error(`direction tensor ${w.name}: ${d.length} values, weights have ${w.data.length}`);
    if (w.shape.length <= 1) {
      if ((opts.biases ?? 'zero') === 'zero') {
        d.fill(0);
        return;
      }
      let nd = 0, nw = 0;
      for (let k = 0; k < d.length; k++) {
        nd += d[k] * d[k];
        nw += Number(w.data[k]) ** 2;
      }
      const s = nd > 0 ? Math.sqrt(nw / nd) : 0;
      for (let k = 0; k < d.length; k++) d[k] *= s;
      return;
    }
    const J = filterCount(w.shape);
    const nd = filterNorms(d, w.shape), nw = filterNorms(w.data, w.shape);
    for (let k = 0; k < d.length; k++) {
      const j = k % J;
      d[k] *= nd[j] > 0 ? nw[j] / nd[j] : 0;
    }
  });
  return dir;
}

/** A Gaussian random direction, filter-normalised to the weights. */
export function randomDirection(weights: readonly WeightTensor[], rng: Rng, opts: DirectionOptions = {}): Direction {
  const d = weights.map((w) => Float64Array.from({ length: w.data.length }, () => rng.normal()));
  return filterNormalize(d, weights, opts);
}

/** Σ over tensors of a·b. */
export function dot(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) for (let k = 0; k < a[t].length; k++) s += a[t][k] * b[t][k];
  return s;
}

export function norm(a: readonly ArrayLike<number>[]): number {
  return Math.sqrt(dot(a, a));
}

/** center + Σ_k c_k d_k, per tensor, float64. */
export function combine(center: readonly ArrayLike<number>[], dirs: readonly Direction[], coeffs: readonly number[]): Float64Array[] {
  return center.map((c, t) => {
    const out = Float64Array.from(c as ArrayLike<number>);
    dirs.forEach((d, k) => {
      const a = coeffs[k];
      if (a === 0) return;
      const dt = d[t];
      for (let q = 0; q < out.length; q++) out[q] += a * dt[q];
    });
    return out;
  });
}

/** a - b per tensor. */
export function difference(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): Float64Array[] {
  return a.map((x, t) => Float64Array.from(x as ArrayLike<number>, (v, q) => v - b[t][q]));
}
