// Slices of a loss function around a point in weight space, and an optimiser path projected onto
// the slicing plane (Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018):
//   1D:  L(θ* + α d1),           α on a grid over [-span, span]
//   2D:  L(θ* + α d1 + β d2),    α, β on a grid
// The loss function is any map weights -> loss terms (modelLoss.ts wraps the training engine's
// loss; tests use a quadratic). Grids with an odd number of points contain α = 0 exactly, so the
// centre value is the loss at θ*.
// Path: points θ_t (initial weights, checkpoints, per-epoch weights) minus θ*, projected onto
// span{d1, d2} by least squares (d1, d2 need not be orthogonal): [α_t, β_t] = G⁻¹ [d1·Δ, d2·Δ] with
// the Gram matrix G; `residual` is the fraction of |Δ| outside the plane. Random directions in
// millions of dimensions are nearly orthogonal to any path, so the projected path is short and its
// residual near 1 (Li et al., §7); pcaDirections gives the plane that captures the path instead
// (the top two principal components of the path's displacements).
import { combine, difference, dot, type Direction } from './directions';

/** Loss terms, dimensionless (train/loss.ts: total = w_E·energy + w_F·forces + w_S·stress). */
export interface LossTerms {
  total: number;
  energy: number;
  forces: number;
  stress: number;
}

export type LossFunction = (weights: Float64Array[]) => LossTerms;

/** `points` equally spaced values over [-span, span] (0 exactly at the centre when points is odd). */
export function gridAxis(points: number, span: number): number[] {
  if (!(Number.isInteger(points) && points >= 2)) throw new Error(`grid: points must be an integer >= 2, got ${points}`);
  const h = (points - 1) / 2;
  return Array.from({ length: points }, (_, k) => (span * (k - h)) / h);
}

export interface Slice1d {
  axis: number[];
  total: number[];
  energy: number[];
  forces: number[];
  stress: number[];
}

export interface Slice2d {
  /** Along d1 (columns). */
  alpha: number[];
  /** Along d2 (rows): total[iβ][iα]. */
  beta: number[];
  total: number[][];
  energy: number[][];
  forces: number[][];
  stress: number[][];
}

export interface SliceOptions {
  points?: number;
  span?: number;
  /** Progress: evaluations done, of total. */
  onPoint?: (done: number, total: number) => void;
  /** Checked before each evaluation; return true to stop (throws 'cancelled'). */
  cancelled?: () => boolean;
}

function check(o: SliceOptions): void {
  if (o.cancelled?.()) throw new Error('cancelled');
}

export function lossSlice1d(fn: LossFunction, center: readonly ArrayLike<number>[], d: Direction, o: SliceOptions = {}): Slice1d {
  const axis = gridAxis(o.points ?? 21, o.span ?? 1);
  const s: Slice1d = { axis, total: [], energy: [], forces: [], stress: [] };
  axis.forEach((a, k) => {
    check(o);
    const l = fn(combine(center, [d], [a]));
    s.total.push(l.total);
    s.energy.push(l.energy);
    s.forces.push(l.forces);
    s.stress.push(l.stress);
    o.onPoint?.(k + 1, axis.length);
  });
  return s;
}

export function lossSlice2d(fn: LossFunction, center: readonly ArrayLike<number>[], d1: Direction, d2: Direction, o: SliceOptions = {}): Slice2d {
  const alpha = gridAxis(o.points ?? 15, o.span ?? 1), beta = gridAxis(o.points ?? 15, o.span ?? 1);
  const s: Slice2d = { alpha, beta, total: [], energy: [], forces: [], stress: [] };
  let done = 0;
  for (const b of beta) {
    const row: LossTerms[] = [];
    for (const a of alpha) {
      check(o);
      row.push(fn(combine(center, [d1, d2], [a, b])));
      o.onPoint?.(++done, alpha.length * beta.length);
    }
    s.total.push(row.map((l) => l.total));
    s.energy.push(row.map((l) => l.energy));
    s.forces.push(row.map((l) => l.forces));
    s.stress.push(row.map((l) => l.stress));
  }
  return s;
}

export interface ProjectedPath {
  alpha: number[];
  beta: number[];
  /** |Δ - (α d1 + β d2)| / |Δ| per point (0 when the point lies in the plane; 0 for Δ = 0). */
  residual: number[];
  /** |θ_t - θ*| per point. */
  distance: number[];
}

/** Least-squares coordinates of path points in the plane (θ*, d1, d2). */
export function projectPath(path: readonly (readonly ArrayLike<number>[])[], center: readonly ArrayLike<number>[], d1: Direction, d2: Direction): ProjectedPath {
  const g11 = dot(d1, d1), g12 = dot(d1, d2), g22 = dot(d2, d2);
  const det = g11 * g22 - g12 * g12;
  const out: ProjectedPath = { alpha: [], beta: [], residual: [], distance: [] };
  for (const p of path) {
    const delta = difference(p, center);
    const b1 = dot(d1, delta), b2 = dot(d2, delta), dd = dot(delta, delta);
    const a = det > 0 ? (g22 * b1 - g12 * b2) / det : g11 > 0 ? b1 / g11 : 0;
    const b = det > 0 ? (g11 * b2 - g12 * b1) / det : 0;
    // |Δ - P Δ|² = |Δ|² - (a b1 + b b2) for the least-squares projection
    const inPlane = a * b1 + b * b2;
    out.alpha.push(a);
    out.beta.push(b);
    out.residual.push(dd > 0 ? Math.sqrt(Math.max(0, dd - inPlane) / dd) : 0);
    out.distance.push(Math.sqrt(dd));
  }
  return out;
}

/**
 * The two leading principal directions of the path's displacements from θ* (Li et al. §7), by
 * eigen-decomposition of the small T×T Gram matrix of the displacements. Directions have the
 * norm of the largest displacement; `explained` = fraction of the path's squared displacement
 * captured by each.
 */
export function pcaDirections(path: readonly (readonly ArrayLike<number>[])[], center: readonly ArrayLike<number>[]): { d1: Direction; d2: Direction; explained: [number, number] } {
  const D = path.map((p) => difference(p, center));
  const T = D.length;
  const G = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => dot(D[i], D[j])));
  const trace = G.reduce((s, r, i) => s + r[i], 0);
  const vecs: number[][] = [], vals: number[] = [];
  for (let c = 0; c < 2; c++) {
    // power iteration with deflation against the components already found
    let v = Array.from({ length: T }, (_, i) => 1 + 0.1 * i * (c + 1));
    let lambda = 0;
    for (let it = 0; it < 500; it++) {
      for (const u of vecs) {
        const p = v.reduce((s, x, i) => s + x * u[i], 0);
        v = v.map((x, i) => x - p * u[i]);
      }
      const w = G.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
      const n = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
      if (!(n > 0)) break;
      const next = w.map((x) => x / n);
      const diff = next.reduce((s, x, i) => s + Math.abs(x - v[i]), 0);
      v = next;
      lambda = n;
      if (diff < 1e-12) break;
    }
    vecs.push(v);
    vals.push(lambda);
  }
  const scale = Math.sqrt(Math.max(...G.map((r, i) => r[i]), 0));
  const dirs = vecs.map((v) => {
    const d = center.map((c) => new Float64Array(c.length));
    v.forEach((coef, i) => D[i].forEach((x, t) => {
      for (let q = 0; q < x.length; q++) d[t][q] += coef * x[q];
    }));
    const n = Math.sqrt(dot(d, d));
    if (n > 0) for (const x of d) for (let q = 0; q < x.length; q++) x[q] *= scale / n;
    return d;
  });
  return { d1: dirs[0], d2: dirs[1], explained: [trace > 0 ? vals[0] / trace : 0, trace > 0 ? vals[1] / trace : 0] };
}
