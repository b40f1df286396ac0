// Sparse Gaussian-kernel model on the symmetry functions, fitted in closed form on energies, forces
// and stress: the GAP recipe (Bartók et al., PRL 104, 136403 (2010); sparse GP regression with
// derivative observations, Bartók & Csányi, IJQC 115, 1051 (2015)) on Behler's descriptors instead
// of SOAP. Per atom i of element s, with x_i = (G_i - μ_s) / σ_s the standardised descriptors:
//   E_i = b_s + w_s · x_i + Σ_m α_{s,m} k(x_i, z_{s,m}),   k(x, z) = exp(-|x - z|² / (2 F ℓ²))
// z_{s,m}: M_s "sparse points", training environments of element s picked by farthest-point
// sampling in x (they cover the environments evenly, outliers included); F: descriptor length,
// so ℓ is a dimensionless length per feature. The linear part (the `linear` model) carries the
// smooth trend; the kernel part the local corrections, decaying to it far from every sparse point.
// Option `kernel: "polynomial"` replaces k by (1 + x·z / (F ℓ²))^ζ, a polynomial in the descriptors
// (as MTP's energy is in its moments), which extrapolates as a polynomial instead of decaying: on
// mlearn Si (ζ 4) 2.55 against 2.89 meV/atom at rc 5 Å, 2.07 at rc 6 Å; on Mo slightly worse
// (bench/accuracy.md), so the Gaussian stays the default.
// Energies, forces (-dE/dR through dG/dR) and stresses are linear in (w, b, α), so the fit is one
// least-squares solve with the rows of the linear model (dimensionless, per-atom energies,
// sqrt(w_term / (count · s_term²)) scaling, group weights) and the sparse-GP prior λ αᵀK_MM α
// (plus the ridge on w), accumulated and solved in float64 (Cholesky, relative jitter on failure).
// The solution is stored in float64 buffers (kernel/alpha, linear/w, linear/b): the float32 copies
// in the tf variables (training graph, float32 by design) and the float64 fast path (MD) read them.
import type { GraphTensors } from '../data/batch';
import type { GraphCache } from '../data/graph';
import type { TrainingData } from '../data/trainingData';
import { speciesTable } from '../data/species';
import type { Tensor, Tensor1D, Tensor2D, Tf } from '../tf/types';
import type { AtomisticModel, ModelInit, NamedVariable } from './model';
import { MODEL_FORMAT, MODEL_VERSION, savedArray, type SavedModel } from './serialization';
import { statisticsOf } from './behlerParrinello';
import { uniqueVariableName } from '../tf/names';
import { checkSymmetryFunctions, defaultSymmetryFunctions, descriptorsF64, featureLayout, type SymmetryFunctionConfig } from './symmetryFunctions';
import { standardizedSymmetryFunctionModel } from './symmetryFunctionsKernel';
import { defaultPowerSpectrum } from './powerSpectrum';
import { farthestPointSampling } from '../../dataset/subsample';
import { closedFormRowScales, normalEquations, solveRegularized, type ClosedFormWeights, type FitProgress } from './normalEquations';

export interface KernelConfig {
  symmetryFunctions: SymmetryFunctionConfig;
  /** Sparse points per element (fewer when the training data has fewer atoms of it). */
  sparsePoints: number;
  /** ℓ: kernel length per descriptor component (the descriptors are standardised). */
  lengthScale: number;
  /** λ of the sparse-GP prior λ αᵀK_MM α (dimensionless: the rows are normalised). */
  regularization: number;
  /** Ridge penalty on the linear weights w. */
  ridge: number;
  /**
   * How descriptors are scaled before the kernel: 'feature' (each to unit variance over the
   * training atoms, n2p2's scaling) or 'block' (one scale per descriptor kind: radial, angular,
   * power spectrum; the RMS of its features' standard deviations), which keeps the relative size
   * of the features within a kind, as SOAP kernels do, instead of blowing up rarely varying ones.
   */
  scaling?: 'feature' | 'block';
  /**
   * The kernel: 'gaussian' (default) exp(-|x - z|² / (2 F ℓ²)), which decays to the linear part far
   * from every sparse point; or 'polynomial' (1 + x·z / (F ℓ²))^degree, a polynomial in the
   * descriptors (body order up to `degree` times the descriptor's), which extrapolates as a
   * polynomial instead of falling back to the linear part, as MTP and GAP's dot-product SOAP kernel do.
   */
  kernel?: 'gaussian' | 'polynomial';
  /** ζ of the polynomial kernel, an integer 1..8 (default 2). */
  degree?: number;
}

export function defaultKernelConfig(): KernelConfig {
  // A richer descriptor than the networks' default: a closed-form kernel sees only what the
  // descriptor resolves. On mlearn (bench/accuracy.md), 45 -> 93 symmetry functions took the Mo test
  // energy MAE from 3.5 to 2.0 meV/atom, and replacing the 72 G4 functions by a power spectrum
  // (n 8, l <= 6: 252 invariants) the force MAE from 0.111 to 0.099 eV/Å on Mo and 0.091 to 0.073 on Si.
  return {
    symmetryFunctions: { ...defaultSymmetryFunctions({ nRadial: 20, nAngularEta: 0 }), powerSpectrum: defaultPowerSpectrum({ cutoffA: 5, nMax: 8, lMax: 6 }) },
    sparsePoints: 1000,
    lengthScale: 2,
    regularization: 1e-6,
    ridge: 1e-6,
  };
}

export function parseKernelConfig(raw: unknown): KernelConfig {
  const d = defaultKernelConfig();
  const r = (raw ?? {}) as Partial<KernelConfig>;
  const c: KernelConfig = {
    symmetryFunctions: r.symmetryFunctions ?? d.symmetryFunctions,
    sparsePoints: r.sparsePoints ?? d.sparsePoints,
    lengthScale: r.lengthScale ?? d.lengthScale,
    regularization: r.regularization ?? d.regularization,
    ridge: r.ridge ?? d.ridge,
  };
  if (r.scaling !== undefined) c.scaling = r.scaling; // absent means 'feature' (and keeps older model files' configs as they were)
  if (c.scaling !== undefined && c.scaling !== 'feature' && c.scaling !== 'block') throw new Error(`kernel: scaling must be "feature" or "block", got ${JSON.stringify(c.scaling)}`);
  if (r.kernel !== undefined) c.kernel = r.kernel; // absent means 'gaussian'
  if (c.kernel !== undefined && c.kernel !== 'gaussian' && c.kernel !== 'polynomial') throw new Error(`kernel: kernel must be "gaussian" or "polynomial", got ${JSON.stringify(c.kernel)}`);
  if (r.degree !== undefined) {
    if (c.kernel !== 'polynomial') throw new Error('kernel: degree is the exponent of the polynomial kernel; set "kernel": "polynomial" with it, or drop it');
    c.degree = r.degree;
  }
  if (c.kernel === 'polynomial' && c.degree === undefined) c.degree = 2;
  if (c.degree !== undefined && !(Number.isInteger(c.degree) && c.degree >= 1 && c.degree <= 8)) throw new Error(`kernel: degree must be an integer in 1..8, got ${c.degree} (2-4 is usual; GAP's SOAP kernels use 2 or 4)`);
  checkSymmetryFunctions(c.symmetryFunctions);
  if (!(Number.isInteger(c.sparsePoints) && c.sparsePoints >= 1 && c.sparsePoints <= 20000)) {
    throw new Error(`kernel: sparsePoints must be an integer in 1..20000, got ${c.sparsePoints} (the solve grows as its cube; 500-2000 is usual)`);
  }
  if (!(c.lengthScale > 0 && Number.isFinite(c.lengthScale))) throw new Error(`kernel: lengthScale must be > 0, got ${c.lengthScale}`);
  if (!(c.regularization > 0 && Number.isFinite(c.regularization))) throw new Error(`kernel: regularization must be > 0, got ${c.regularization}`);
  if (!(c.ridge >= 0 && Number.isFinite(c.ridge))) throw new Error(`kernel: ridge must be >= 0, got ${c.ridge}`);
  return c;
}

/** Sparse points, weights and statistics of a saved kernel model, float64. */
export interface KernelParameters {
  nSpecies: number;
  nFeatures: number;
  /** Gaussian: 1 / (2 F ℓ²); polynomial: 1 / (F ℓ²). */
  gamma: number;
  /** 0 for the Gaussian kernel, else ζ of the polynomial kernel (1 + γ x·z)^ζ. */
  degree: number;
  mean: Float64Array;
  std: Float64Array;
  /** [S] sparse points of each element [M_s·F] (standardised descriptors). */
  points: Float64Array[];
  /** [S] |z_m|² of each sparse point [M_s]. */
  pointNorms: Float64Array[];
  /** [S] α [M_s] */
  alpha: Float64Array[];
  /** [S·F] linear weights on x. */
  w: Float64Array;
  /** [S] */
  b: Float64Array;
}

export function kernelParameters(saved: SavedModel): KernelParameters {
  const c = parseKernelConfig(saved.config);
  const S = saved.species.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const get = (name: string) => savedArray(saved.buffers, name).data;
  const points = saved.species.map((sym) => get(`${sym}/kernel/points`));
  return {
    nSpecies: S,
    nFeatures: F,
    gamma: (c.kernel === 'polynomial' ? 1 : 0.5) / (F * c.lengthScale * c.lengthScale),
    degree: c.kernel === 'polynomial' ? c.degree! : 0,
    mean: get('feature_mean'),
    std: get('feature_std'),
    points,
    pointNorms: points.map((Z) => {
      const n = new Float64Array(Z.length / F);
      for (let m = 0; m < n.length; m++) for (let f = 0; f < F; f++) n[m] += Z[m * F + f] ** 2;
      return n;
    }),
    alpha: saved.species.map((sym) => get(`${sym}/kernel/alpha`)),
    w: get('linear/w'),
    b: get('linear/b'),
  };
}

const KD = new Float64Array(3);

/**
 * E_i of one atom (E0 excluded) from its raw descriptors `G` [F] at `off`; with `dEdG` given, also
 * dE_i/dG into it (same offset). `x` [F] is scratch (the standardised descriptors).
 */
export function kernelAtomEnergy(p: KernelParameters, s: number, G: Float64Array, off: number, dEdG: Float64Array | null, x: Float64Array): number {
  const F = p.nFeatures, Z = p.points[s], a = p.alpha[s], M = a.length;
  let e = p.b[s];
  for (let f = 0; f < F; f++) {
    x[f] = (G[off + f] - p.mean[s * F + f]) / p.std[s * F + f];
    e += p.w[s * F + f] * x[f];
  }
  // |x - z|² = |x|² - 2x·z + |z|² (float64: no cancellation worth the name), and
  // Σ_m c_m (x - z_m) = x Σ_m c_m - Σ_m c_m z_m: two passes of F per sparse point instead of four.
  let xx = 0;
  for (let f = 0; f < F; f++) xx += x[f] * x[f];
  if (dEdG) for (let f = 0; f < F; f++) dEdG[off + f] = 0;
  const zz = p.pointNorms[s], kd = KD;
  let csum = 0;
  for (let m = 0; m < M; m++) {
    let xz = 0;
    const o = m * F;
    for (let f = 0; f < F; f++) xz += x[f] * Z[o + f];
    kernelValue(p, xx, xz, zz[m], kd);
    e += a[m] * kd[0];
    if (dEdG) {
      // dk/dx = A x + B z
      csum += a[m] * kd[1];
      const cz = a[m] * kd[2];
      for (let f = 0; f < F; f++) dEdG[off + f] += cz * Z[o + f];
    }
  }
  if (dEdG) for (let f = 0; f < F; f++) dEdG[off + f] += csum * x[f] + p.w[s * F + f];
  if (dEdG) for (let f = 0; f < F; f++) dEdG[off + f] /= p.std[s * F + f];
  return e;
}

/**
 * k(x, z) and dk/dx = A x + B z from |x|², x·z and |z|²: out = [k, A, B].
 * Gaussian k = exp(-γ|x - z|²): A = -2γk, B = 2γk. Polynomial k = (1 + γ x·z)^ζ: A = 0, B = γζ(1 + γ x·z)^(ζ-1).
 */
export function kernelValue(p: Pick<KernelParameters, 'gamma' | 'degree'>, xx: number, xz: number, zz: number, out: Float64Array): void {
  if (p.degree === 0) {
    const k = Math.exp(-p.gamma * Math.max(0, xx - 2 * xz + zz));
    out[0] = k;
    out[1] = -2 * p.gamma * k;
    out[2] = 2 * p.gamma * k;
    return;
  }
  const t = 1 + p.gamma * xz;
  let tz1 = 1;
  for (let q = 1; q < p.degree; q++) tz1 *= t;
  out[0] = tz1 * t;
  out[1] = 0;
  out[2] = p.gamma * p.degree * tz1;
}

/** Replace each element's per-feature standard deviations by one RMS value per descriptor kind (in place). */
function blockScales(sf: SymmetryFunctionConfig, S: number, std: Float64Array, count: Float64Array): void {
  const L = featureLayout(sf, S), F = L.nFeatures;
  const bounds = [0, S * L.nRadial, L.powerOffset, F];
  for (let s = 0; s < S; s++) {
    if (count[s] === 0) continue;
    for (let b = 0; b + 1 < bounds.length; b++) {
      const lo = bounds[b], hi = bounds[b + 1];
      if (hi <= lo) continue;
      let ss = 0;
      for (let f = lo; f < hi; f++) ss += std[s * F + f] ** 2;
      const rms = Math.sqrt(ss / (hi - lo));
      for (let f = lo; f < hi; f++) std[s * F + f] = rms;
    }
  }
}

/** Farthest-point sample of each element's standardised training environments. */
function sparsePointsOf(c: KernelConfig, S: number, F: number, mean: Float64Array, std: Float64Array, graphs: Iterable<{ graph: import('../data/graph').FrameGraph; species: Int32Array }> | undefined): Float64Array[] {
  const pools: Float64Array[][] = Array.from({ length: S }, () => []);
  if (graphs) {
    for (const g of graphs) {
      const G = descriptorsF64(c.symmetryFunctions, g.graph, g.species, S).values;
      for (let i = 0; i < g.species.length; i++) {
        const s = g.species[i], x = new Float64Array(F);
        for (let f = 0; f < F; f++) x[f] = (G[i * F + f] - mean[s * F + f]) / std[s * F + f];
        pools[s].push(x);
      }
    }
  }
  return pools.map((pool) => {
    const { selected } = farthestPointSampling(pool, c.sparsePoints);
    const out = new Float64Array(selected.length * F);
    selected.forEach((q, m) => out.set(pool[q], m * F));
    return out;
  });
}

export function createKernelModel(tf: Tf, config: KernelConfig, init: ModelInit): AtomisticModel {
  const c = parseKernelConfig(config);
  const S = init.species.numbers.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const stats = statisticsOf(c.symmetryFunctions, S, init.trainingGraphs?.());
  if (c.scaling === 'block') blockScales(c.symmetryFunctions, S, stats.std, stats.count);
  const points = sparsePointsOf(c, S, F, stats.mean, stats.std, init.trainingGraphs?.());
  return loadKernelModel(tf, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    type: 'kernel',
    config: c,
    species: [...init.species.symbols],
    e0: { method: init.e0.method, valuesEv: Array.from(init.e0.valuesEv) },
    scales: { ...init.scales },
    weights: [],
    buffers: [
      { name: 'feature_mean', shape: [S, F], data: stats.mean },
      { name: 'feature_std', shape: [S, F], data: stats.std },
      { name: 'linear/w', shape: [S, F], data: new Float64Array(S * F) },
      { name: 'linear/b', shape: [S], data: new Float64Array(S) },
      ...init.species.symbols.flatMap((sym, s) => [
        { name: `${sym}/kernel/points`, shape: [points[s].length / F, F], data: points[s] },
        { name: `${sym}/kernel/alpha`, shape: [points[s].length / F], data: new Float64Array(points[s].length / F) },
      ]),
    ],
    metadata: {},
  });
}

export function loadKernelModel(tf: Tf, saved: SavedModel): AtomisticModel {
  const c = parseKernelConfig(saved.config);
  const species = speciesTable(saved.species);
  const p = kernelParameters(saved);
  const F = p.nFeatures;
  // The float64 solution lives in the buffers; the variables are its float32 view for the graph
  // (named like the other models' so parameter counts and the optimiser bookkeeping work).
  const variables: NamedVariable[] = [];
  const mk = (name: string, data: Float64Array, shape: number[]) =>
    variables.push({ name, variable: tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(data), shape, 'float32'), false, uniqueVariableName(name))) });
  species.symbols.forEach((sym, s) => {
    mk(`${sym}/linear/kernel`, p.w.subarray(s * F, (s + 1) * F), [F, 1]);
    mk(`${sym}/linear/bias`, p.b.subarray(s, s + 1), [1]);
    mk(`${sym}/kernel/alpha`, p.alpha[s], [p.alpha[s].length, 1]);
  });
  const pointTensors = p.points.map((Z) => tf.tidy(() => tf.keep(tf.tensor2d(Float32Array.from(Z), [Z.length / F, F]))));
  const pointNorms = p.pointNorms.map((n) => tf.keep(tf.tensor2d(Float32Array.from(n), [1, n.length])));
  const base = standardizedSymmetryFunctionModel(tf, saved, c.symmetryFunctions, p.mean, p.std);
  let disposed = false;
  let current = saved;
  const model: AtomisticModel = {
    ...base.fields,
    type: 'kernel',
    config: c,
    variables,
    atomicEnergies(batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor1D {
      const outs: Tensor[] = base.rows(batch, edgeVectorsA).blocks.map(({ species: s, rows }) => {
        const x = (rows.length === 1 ? rows[0] : tf.concat(rows, 1)) as Tensor2D; // [n_s, F]
        const lin = tf.add(tf.matMul(x, variables[3 * s].variable as Tensor2D), variables[3 * s + 1].variable);
        if (p.alpha[s].length === 0) return lin;
        const xz = tf.matMul(x, pointTensors[s], false, true);
        let k: Tensor2D;
        if (p.degree > 0) {
          // (1 + γ x·z)^ζ as products (the gradient of pow would take a log of a negative base)
          const t = tf.add(1, tf.mul(p.gamma, xz)) as Tensor2D;
          k = t;
          for (let q = 1; q < p.degree; q++) k = tf.mul(k, t);
        } else {
          // |x - z|² = |x|² - 2 x·z + |z|² (standardised values are O(1): no float32 cancellation to speak of)
          const d2 = tf.relu(tf.add(tf.sub(tf.sum(tf.square(x), 1, true), tf.mul(2, xz)), pointNorms[s]));
          k = tf.exp(tf.mul(-p.gamma, d2)) as Tensor2D;
        }
        return tf.add(lin, tf.matMul(k, variables[3 * s + 2].variable as Tensor2D));
      });
      const y = outs.length === 1 ? outs[0] : outs.length === 0 ? tf.zeros([0, 1]) : tf.concat(outs, 0);
      return tf.reshape(y, [-1]) as Tensor1D;
    },
    save(metadata = {}) {
      const s0 = current;
      return { ...s0, config: c, weights: [], buffers: s0.buffers.map((b) => ({ ...b, data: b.data.slice() })), metadata: { ...s0.metadata, ...metadata } };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.variable.dispose();
      for (const t of [...pointTensors, ...pointNorms]) t.dispose();
      base.dispose();
    },
  };
  // fitKernelModel writes the float64 solution here (buffers) and into the float32 variables.
  solutionSetters.set(model, (x: KernelSolution) => {
    current = {
      ...current,
      buffers: current.buffers.map((b) => {
        const sym = b.name.split('/')[0], s = saved.species.indexOf(sym);
        if (b.name === 'linear/w') return { ...b, data: x.w.slice() };
        if (b.name === 'linear/b') return { ...b, data: x.b.slice() };
        if (s >= 0 && b.name === `${sym}/kernel/alpha`) return { ...b, data: x.alpha[s].slice() };
        return b;
      }),
    };
    species.symbols.forEach((_, s) => {
      tf.tidy(() => {
        variables[3 * s].variable.assign(tf.tensor2d(Float32Array.from(x.w.subarray(s * F, (s + 1) * F)), [F, 1]));
        variables[3 * s + 1].variable.assign(tf.tensor1d([x.b[s]]));
        variables[3 * s + 2].variable.assign(tf.tensor2d(Float32Array.from(x.alpha[s]), [x.alpha[s].length, 1]));
      });
    });
  });
  return model;
}

interface KernelSolution {
  w: Float64Array;
  b: Float64Array;
  alpha: Float64Array[];
}

const solutionSetters = new WeakMap<AtomisticModel, (x: KernelSolution) => void>();

export interface KernelFitReport {
  rows: { energy: number; forces: number; stress: number };
  parameters: number;
  sparsePoints: Record<string, number>;
  /** Dimensionless training loss at the solution (without the penalties). */
  loss: number;
}

/**
 * Fit a kernel model on the training split in closed form (see the header) and write the solution
 * into it. `graphs` must be built for model.graphSpec.
 */
export function fitKernelModel(model: AtomisticModel, data: TrainingData, graphs: GraphCache, opts: ClosedFormWeights = {}): KernelFitReport {
  const steps = kernelFitSteps(model, data, graphs, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * fitKernelModel as steps: yields after every training frame's rows (so a host can report progress,
 * stay responsive and stop), then solves and returns the report.
 */
export function* kernelFitSteps(model: AtomisticModel, data: TrainingData, graphs: GraphCache, opts: ClosedFormWeights = {}): Generator<FitProgress, KernelFitReport> {
  const setSolution = solutionSetters.get(model);
  if (model.type !== 'kernel' || !setSolution) throw new Error(`fitKernelModel needs a kernel model, got ${model.type}`);
  const c = model.config as KernelConfig;
  const p = kernelParameters(model.save());
  const S = p.nSpecies, F = p.nFeatures;
  const Ms = p.alpha.map((a) => a.length);
  // columns: [w_0 .. w_{S-1} (F each), b_0 .. b_{S-1}, α_0 (M_0), .., α_{S-1}]
  const aOff: number[] = [];
  let C = S * F + S;
  for (const m of Ms) {
    aOff.push(C);
    C += m;
  }
  const { counts, wE, wF, wS } = closedFormRowScales(data, opts);
  const eqs = normalEquations(C);
  const Mmax = Math.max(0, ...Ms);
  const x = new Float64Array(F);
  /** dφ_col/dG for the columns of one atom: [F] for w (1/σ), [M_s·F] for the kernel. */
  const dK = new Float64Array(Mmax * F);
  const gcol = new Float64Array(3), kd = new Float64Array(3);
  let framesDone = 0;
  for (const k of data.split.train) {
    const f = data.frames[k], g = graphs.get(k), sp = data.atomSpecies[k], wk = data.weights[k];
    if (wk === 0) {
      yield { frames: ++framesDone, totalFrames: data.split.train.length };
      continue;
    }
    const n = f.numbers.length, sw = Math.sqrt(wk);
    const needD = !!f.forcesEvPerA || (!!f.stressEvPerA3 && g.volumeA3 > 0);
    const { values: G, edgeDerivatives: D } = descriptorsF64(c.symmetryFunctions, g, sp, S, needD);
    const Er = new Float64Array(C);
    const Fr = f.forcesEvPerA ? new Float64Array(3 * n * C) : null;
    const Sr = f.stressEvPerA3 && g.volumeA3 > 0 ? new Float64Array(9 * C) : null;
    const P = g.edgeI.length, v = g.edgeVectorsA;
    let p0 = 0;
    for (let i = 0; i < n; i++) {
      const s = sp[i], M = Ms[s], Z = p.points[s];
      for (let q = 0; q < F; q++) {
        x[q] = (G[i * F + q] - p.mean[s * F + q]) / p.std[s * F + q];
        Er[s * F + q] += x[q] / n;
      }
      Er[S * F + s] += 1 / n;
      let xx = 0;
      for (let q = 0; q < F; q++) xx += x[q] * x[q];
      for (let m = 0; m < M; m++) {
        let xz = 0;
        for (let q = 0; q < F; q++) xz += x[q] * Z[m * F + q];
        kernelValue(p, xx, xz, p.pointNorms[s][m], kd);
        Er[aOff[s] + m] += kd[0] / n;
        if (D) for (let q = 0; q < F; q++) dK[m * F + q] = (kd[1] * x[q] + kd[2] * Z[m * F + q]) / p.std[s * F + q];
      }
      let p1 = p0;
      while (p1 < P && g.edgeI[p1] === i) p1++;
      if (D) {
        for (let e = p0; e < p1; e++) {
          const j = g.edgeJ[e];
          // one column's gradient with respect to r_e, added to the force rows of i and j and the stress
          const put = (col: number) => {
            if (Fr) {
              for (let a = 0; a < 3; a++) {
                Fr[(i * 3 + a) * C + col] += gcol[a];
                Fr[(j * 3 + a) * C + col] -= gcol[a];
              }
            }
            if (Sr) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) Sr[(3 * a + b) * C + col] += (0.5 * (v[3 * e + a] * gcol[b] + v[3 * e + b] * gcol[a])) / g.volumeA3;
          };
          const De = (e * F) * 3;
          for (let q = 0; q < F; q++) {
            const inv = 1 / p.std[s * F + q];
            gcol[0] = D[De + q * 3] * inv;
            gcol[1] = D[De + q * 3 + 1] * inv;
            gcol[2] = D[De + q * 3 + 2] * inv;
            put(s * F + q);
          }
          for (let m = 0; m < M; m++) {
            let gx = 0, gy = 0, gz = 0;
            const o = m * F;
            for (let q = 0; q < F; q++) {
              const dk = dK[o + q];
              if (dk === 0) continue;
              gx += dk * D[De + q * 3];
              gy += dk * D[De + q * 3 + 1];
              gz += dk * D[De + q * 3 + 2];
            }
            gcol[0] = gx;
            gcol[1] = gy;
            gcol[2] = gz;
            put(aOff[s] + m);
          }
        }
      }
      p0 = p1;
    }
    if (f.energyEv !== undefined) eqs.add(Er, wE * sw, (f.energyEv - data.e0SumEv[k]) / n);
    if (Fr) eqs.addBlock(Fr, 3 * n, wF * sw, f.forcesEvPerA!);
    if (Sr) eqs.addBlock(Sr, 9, wS * sw, f.stressEvPerA3!);
    yield { frames: ++framesDone, totalFrames: data.split.train.length };
  }
  const { AtA, Aty } = eqs.finish();
  // Penalties: ridge on w; the sparse-GP prior λ αᵀ K_MM α per element (K_MM from the sparse
  // points, made once: the solve may retry with more jitter).
  const priors = p.points.map((Z, s) => {
    const M = Ms[s], K = new Float64Array(M * M);
    const zz = p.pointNorms[s];
    for (let m = 0; m < M; m++) {
      for (let r = m; r < M; r++) {
        let zmr = 0;
        for (let q = 0; q < F; q++) zmr += Z[m * F + q] * Z[r * F + q];
        kernelValue(p, zz[m], zmr, zz[r], kd);
        K[m * M + r] = K[r * M + m] = c.regularization * kd[0];
      }
    }
    return K;
  });
  const { x: sol, loss } = solveRegularized(AtA, Aty, eqs.yy, C, (A) => {
    for (let a = 0; a < S * F; a++) A[a * C + a] += c.ridge;
    priors.forEach((K, s) => {
      const M = Ms[s], o = aOff[s];
      for (let m = 0; m < M; m++) for (let r = 0; r < M; r++) A[(o + m) * C + o + r] += K[m * M + r];
    });
  });
  setSolution({ w: sol.slice(0, S * F), b: sol.slice(S * F, S * F + S), alpha: Ms.map((m, s) => sol.slice(aOff[s], aOff[s] + m)) });
  return {
    rows: counts,
    parameters: C,
    sparsePoints: Object.fromEntries(model.species.symbols.map((sym, s) => [sym, Ms[s]])),
    loss,
  };
}
