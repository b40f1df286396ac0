// Property-model study behind the UI's property view (issue 7): one call that featurizes a dataset,
// cross-validates a kernel ridge model over given folds (nested CV for σ, λ: crossValidation.ts),
// and adds the three pictures that make the trade-offs visible:
//   - learning curve: test on the first fold, train on growing random subsets of the other folds
//     (σ, λ re-chosen by inner CV at every size), MAE against training size with its log-log slope;
//   - cost against size: seconds per structure of cm-eigen, cm-sorted and bob measured on compact
//     random C/H blobs of 8..256 atoms and on the dataset's own structures, with the fitted log-log
//     exponent (O(N³) eigenvalues against O(N²) bags);
//   - size extensivity: models trained on the other folds predict far-apart pairs of first-fold
//     molecules; E(A ∪ B) - E(A) - E(B) for the chosen model, a Coulomb-matrix model and a linear
//     model on bag sums (extensivity.ts).
// The distance matrix is computed once and shared by the CV and the learning curve. Timings are
// measurements reported as data, never asserted. Pure: runs in a worker thread (host) or in tests.
import type { Frame } from '../atoms/frame';
import { makeFrame } from '../atoms/frame';
import { createRng, type Rng } from '../space/rng';
import { featurizeAll, representationById, type RepresentationId } from '../representations/registry';
import { NotPositiveDefiniteError } from './cholesky';
import { compositionFeatures, fitComposition, type CompositionFeatures } from './compositionBaseline';
import { predictLinear } from './linearRidge';
import { chooseHyperparameters, crossValidateKrr, type DomainSummary, type FoldAssignment, type FoldResult } from './crossValidation';
import { extensivityStudy, pairFrames } from './extensivity';
import { kernelFromDistances, medianDistance, selfDistances, type KernelKind, type Metric } from './kernels';
import { predictFromKernel, solveKrr } from './krr';
import { regressionErrors } from './metrics';
import { propertyModelById, trainPropertyModel, type PropertyModelId } from './propertyModel';

export interface StudyProgress {
  stage: 'features' | 'distances' | 'cross-validation' | 'learning-curve' | 'cost' | 'extensivity';
  message: string;
  /** Overall fraction done, 0..1. */
  fraction: number;
}

/** Fits a regressor on features ([n·dim]) and returns its predictor (the MLP, with tfjs injected). */
export type AsyncRegressor = (X: Float64Array, n: number, dim: number, y: Float64Array) => Promise<(Xq: Float64Array, nq: number) => Float64Array>;

export interface PropertyStudyOptions {
  representation: RepresentationId;
  /** A kernel model (krr-gaussian, krr-laplacian), or 'mlp' with `regressor` given. */
  model: PropertyModelId;
  /** The MLP's fit (model 'mlp'). */
  regressor?: AsyncRegressor;
  /** [frames.length] targets, NaN = missing (excluded). */
  targets: Float64Array;
  folds: FoldAssignment;
  innerMaxTrain?: number;
  seed?: number;
  learningCurve?: boolean;
  /**
   * 'composition': the kernel model learns the residual of a per-element least-squares ("dressed
   * atom") baseline fitted on each training set (cross-validation folds, learning-curve sizes, the
   * extensivity model), and the baseline is added back (compositionBaseline.ts). Kernel models only.
   */
  baseline?: 'none' | 'composition';
  costVsSize?: boolean;
  extensivity?: boolean;
  /** Largest blob in the cost sweep (default 256 atoms). */
  costMaxAtoms?: number;
  onProgress?: (p: StudyProgress) => void;
}

export interface CurvePoint {
  nTrain: number;
  mae: number;
  rmse: number;
  sigma: number;
  lambda: number;
}

export interface CostSeries {
  representation: RepresentationId;
  /** Blob sweep: atom counts and seconds per structure. */
  atoms: number[];
  secondsPerStructure: number[];
  /** Least-squares slope of log(time) on log(N) over the largest half of the sweep. */
  exponent: number;
  /** The dataset's own structures: mean seconds per structure at each atom count present. */
  datasetAtoms: number[];
  datasetSecondsPerStructure: number[];
}

export interface ExtensivityCase {
  representation: RepresentationId;
  model: PropertyModelId;
  sizeExtensive: boolean;
  meanAbsDifference: number;
  maxAbsDifference: number;
  meanRelativeDifference: number;
  /** Mean |E(A ∪ B) - E(A) - E(B)| with the pair 10× further apart (FAR_GAP_A): terms that fall
   *  off with the gap (bag sums' 1/r cross terms) shrink, a non-extensive model's error does not. */
  meanAbsDifferenceFar: number;
  /** The model learned the residual of the composition baseline (the user's case, when asked for). */
  baseline?: 'composition';
  /** Per pair: sum of the parts' predictions and the pair's prediction. */
  sumOfParts: number[];
  pairPrediction: number[];
}

export interface PropertyStudyResult {
  representation: RepresentationId;
  model: PropertyModelId;
  baseline: 'none' | 'composition';
  /** With the composition baseline: its own cross-validated MAE (mean over folds, target units). */
  baselineMae: number | null;
  /** null for the MLP. */
  kernel: KernelKind | null;
  metric: Metric | null;
  dimension: number;
  n: number;
  excluded: number;
  mae: number;
  rmse: number;
  maxAbs: number;
  r2: number;
  folds: FoldResult[];
  /** Parity data of the usable structures: frame index, target, out-of-fold prediction, fold. */
  parity: { frame: Int32Array; reference: Float64Array; predicted: Float64Array; fold: Int32Array; outOfDomain?: Uint8Array };
  /** Kernel models: out-of-domain structures over all folds (crossValidateKrr's summary); null for the MLP. */
  domain: DomainSummary | null;
  learningCurve: { testFold: string; nTest: number; points: CurvePoint[]; slope: number | null } | null;
  cost: CostSeries[] | null;
  extensivity: { gapA: number; farGapA: number; pairs: number; trainedOn: number; cases: ExtensivityCase[] } | { skipped: string } | null;
  timingsS: { features: number; distances: number; crossValidation: number; learningCurve: number; cost: number; extensivity: number };
}

const GAP_A = 50;
const FAR_GAP_A = 500;
const SIGMA_FACTORS = [0.25, 0.5, 1, 2, 4, 8, 16];
const LAMBDAS = [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11];

/** Run the study; throws with a clear message on unusable input. */
export async function runPropertyStudy(frames: readonly Frame[], o: PropertyStudyOptions): Promise<PropertyStudyResult> {
  const rep = representationById(o.representation);
  if (!rep) throw new Error(`unknown representation "${o.representation}"`);
  const spec = propertyModelById(o.model);
  const baseline = o.baseline ?? 'none';
  if (baseline !== 'none' && baseline !== 'composition') throw new Error(`baseline must be none or composition, got "${String(baseline)}"`);
  if (o.model === 'mlp') {
    if (!o.regressor) throw new Error('model "mlp" needs its regressor (TensorFlow.js) from the host');
    if (baseline !== 'none') throw new Error('the composition baseline is for the kernel models (krr-gaussian, krr-laplacian); the MLP learns the target directly');
    return runRegressorStudy(frames, o, o.regressor);
  }
  if (!spec?.kernel) throw new Error(`model "${o.model}" is not a kernel model (krr-gaussian, krr-laplacian) or mlp`);
  if (o.targets.length !== frames.length) throw new Error(`targets: ${o.targets.length} values for ${frames.length} frames`);
  const kernel = spec.kernel;
  const metric = spec.defaultMetric!;
  const progress = (stage: StudyProgress['stage'], message: string, fraction: number) => o.onProgress?.({ stage, message, fraction: Math.min(1, Math.max(0, fraction)) });
  const seed = o.seed ?? 1;
  const innerMaxTrain = o.innerMaxTrain ?? 1200;

  // Usable structures (a fold and a finite target), compacted so that the distance matrix is m×m.
  const use: number[] = [];
  for (let i = 0; i < frames.length; i++) if (o.folds.ids[i] >= 0 && Number.isFinite(o.targets[i])) use.push(i);
  const m = use.length;
  if (m < 10) throw new Error(`only ${m} structures have both a target value and a fold; a cross-validation needs at least 10`);
  const sub = use.map((i) => frames[i]);
  const y = Float64Array.from(use, (i) => o.targets[i]);
  const folds: FoldAssignment = { ids: Int32Array.from(use, (i) => o.folds.ids[i]), labels: o.folds.labels };

  let t = performance.now();
  const fz = rep.fit(sub);
  const X = featurizeAll(fz, sub, (done, total) => progress('features', `features (${rep.id}, ${fz.dimension} per structure): ${done}/${total}`, 0.05 * (done / total)));
  const tFeatures = (performance.now() - t) / 1000;

  t = performance.now();
  const D = selfDistances(X, m, fz.dimension, metric, (done, total) => progress('distances', `distances (${metric.toUpperCase()}): ${done}/${total} rows`, 0.05 + 0.15 * (done / total) ** 2));
  const tDistances = (performance.now() - t) / 1000;

  t = performance.now();
  const K = folds.labels.length;
  const comp = baseline === 'composition' ? compositionFeatures(sub) : null;
  const cv = crossValidateKrr(X, m, fz.dimension, y, folds, {
    kernel,
    metric,
    distances: D,
    baseline: comp ?? undefined,
    innerMaxTrain,
    seed,
    onProgress: (p) => {
      if (p.stage === 'distances') return;
      progress('cross-validation', `fold ${p.fold + 1}/${p.folds}: ${p.stage === 'search' ? `choosing σ, λ (${p.done}/${p.total})` : p.stage === 'refine' ? `refining σ at full size (${p.done}/${p.total})` : 'fitting'}`, 0.2 + 0.45 * ((p.fold + (p.stage === 'fit' ? 0.8 + 0.2 * p.done : p.stage === 'refine' ? 0.7 + 0.1 * (p.done / p.total) : 0.7 * (p.done / p.total))) / K));
    },
  });
  const tCv = (performance.now() - t) / 1000;
  const parity = {
    frame: Int32Array.from(use),
    reference: y,
    predicted: Float64Array.from(cv.predictions),
    fold: Int32Array.from(folds.ids),
    outOfDomain: Uint8Array.from(cv.outOfDomain),
  };

  t = performance.now();
  const learningCurve = o.learningCurve === false ? null : studyLearningCurve(D, m, y, folds, kernel, innerMaxTrain, createRng(seed + 1), (f, msg) => progress('learning-curve', msg, 0.65 + 0.15 * f), comp, seed);
  const tLc = (performance.now() - t) / 1000;

  t = performance.now();
  const cost = o.costVsSize === false ? null : costVsSize(sub, o.costMaxAtoms ?? 256, createRng(seed + 2), (f, msg) => progress('cost', msg, 0.8 + 0.1 * f));
  const tCost = (performance.now() - t) / 1000;

  t = performance.now();
  const extensivity = o.extensivity === false ? null : await studyExtensivity(sub, y, folds, o.representation, o.model, innerMaxTrain, createRng(seed + 3), (f, msg) => progress('extensivity', msg, 0.9 + 0.1 * f), undefined, baseline === 'composition');
  const tExt = (performance.now() - t) / 1000;
  progress('extensivity', 'done', 1);

  const baseFolds = cv.folds.filter((f) => f.baseline);
  return {
    representation: o.representation,
    model: o.model,
    baseline,
    baselineMae: baseFolds.length ? baseFolds.reduce((a, f) => a + f.baseline!.mae, 0) / baseFolds.length : null,
    kernel,
    metric,
    dimension: fz.dimension,
    n: cv.n,
    excluded: frames.length - m,
    mae: cv.mae,
    rmse: cv.rmse,
    maxAbs: cv.maxAbs,
    r2: cv.r2,
    folds: cv.folds,
    parity,
    domain: cv.domain,
    learningCurve,
    cost,
    extensivity,
    timingsS: { features: tFeatures, distances: tDistances, crossValidation: tCv, learningCurve: tLc, cost: tCost, extensivity: tExt },
  };
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Least-squares slope of log y on log x. */
export function logLogSlope(x: readonly number[], y: readonly number[]): number | null {
  const pts = x.map((v, i) => [Math.log(v), Math.log(y[i])]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (pts.length < 2) return null;
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  let sxy = 0, sxx = 0;
  for (const [a, b] of pts) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/** Fit KRR on `train` (indices into D) with retries when K + λI is indefinite; predict `test`. */
function fitPredict(D: Float64Array, nD: number, train: number[], test: number[], y: Float64Array, kernel: KernelKind, sigma: number, lambda0: number): { pred: Float64Array; lambda: number } {
  let lambda = lambda0;
  for (let attempt = 0; ; attempt++) {
    const Ktr = kernelFromDistances(D, nD, train, train, kernel, sigma);
    try {
      const fit = solveKrr(Ktr, train.length, train.map((i) => y[i]), lambda);
      const Kq = kernelFromDistances(D, nD, test, train, kernel, sigma);
      return { pred: predictFromKernel(Kq, test.length, train.length, fit.alpha, fit.yMean), lambda };
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError) || attempt === 4) throw e;
      lambda = Math.max(lambda * 10, 1e-10);
    }
  }
}

/** Training sizes: the whole pool, then halving down to at least 8 (at most 7 sizes), ascending. */
export function learningCurveSizes(pool: number, minSize = 8, maxPoints = 7): number[] {
  const s: number[] = [];
  for (let n = pool; n >= minSize && s.length < maxPoints; n = Math.floor(n / 2)) s.push(n);
  return s.reverse();
}

function studyLearningCurve(D: Float64Array, m: number, y: Float64Array, folds: FoldAssignment, kernel: KernelKind, innerMaxTrain: number, rng: Rng, report: (f: number, msg: string) => void, comp: CompositionFeatures | null = null, seed = 1): PropertyStudyResult['learningCurve'] {
  const test: number[] = [], pool: number[] = [];
  for (let i = 0; i < m; i++) (folds.ids[i] === 0 ? test : pool).push(i);
  if (test.length === 0 || pool.length < 8) return null;
  const order = shuffled(pool.length, rng).map((r) => pool[r]);
  const sizes = learningCurveSizes(pool.length);
  const scale = medianDistance(D, m);
  const points: CurvePoint[] = [];
  sizes.forEach((size, k) => {
    report(k / sizes.length, `learning curve: ${size} training structures (${k + 1}/${sizes.length})`);
    const train = order.slice(0, size);
    const searchSet = train.slice(0, Math.min(innerMaxTrain, size));
    // with the composition baseline: fitted on this size's training set only, the kernel on the residual
    const base = comp ? predictLinear(fitComposition(comp.counts, comp.elements.length, train, y), comp.counts, m) : null;
    const target = base ? Float64Array.from(y, (v, i) => v - base[i]) : y;
    const best = chooseHyperparameters(D, m, train, searchSet, target, kernel, SIGMA_FACTORS.map((f) => f * scale), LAMBDAS, { extend: true, innerFolds: 4, rng, refineRng: createRng(seed * 7919 + 211 + k) });
    const { pred, lambda } = fitPredict(D, m, train, test, target, kernel, best.sigma, best.lambda);
    if (base) test.forEach((i, q) => (pred[q] += base[i]));
    const err = regressionErrors(test.map((i) => y[i]), pred);
    points.push({ nTrain: size, mae: err.mae, rmse: err.rmse, sigma: best.sigma, lambda });
  });
  return { testFold: folds.labels[0], nTest: test.length, points, slope: logLogSlope(points.map((p) => p.nTrain), points.map((p) => p.mae)) };
}

/**
 * A compact random C/H "molecule" of n atoms: the n sites of a jittered cubic grid (1.5 Å) closest
 * to the origin, every third atom carbon. Only for timing representations against size.
 */
export function blobFrame(n: number, rng: Rng): Frame {
  const side = Math.ceil(Math.cbrt(n)) + 2;
  const sites: [number, number, number][] = [];
  for (let a = 0; a < side; a++) for (let b = 0; b < side; b++) for (let c = 0; c < side; c++) sites.push([a - side / 2, b - side / 2, c - side / 2]);
  sites.sort((p, q) => p[0] ** 2 + p[1] ** 2 + p[2] ** 2 - (q[0] ** 2 + q[1] ** 2 + q[2] ** 2));
  const pos = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) pos[3 * i + d] = 1.5 * sites[i][d] + 0.2 * (rng.next() - 0.5);
  return makeFrame({ symbols: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'C' : 'H')), positionsA: pos });
}

/**
 * Seconds per featurize call over `frames`: the fastest of 3 rounds, each repeated until at least
 * minSeconds have passed (the minimum is the least disturbed by other work on the machine).
 */
function timePerStructure(featurize: (f: Frame) => unknown, frames: readonly Frame[], minSeconds: number): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const t0 = performance.now();
    do {
      for (const f of frames) featurize(f);
      calls += frames.length;
    } while ((performance.now() - t0) / 1000 < minSeconds);
    best = Math.min(best, (performance.now() - t0) / 1000 / calls);
  }
  return best;
}

export const COST_REPRESENTATIONS: readonly RepresentationId[] = ['cm-eigen', 'cm-sorted', 'bob'];

function costVsSize(dataset: readonly Frame[], maxAtoms: number, rng: Rng, report: (f: number, msg: string) => void): CostSeries[] {
  const sizes: number[] = [];
  for (let n = 8; n <= maxAtoms; n *= 2) sizes.push(n);
  const blobs = new Map(sizes.map((n) => [n, [blobFrame(n, rng), blobFrame(n, rng)]]));
  // Dataset structures: up to 8 per atom count.
  const byCount = new Map<number, Frame[]>();
  for (const f of dataset) {
    const l = byCount.get(f.numbers.length) ?? [];
    if (l.length < 8) l.push(f);
    byCount.set(f.numbers.length, l);
  }
  const counts = [...byCount.keys()].sort((a, b) => a - b);
  return COST_REPRESENTATIONS.map((id, r) => {
    const spec = representationById(id)!;
    const atoms: number[] = [], secs: number[] = [];
    for (const n of sizes) {
      report((r + sizes.indexOf(n) / sizes.length) / COST_REPRESENTATIONS.length, `cost: ${id}, ${n}-atom structures`);
      const fr = blobs.get(n)!;
      const fz = spec.fit(fr);
      const out = new Float64Array(fz.dimension);
      atoms.push(n);
      secs.push(timePerStructure((f) => fz.featurize(f, out), fr, 0.02));
    }
    const dAtoms: number[] = [], dSecs: number[] = [];
    if (counts.length) {
      const fz = spec.fit(dataset);
      const out = new Float64Array(fz.dimension);
      for (const c of counts) {
        dAtoms.push(c);
        dSecs.push(timePerStructure((f) => fz.featurize(f, out), byCount.get(c)!, 0.005));
      }
    }
    const half = Math.floor(atoms.length / 2);
    return { representation: id, atoms, secondsPerStructure: secs, exponent: logLogSlope(atoms.slice(half), secs.slice(half)) ?? NaN, datasetAtoms: dAtoms, datasetSecondsPerStructure: dSecs };
  });
}

async function studyExtensivity(frames: readonly Frame[], y: Float64Array, folds: FoldAssignment, representation: RepresentationId, model: PropertyModelId, innerMaxTrain: number, rng: Rng, report: (f: number, msg: string) => void, regressor?: AsyncRegressor, withBaseline = false): Promise<PropertyStudyResult['extensivity']> {
  if (frames.some((f) => f.pbc.some(Boolean))) return { skipped: 'the data are periodic: the far-apart-pair test needs isolated molecules' };
  const testIdx: number[] = [], trainPool: number[] = [];
  for (let i = 0; i < frames.length; i++) (folds.ids[i] === 0 ? testIdx : trainPool).push(i);
  if (testIdx.length < 2 || trainPool.length < 8) return { skipped: 'too few structures (needs 2 in the first fold and 8 in the others)' };
  const train = shuffled(trainPool.length, rng).slice(0, Math.min(1000, trainPool.length)).map((r) => trainPool[r]);
  const nPairs = Math.min(20, Math.floor(testIdx.length / 2));
  const order = shuffled(testIdx.length, rng).map((r) => testIdx[r]);
  const pairs = Array.from({ length: nPairs }, (_, k) => [frames[order[2 * k]], frames[order[2 * k + 1]]] as const);
  const joined = pairFrames(pairs, GAP_A);
  const trainFrames = train.map((i) => frames[i]);
  const targets = train.map((i) => y[i]);
  const cases: { representation: RepresentationId; model: PropertyModelId }[] = [{ representation, model }];
  if (representation !== 'cm-eigen') cases.push({ representation: 'cm-eigen', model: 'krr-gaussian' });
  cases.push({ representation: 'bob-sums', model: 'linear-sum' });
  const out: ExtensivityCase[] = [];
  for (const [k, c] of cases.entries()) {
    report(k / cases.length, `extensivity: ${c.representation} + ${c.model}`);
    const spec = propertyModelById(c.model)!;
    let predict: (fs: readonly Frame[]) => Float64Array;
    if (c.model === 'mlp') {
      const fz = representationById(c.representation)!.fit([...trainFrames, ...joined]);
      const fit = await regressor!(featurizeAll(fz, trainFrames), trainFrames.length, fz.dimension, Float64Array.from(targets));
      predict = (fs) => fit(featurizeAll(fz, fs), fs.length);
    } else if (k === 0 && withBaseline) {
      // the user's case as configured: composition baseline + kernel on the residual
      const comp = compositionFeatures(trainFrames);
      const cw = fitComposition(comp.counts, comp.elements.length, trainFrames.map((_, q) => q), targets);
      const perElement = new Map(comp.elements.map((z, e) => [z, cw.w[e]]));
      const baseOf = (fs: readonly Frame[]) => Float64Array.from(fs, (f) => f.numbers.reduce((a, z) => a + (perElement.get(z) ?? 0), 0));
      const trainBase = baseOf(trainFrames);
      const residual = krrOrLinear(c, spec, targets.map((v, q) => v - trainBase[q]));
      predict = (fs) => {
        const r = residual(fs), b = baseOf(fs);
        return Float64Array.from(r, (v, q) => v + b[q]);
      };
    } else predict = krrOrLinear(c, spec);
    out.push({ ...extensivityCase(c, spec, predict), ...(k === 0 && withBaseline ? { baseline: 'composition' as const } : {}) });
  }
  return { gapA: GAP_A, farGapA: FAR_GAP_A, pairs: nPairs, trainedOn: train.length, cases: out };

  function krrOrLinear(c: { representation: RepresentationId; model: PropertyModelId }, spec: NonNullable<ReturnType<typeof propertyModelById>>, fitTargets: number[] = targets): (fs: readonly Frame[]) => Float64Array {
    let sigma: number | undefined, lambda: number | undefined;
    if (spec.kernel) {
      // σ, λ by inner CV on the training molecules (layout sized for the pairs too).
      const fz = representationById(c.representation)!.fit([...trainFrames, ...joined]);
      const X = featurizeAll(fz, trainFrames);
      const Dt = selfDistances(X, trainFrames.length, fz.dimension, spec.defaultMetric!);
      const scale = medianDistance(Dt, trainFrames.length);
      const all = trainFrames.map((_, i) => i).slice(0, innerMaxTrain);
      const everyone = trainFrames.map((_, i) => i);
      const best = chooseHyperparameters(Dt, trainFrames.length, everyone, all, fitTargets, spec.kernel, SIGMA_FACTORS.map((f) => f * scale), LAMBDAS, { extend: true, innerFolds: 4, rng, refineRng: rng });
      sigma = best.sigma;
      lambda = best.lambda;
    } else lambda = 1e-8;
    return trainPropertyModel({ representation: c.representation, model: c.model, frames: trainFrames, targets: fitTargets, layoutFrames: joined, sigma, lambda }).predict;
  }

  function extensivityCase(c: { representation: RepresentationId; model: PropertyModelId }, spec: NonNullable<ReturnType<typeof propertyModelById>>, predict: (fs: readonly Frame[]) => Float64Array): ExtensivityCase {
    const s = extensivityStudy(predict, pairs, GAP_A);
    const far = extensivityStudy(predict, pairs, FAR_GAP_A);
    return {
      representation: c.representation,
      model: c.model,
      sizeExtensive: representationById(c.representation)!.sizeExtensive && !spec.kernel && c.model !== 'mlp',
      meanAbsDifference: s.meanAbsDifference,
      maxAbsDifference: s.maxAbsDifference,
      meanRelativeDifference: s.meanRelativeDifference,
      meanAbsDifferenceFar: far.meanAbsDifference,
      sumOfParts: s.rows.map((r) => r.sumOfParts),
      pairPrediction: s.rows.map((r) => r.predictionPair),
    };
  }
}

/** The study with an asynchronous regressor (the MLP): same folds, pictures and extensivity test. */
async function runRegressorStudy(frames: readonly Frame[], o: PropertyStudyOptions, regressor: AsyncRegressor): Promise<PropertyStudyResult> {
  const rep = representationById(o.representation)!;
  const progress = (stage: StudyProgress['stage'], message: string, fraction: number) => o.onProgress?.({ stage, message, fraction: Math.min(1, Math.max(0, fraction)) });
  const seed = o.seed ?? 1;
  const use: number[] = [];
  for (let i = 0; i < frames.length; i++) if (o.folds.ids[i] >= 0 && Number.isFinite(o.targets[i])) use.push(i);
  const m = use.length;
  if (m < 10) throw new Error(`only ${m} structures have both a target value and a fold; a cross-validation needs at least 10`);
  const sub = use.map((i) => frames[i]);
  const y = Float64Array.from(use, (i) => o.targets[i]);
  const folds: FoldAssignment = { ids: Int32Array.from(use, (i) => o.folds.ids[i]), labels: o.folds.labels };
  let t = performance.now();
  const fz = rep.fit(sub);
  const dim = fz.dimension;
  const X = featurizeAll(fz, sub, (done, total) => progress('features', `features (${rep.id}, ${dim} per structure): ${done}/${total}`, 0.05 * (done / total)));
  const tFeatures = (performance.now() - t) / 1000;
  const rowsOf = (rows: number[]) => {
    const out = new Float64Array(rows.length * dim);
    rows.forEach((i, k) => out.set(X.subarray(i * dim, (i + 1) * dim), k * dim));
    return out;
  };
  const fitPredict = async (train: number[], test: number[]) => (await regressor(rowsOf(train), train.length, dim, Float64Array.from(train, (i) => y[i])))(rowsOf(test), test.length);

  t = performance.now();
  const K = folds.labels.length;
  const pred = new Float64Array(m).fill(NaN);
  const results: FoldResult[] = [];
  for (let k = 0; k < K; k++) {
    const train: number[] = [], test: number[] = [];
    for (let i = 0; i < m; i++) (folds.ids[i] === k ? test : train).push(i);
    if (!test.length) continue;
    if (train.length < 2) throw new Error(`fold ${folds.labels[k]}: only ${train.length} training structures`);
    progress('cross-validation', `fold ${k + 1}/${K}: training the MLP on ${train.length} structures`, 0.05 + 0.6 * (k / K));
    const p = await fitPredict(train, test);
    test.forEach((i, q) => (pred[i] = p[q]));
    const err = regressionErrors(test.map((i) => y[i]), p);
    results.push({ fold: folds.labels[k], nTrain: train.length, nTest: test.length, mae: err.mae, rmse: err.rmse, sigma: NaN, lambda: NaN, innerMae: NaN, lambdaRaised: false });
  }
  const all = regressionErrors(y, pred);
  const tCv = (performance.now() - t) / 1000;

  t = performance.now();
  let learningCurve: PropertyStudyResult['learningCurve'] = null;
  if (o.learningCurve !== false) {
    const test: number[] = [], pool: number[] = [];
    for (let i = 0; i < m; i++) (folds.ids[i] === 0 ? test : pool).push(i);
    const rng = createRng(seed + 1);
    const order = shuffled(pool.length, rng).map((r) => pool[r]);
    const sizes = learningCurveSizes(pool.length, 16, 5);
    const points: CurvePoint[] = [];
    for (const [k, size] of sizes.entries()) {
      progress('learning-curve', `learning curve: ${size} training structures (${k + 1}/${sizes.length})`, 0.65 + 0.15 * (k / sizes.length));
      const p = await fitPredict(order.slice(0, size), test);
      const err = regressionErrors(test.map((i) => y[i]), p);
      points.push({ nTrain: size, mae: err.mae, rmse: err.rmse, sigma: NaN, lambda: NaN });
    }
    if (test.length && points.length) learningCurve = { testFold: folds.labels[0], nTest: test.length, points, slope: logLogSlope(points.map((p) => p.nTrain), points.map((p) => p.mae)) };
  }
  const tLc = (performance.now() - t) / 1000;
  t = performance.now();
  const cost = o.costVsSize === false ? null : costVsSize(sub, o.costMaxAtoms ?? 256, createRng(seed + 2), (f, msg) => progress('cost', msg, 0.8 + 0.1 * f));
  const tCost = (performance.now() - t) / 1000;
  t = performance.now();
  const extensivity = o.extensivity === false ? null : await studyExtensivity(sub, y, folds, o.representation, 'mlp', o.innerMaxTrain ?? 1200, createRng(seed + 3), (f, msg) => progress('extensivity', msg, 0.9 + 0.1 * f), regressor);
  const tExt = (performance.now() - t) / 1000;
  progress('extensivity', 'done', 1);
  return {
    representation: o.representation,
    model: 'mlp',
    baseline: 'none',
    baselineMae: null,
    kernel: null,
    metric: null,
    dimension: dim,
    n: m,
    excluded: frames.length - m,
    mae: all.mae,
    rmse: all.rmse,
    maxAbs: all.maxAbs,
    r2: all.r2,
    folds: results,
    parity: { frame: Int32Array.from(use), reference: y, predicted: pred, fold: Int32Array.from(folds.ids) },
    domain: null,
    learningCurve,
    cost,
    extensivity,
    timingsS: { features: tFeatures, distances: 0, crossValidation: tCv, learningCurve: tLc, cost: tCost, extensivity: tExt },
  };
}
