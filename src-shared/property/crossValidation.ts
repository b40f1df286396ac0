// Cross-validated kernel ridge regression with hyper-parameters chosen by nested cross-validation
// (Hansen et al., JCTC 9, 3404 (2013), §2.4: "the hyperparameters are chosen by an inner
// cross-validation on the training folds only"; test folds never influence σ or λ).
//
// Outer loop: the folds given by the data (e.g. QM7's `split` key, the 5 folds of Montavon et al.
// 2012) or random ones; each fold is predicted by a model trained on all the others.
// Inner loop (per outer fold): log grids of σ (multiples of the median pairwise distance, so the
// grid follows the representation's units) and λ, searched coordinate-wise (searchHyperparameters)
// and scored by the mean absolute error of an `innerFolds`-fold CV on a random subsample of at most
// `innerMaxTrain` training structures (the full training set would cost a 5,700² Cholesky per
// grid point). When the best σ lies on the edge of its grid the grid is extended by factors of 2
// in that direction (up to 4 times).
// The best Laplacian/Gaussian width shrinks as the training set grows, so a σ chosen on a 1,200
// subsample is too wide for 5,700 training molecules (QM7 bag of bonds, fold 0: 2.45 kcal/mol at the
// subsample's σ against 2.31 at the best σ for the full part). When the training part is larger than
// the subsample, σ is therefore refined at (nearly) full size: fit on a random 80 % of the training
// part, score the other 20 %, and step σ by factors of 2 from the subsample's choice while the
// hold-out error falls (refineSigmaAtFullSize). The test fold is still never seen.
// Then one closed-form fit on the whole training part with the chosen (σ, λ); if K + λI is not
// numerically positive definite, λ is raised ×10 (from at least 1e-10; at most 4 times) and the
// fold records it.
//
// Domain of applicability, per fold: a test structure whose distance to its nearest training
// structure exceeds the 99th percentile of the training structures' nearest-neighbour distances is
// flagged out of domain (the kernel model extrapolates there: on QM7, methane in fold 0 is predicted
// thousands of kcal/mol off by a narrow Gaussian kernel). Each training structure's neighbour is
// looked for in the *other* folds of the training part, as a test structure's is: with grouped folds
// (rattled copies or conformers of one molecule kept in one fold) the nearest neighbour in its own
// fold would be a copy, and the threshold far too tight. With two outer folds the training part is a
// single fold and there is no such reference, so nothing is flagged and the fold reports no domain.
// Flags and their errors are reported; predictions are never altered.
//
// The distance matrix between all structures is computed once (n² doubles: 410 MB at n = 7,165)
// and every kernel is derived from it. Targets that are missing (NaN) or structures without a fold
// are excluded and counted, never zero-filled.
import type { Frame, InfoValue } from '../atoms/frame';
import { createRng, type Rng } from '../space/rng';
import { NotPositiveDefiniteError } from './cholesky';
import { kernelFromDistances, medianDistance, selfDistances, type KernelKind, type Metric } from './kernels';
import { predictFromKernel, solveKrr } from './krr';
import { regressionErrors } from './metrics';
import { fitComposition } from './compositionBaseline';
import { predictLinear } from './linearRidge';

export interface FoldAssignment {
  /** [n] fold index 0..k-1 of each structure, -1 = in no fold (excluded). */
  ids: Int32Array;
  /** Name of each fold (the info value, or "0".."k-1"). */
  labels: string[];
}

/** Folds from a per-frame info key (integers or strings); frames without the key are excluded. */
export function foldsFromInfo(frames: readonly Pick<Frame, 'info'>[], key: string): FoldAssignment | { error: string } {
  const values: (InfoValue | undefined)[] = frames.map((f) => f.info[key]);
  const present = values.filter((v) => v !== undefined).length;
  if (present === 0) return { error: `no frame has the info key "${key}" (folds)` };
  const labels: string[] = [];
  const index = new Map<string, number>();
  const ids = new Int32Array(frames.length).fill(-1);
  const bad = values.findIndex((v) => v !== undefined && typeof v !== 'number' && typeof v !== 'string');
  if (bad >= 0) return { error: `frame ${bad}: fold key "${key}" must be a number or a string, got ${JSON.stringify(values[bad])}` };
  const distinct = [...new Set(values.filter((v) => v !== undefined).map(String))];
  distinct.sort((a, b) => (isFinite(Number(a)) && isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b)));
  for (const d of distinct) {
    index.set(d, labels.length);
    labels.push(d);
  }
  if (labels.length < 2) return { error: `fold key "${key}" has a single value (${labels[0]}); cross-validation needs at least 2 folds` };
  values.forEach((v, i) => {
    if (v !== undefined) ids[i] = index.get(String(v))!;
  });
  return { ids, labels };
}

/** k random folds of (nearly) equal size, seeded. */
export function randomFolds(n: number, k: number, seed = 1): FoldAssignment {
  if (!(k >= 2 && k <= n)) throw new Error(`randomFolds: need 2 <= k <= n, got k=${k}, n=${n}`);
  const order = shuffled(n, createRng(seed));
  const ids = new Int32Array(n);
  order.forEach((i, r) => (ids[i] = r % k));
  return { ids, labels: Array.from({ length: k }, (_, f) => String(f)) };
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export interface CvProgress {
  stage: 'distances' | 'search' | 'refine' | 'fit';
  /** Outer fold (0-based), -1 for the distance stage. */
  fold: number;
  folds: number;
  done: number;
  total: number;
}

export interface KrrCvOptions {
  kernel: KernelKind;
  /** Default: l2 for gaussian, l1 for laplacian. */
  metric?: Metric;
  /** Fixed σ (no search over σ). */
  sigma?: number;
  /** Fixed λ (no search over λ). */
  lambda?: number;
  /** σ grid as multiples of the median pairwise distance. Default 2^-2 .. 2^4. */
  sigmaFactors?: number[];
  /** λ grid. Default 1e-1 .. 1e-11 in steps of 100. */
  lambdas?: number[];
  /** Inner folds for the search. Default 4. */
  innerFolds?: number;
  /** Largest subsample of a training part used in the search. Default 1200. */
  innerMaxTrain?: number;
  /**
   * When the training part is larger than the subsample: refine σ on an 80/20 hold-out split of the
   * whole training part (see the header). Default true.
   */
  refineSigma?: boolean;
  seed?: number;
  /**
   * Precomputed distance matrix [m·m] (metric as above) over the usable structures, in order
   * (those with a fold and a finite target); reused by callers that need it again (learning curve).
   */
  distances?: Float64Array;
  onProgress?: (p: CvProgress) => void;
  signal?: { readonly aborted: boolean };
  /**
   * Composition baseline (compositionBaseline.ts): [nAll·S] element counts. Per outer fold the
   * per-element contributions are fitted on that fold's training part only; σ, λ and the KRR fit
   * see the residual, and the baseline is added back to the predictions.
   */
  baseline?: { counts: Float64Array; elements: number[] };
}

export interface GridPoint {
  sigma: number;
  lambda: number;
  /** Inner-CV MAE; Infinity when K + λI was not positive definite. */
  mae: number;
}

export interface FoldResult {
  fold: string;
  nTrain: number;
  nTest: number;
  mae: number;
  rmse: number;
  sigma: number;
  lambda: number;
  /** Inner-CV MAE of the chosen point (NaN when σ and λ were fixed). */
  innerMae: number;
  /**
   * Out-of-domain test structures (nearest training distance above `threshold`, the 99th percentile of
   * the training structures' nearest-neighbour distances): how many, and the MAE over them and over the rest.
   */
  domain?: { threshold: number; nOut: number; maeOut: number; maeIn: number };
  /** The σ refinement at full size, when it ran: the subsample's σ and each σ tried with its hold-out MAE. */
  refine?: { sigmaSubsample: number; tried: { sigma: number; mae: number }[] };
  /** λ had to be raised for the full fit (the value above is the one used). */
  lambdaRaised: boolean;
  /** With a composition baseline: its per-element contributions (target units) and its own test MAE. */
  baseline?: { perElement: Record<number, number>; mae: number };
}

export interface KrrCvResult {
  kernel: KernelKind;
  metric: Metric;
  mae: number;
  rmse: number;
  maxAbs: number;
  r2: number;
  /** Structures predicted (each exactly once). */
  n: number;
  /** Structures left out: no fold, or no target value. */
  excluded: number;
  folds: FoldResult[];
  /** [n structures] out-of-fold predictions, NaN for excluded ones. */
  predictions: Float64Array;
  /** [n structures] distance (the kernel's metric) to the nearest structure of the fold's training part; NaN for excluded ones. */
  nearestTrainDistance: Float64Array;
  /** [n structures] 1 where the structure was out of its fold's training domain (see FoldResult.domain). */
  outOfDomain: Uint8Array;
  /** Over all folds: whether any fold could assess its domain, how many structures were out, and the MAE over them and over the rest (NaN when empty). */
  domain: DomainSummary;
  medianDistance: number;
  timingsS: { distances: number; search: number; fit: number };
}

export class CvCancelled extends Error {
  constructor() {
    super('cross-validation cancelled');
  }
}

const DEFAULT_SIGMA_FACTORS = [0.25, 0.5, 1, 2, 4, 8, 16];
const DEFAULT_LAMBDAS = [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11];

/**
 * Nested cross-validation of KRR on features X ([nAll·dim]) with targets y ([nAll], NaN = missing).
 */
export function crossValidateKrr(X: Float64Array, nAll: number, dim: number, y: ArrayLike<number>, folds: FoldAssignment, opts: KrrCvOptions): KrrCvResult {
  const metric = opts.metric ?? (opts.kernel === 'gaussian' ? 'l2' : 'l1');
  const rng = createRng(opts.seed ?? 1);
  const check = () => {
    if (opts.signal?.aborted) throw new CvCancelled();
  };
  // Usable structures, compacted.
  const use: number[] = [];
  for (let i = 0; i < nAll; i++) if (folds.ids[i] >= 0 && Number.isFinite(y[i])) use.push(i);
  const m = use.length;
  const Xu = new Float64Array(m * dim);
  const yu = new Float64Array(m);
  const fu = new Int32Array(m);
  use.forEach((i, k) => {
    Xu.set(X.subarray(i * dim, (i + 1) * dim), k * dim);
    yu[k] = y[i];
    fu[k] = folds.ids[i];
  });
  let Bu: Float64Array | null = null;
  if (opts.baseline) {
    const S = opts.baseline.elements.length;
    if (opts.baseline.counts.length !== nAll * S) throw new Error(`crossValidateKrr: baseline counts must be ${nAll}×${S}, got ${opts.baseline.counts.length} entries`);
    Bu = new Float64Array(m * S);
    use.forEach((i, k) => Bu!.set(opts.baseline!.counts.subarray(i * S, (i + 1) * S), k * S));
  }
  const K = folds.labels.length;
  const t0 = performance.now();
  if (opts.distances && opts.distances.length !== m * m) throw new Error(`crossValidateKrr: distances must be ${m}×${m} (the usable structures), got ${opts.distances.length} entries`);
  const D =
    opts.distances ??
    selfDistances(Xu, m, dim, metric, (done, total) => {
      check();
      opts.onProgress?.({ stage: 'distances', fold: -1, folds: K, done, total });
    });
  const tDist = (performance.now() - t0) / 1000;
  const scale = medianDistance(D, m);
  const sigmaGrid = opts.sigma !== undefined ? [opts.sigma] : (opts.sigmaFactors ?? DEFAULT_SIGMA_FACTORS).map((f) => f * scale);
  const lambdaGrid = opts.lambda !== undefined ? [opts.lambda] : (opts.lambdas ?? DEFAULT_LAMBDAS);
  const pred = new Float64Array(nAll).fill(NaN);
  const nearest = new Float64Array(nAll).fill(NaN);
  const outOfDomain = new Uint8Array(nAll);
  const results: FoldResult[] = [];
  let tSearch = 0, tFit = 0;
  for (let k = 0; k < K; k++) {
    const train: number[] = [], test: number[] = [];
    for (let i = 0; i < m; i++) (fu[i] === k ? test : train).push(i);
    if (test.length === 0) continue;
    if (train.length < 2) throw new Error(`fold ${folds.labels[k]}: only ${train.length} training structures`);
    const ts = performance.now();
    // the target this fold's model learns: y, or its residual from a baseline fitted on `train`
    let target: Float64Array = yu;
    let base: Float64Array | null = null;
    let baseInfo: FoldResult['baseline'];
    if (opts.baseline) {
      const S = opts.baseline.elements.length;
      const c = fitComposition(Bu!, S, train, yu);
      base = predictLinear(c, Bu!, m);
      target = Float64Array.from(yu, (v, i) => v - base![i]);
      baseInfo = { perElement: Object.fromEntries(opts.baseline.elements.map((z, p) => [z, c.w[p]])), mae: regressionErrors(test.map((i) => yu[i]), test.map((i) => base![i] + mean(train, target))).mae };
    }
    let best: GridPoint = { sigma: sigmaGrid[0], lambda: lambdaGrid[0], mae: NaN };
    let refine: FoldResult['refine'];
    if (sigmaGrid.length * lambdaGrid.length > 1) {
      const sub = shuffled(train.length, rng).slice(0, Math.min(opts.innerMaxTrain ?? 1200, train.length)).map((r) => train[r]);
      const chosen = chooseHyperparameters(D, m, train, sub, target, opts.kernel, sigmaGrid, lambdaGrid, {
        extend: opts.sigma === undefined,
        innerFolds: opts.innerFolds ?? 4,
        rng,
        // its own seeded stream, so that refining leaves the other folds' subsamples as they were
        refineRng: opts.refineSigma ?? true ? createRng((opts.seed ?? 1) * 7919 + 101 + k) : undefined,
        onProgress: (stage, done, total) => {
          check();
          opts.onProgress?.({ stage, fold: k, folds: K, done, total });
        },
      });
      best = { sigma: chosen.sigma, lambda: chosen.lambda, mae: chosen.mae };
      refine = chosen.refine;
    }
    tSearch += (performance.now() - ts) / 1000;
    const tf = performance.now();
    opts.onProgress?.({ stage: 'fit', fold: k, folds: K, done: 0, total: 1 });
    const ytr = train.map((i) => target[i]);
    let lambda = best.lambda;
    let fit: { alpha: Float64Array; yMean: number } | null = null;
    for (let attempt = 0; attempt <= 4 && !fit; attempt++) {
      check();
      const Ktr = kernelFromDistances(D, m, train, train, opts.kernel, best.sigma);
      try {
        fit = solveKrr(Ktr, train.length, ytr, lambda);
      } catch (e) {
        if (!(e instanceof NotPositiveDefiniteError) || attempt === 4) throw e;
        lambda = Math.max(lambda * 10, 1e-10);
      }
    }
    const Kq = kernelFromDistances(D, m, test, train, opts.kernel, best.sigma);
    const p = predictFromKernel(Kq, test.length, train.length, fit!.alpha, fit!.yMean);
    if (base) test.forEach((i, q) => (p[q] += base![i]));
    test.forEach((i, q) => (pred[use[i]] = p[q]));
    const err = regressionErrors(test.map((i) => yu[i]), p);
    const dom = domainOfFold(D, m, train, test, fu);
    let aOut = 0, aIn = 0, nOut = 0;
    test.forEach((i, q) => {
      nearest[use[i]] = dom.nearest[q];
      const e = Math.abs(p[q] - yu[i]);
      if (dom.nearest[q] > dom.threshold) {
        outOfDomain[use[i]] = 1;
        nOut++;
        aOut += e;
      } else aIn += e;
    });
    const domain = Number.isFinite(dom.threshold) ? { threshold: dom.threshold, nOut, maeOut: nOut ? aOut / nOut : NaN, maeIn: test.length > nOut ? aIn / (test.length - nOut) : NaN } : undefined;
    results.push({ fold: folds.labels[k], nTrain: train.length, nTest: test.length, mae: err.mae, rmse: err.rmse, sigma: best.sigma, lambda, innerMae: best.mae, lambdaRaised: lambda !== best.lambda, ...(domain ? { domain } : {}), ...(refine ? { refine } : {}), ...(baseInfo ? { baseline: baseInfo } : {}) });
    opts.onProgress?.({ stage: 'fit', fold: k, folds: K, done: 1, total: 1 });
    tFit += (performance.now() - tf) / 1000;
  }
  const all = regressionErrors(y, pred, Int32Array.from(use));
  return {
    kernel: opts.kernel,
    metric,
    mae: all.mae,
    rmse: all.rmse,
    maxAbs: all.maxAbs,
    r2: all.r2,
    n: m,
    excluded: nAll - m,
    folds: results,
    predictions: pred,
    nearestTrainDistance: nearest,
    outOfDomain,
    domain: domainSummary(results, y, pred, outOfDomain),
    medianDistance: scale,
    timingsS: { distances: tDist, search: tSearch, fit: tFit },
  };
}

export interface DomainSummary {
  assessed: boolean;
  nOut: number;
  maeOut: number;
  maeIn: number;
}

function domainSummary(folds: readonly FoldResult[], y: ArrayLike<number>, pred: Float64Array, out: Uint8Array): DomainSummary {
  let nOut = 0, nIn = 0, aOut = 0, aIn = 0;
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(pred[i])) continue;
    const e = Math.abs(pred[i] - y[i]);
    if (out[i]) {
      nOut++;
      aOut += e;
    } else {
      nIn++;
      aIn += e;
    }
  }
  return { assessed: folds.some((f) => f.domain), nOut, maeOut: nOut ? aOut / nOut : NaN, maeIn: nIn ? aIn / nIn : NaN };
}

/**
 * (σ, λ) for a KRR model to be trained on `train` (indices into D): searchHyperparameters on the
 * subsample `sub` ⊆ `train`; then, when `sub` is smaller than `train`, σ was searched (more than one
 * σ) and `refineRng` is given, σ refined at full size (refineSigmaAtFullSize). The one place that
 * decides how hyper-parameters are chosen, for cross-validation, learning curves and single models.
 */
export function chooseHyperparameters(D: Float64Array, nD: number, train: readonly number[], sub: number[], y: ArrayLike<number>, kernel: KernelKind, sigmas: number[], lambdas: number[], o: { extend: boolean; innerFolds: number; rng: Rng; refineRng?: Rng; onProgress?: (stage: 'search' | 'refine', done: number, total: number) => void }): GridPoint & { refine?: FoldResult['refine'] } {
  const best = searchHyperparameters(D, nD, sub, y, kernel, sigmas, lambdas, o.extend, o.innerFolds, o.rng, o.onProgress && ((d, t) => o.onProgress!('search', d, t)));
  if (!o.refineRng || sigmas.length < 2 || sub.length >= train.length || !Number.isFinite(best.mae)) return best;
  const r = refineSigmaAtFullSize(D, nD, train, y, kernel, best.sigma, best.lambda, o.refineRng, o.onProgress && ((d, t) => o.onProgress!('refine', d, t)));
  return { ...best, sigma: r.sigma, refine: { sigmaSubsample: best.sigma, tried: r.tried } };
}

/**
 * σ at (nearly) the full training size: fit on a random 80 % of `train` (indices into D), score the
 * MAE on the other 20 %, starting at the subsample's σ0 and stepping ÷2 while the error falls (up to
 * 4 steps), or ×2 if the first halving did not help. λ stays as chosen. Returns the best σ and every
 * σ tried (an indefinite K + λI scores Infinity).
 */
export function refineSigmaAtFullSize(D: Float64Array, nD: number, train: readonly number[], y: ArrayLike<number>, kernel: KernelKind, sigma0: number, lambda: number, rng: Rng, onProgress?: (done: number, total: number) => void): { sigma: number; tried: { sigma: number; mae: number }[] } {
  const order = shuffled(train.length, rng);
  const nHold = Math.max(1, Math.round(0.2 * train.length));
  const hold = order.slice(0, nHold).map((r) => train[r]);
  const fit = order.slice(nHold).map((r) => train[r]);
  const yFit = fit.map((i) => y[i]);
  const tried: { sigma: number; mae: number }[] = [];
  const total = 4;
  const score = (sigma: number): number => {
    let mae = Infinity;
    try {
      const sol = solveKrr(kernelFromDistances(D, nD, fit, fit, kernel, sigma), fit.length, yFit, lambda);
      const p = predictFromKernel(kernelFromDistances(D, nD, hold, fit, kernel, sigma), hold.length, fit.length, sol.alpha, sol.yMean);
      mae = 0;
      hold.forEach((i, q) => (mae += Math.abs(p[q] - y[i]) / hold.length));
    } catch (err) {
      if (!(err instanceof NotPositiveDefiniteError)) throw err;
    }
    tried.push({ sigma, mae });
    onProgress?.(tried.length, Math.max(total, tried.length));
    return mae;
  };
  let best = { sigma: sigma0, mae: score(sigma0) };
  for (const f of [0.5, 2]) {
    for (let step = 0; step < 4; step++) {
      const s = best.sigma * f;
      const e = score(s);
      if (!(e < best.mae)) break;
      best = { sigma: s, mae: e };
    }
    if (best.sigma !== sigma0) break;
  }
  return { sigma: best.sigma, tried };
}

/**
 * Nearest-training-structure distance of each test structure, and the out-of-domain threshold: the
 * 99th percentile of each training structure's distance to its nearest training structure in another
 * fold (`foldOf`, indexed like D). Infinity (nothing flagged) when the training part is one fold.
 */
export function domainOfFold(D: Float64Array, nD: number, train: readonly number[], test: readonly number[], foldOf: ArrayLike<number>): { nearest: Float64Array; threshold: number } {
  const multiFold = train.some((j) => foldOf[j] !== foldOf[train[0]]);
  const nn = (i: number, self: boolean) => {
    let best = Infinity;
    const o = i * nD;
    for (const j of train) {
      if (self && foldOf[j] === foldOf[i]) continue;
      if (D[o + j] < best) best = D[o + j];
    }
    return best;
  };
  const own = multiFold ? Float64Array.from(train, (i) => nn(i, true)).sort() : new Float64Array(0);
  const threshold = own.length ? own[Math.min(own.length - 1, Math.ceil(0.99 * own.length) - 1)] : Infinity;
  return { nearest: Float64Array.from(test, (i) => nn(i, false)), threshold };
}

function mean(rows: readonly number[], v: ArrayLike<number>): number {
  let s = 0;
  for (const i of rows) s += v[i];
  return s / Math.max(1, rows.length);
}

/**
 * Coordinate search of (σ, λ) by `innerFolds`-fold CV over the structures `sub` (indices into D),
 * scored by mean absolute error: σ over its grid at the second-smallest λ (extended by ×2 / ÷2
 * steps, up to 4, when the best σ is on the grid's edge and `extend` is set), then λ over its grid
 * at that σ, then σ again if λ moved. About a third of the solves of the full σ×λ grid, and the
 * same answer on QM7 (the error surface is smooth and nearly separable in log σ, log λ).
 */
export function searchHyperparameters(D: Float64Array, nD: number, sub: number[], y: ArrayLike<number>, kernel: KernelKind, sigmas: number[], lambdas: number[], extend: boolean, innerFolds: number, rng: Rng, onProgress?: (done: number, total: number) => void): GridPoint {
  const s = sub.length;
  const kf = Math.max(2, Math.min(innerFolds, s));
  const order = shuffled(s, rng);
  const innerId = new Int32Array(s);
  order.forEach((r, q) => (innerId[r] = q % kf));
  const parts = Array.from({ length: kf }, (_, f) => {
    const tr: number[] = [], va: number[] = [];
    for (let r = 0; r < s; r++) (innerId[r] === f ? va : tr).push(r);
    return { tr, va };
  });
  const ySub = sub.map((i) => y[i]);
  const kernels = new Map<number, Float64Array>();
  const points = new Map<string, GridPoint>();
  let done = 0;
  const estimate = sigmas.length + lambdas.length + 2;
  const evaluate = (sigma: number, lambda: number): GridPoint => {
    const key = `${sigma}|${lambda}`;
    const hit = points.get(key);
    if (hit) return hit;
    let Ks = kernels.get(sigma);
    if (!Ks) kernels.set(sigma, (Ks = kernelFromDistances(D, nD, sub, sub, kernel, sigma))); // [s·s]
    let mae = 0;
    for (const { tr, va } of parts) {
      const nt = tr.length;
      const Ktr = new Float64Array(nt * nt);
      for (let a = 0; a < nt; a++) {
        const o = a * nt, src = tr[a] * s;
        for (let b = 0; b <= a; b++) Ktr[o + b] = Ks[src + tr[b]];
      }
      const Kq = new Float64Array(va.length * nt);
      va.forEach((r, a) => tr.forEach((c, b) => (Kq[a * nt + b] = Ks![r * s + c])));
      try {
        const fit = solveKrr(Ktr, nt, tr.map((r) => ySub[r]), lambda);
        const p = predictFromKernel(Kq, va.length, nt, fit.alpha, fit.yMean);
        va.forEach((r, q) => (mae += Math.abs(p[q] - ySub[r]) / s));
      } catch (err) {
        if (!(err instanceof NotPositiveDefiniteError)) throw err;
        mae = Infinity;
        break;
      }
    }
    const pt = { sigma, lambda, mae };
    points.set(key, pt);
    onProgress?.(++done, Math.max(done, estimate));
    return pt;
  };
  const better = (a: GridPoint, b: GridPoint) => (b.mae < a.mae ? b : a);
  const scanSigma = (lambda: number): GridPoint => {
    const grid = [...sigmas];
    let best = grid.map((sg) => evaluate(sg, lambda)).reduce(better);
    for (let ext = 0; extend && ext < 4 && grid.length > 1 && Number.isFinite(best.mae); ext++) {
      let next: number;
      if (best.sigma === grid[grid.length - 1]) grid.push((next = best.sigma * 2));
      else if (best.sigma === grid[0]) grid.unshift((next = best.sigma / 2));
      else break;
      best = better(best, evaluate(next, lambda));
    }
    return best;
  };
  const sortedL = [...lambdas].sort((a, b) => a - b);
  const lambda0 = sortedL[Math.min(1, sortedL.length - 1)];
  let best = sigmas.length > 1 ? scanSigma(lambda0) : evaluate(sigmas[0], lambda0);
  if (!Number.isFinite(best.mae)) best = sigmas.length > 1 ? scanSigma(sortedL[sortedL.length - 1]) : evaluate(sigmas[0], sortedL[sortedL.length - 1]);
  const atSigma = lambdas.map((l) => evaluate(best.sigma, l)).reduce(better);
  best = better(best, atSigma);
  if (best.lambda !== lambda0 && sigmas.length > 1) best = better(best, scanSigma(best.lambda));
  return best;
}
