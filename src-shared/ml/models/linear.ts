// Linear model on the symmetry functions, fitted in closed form: the fast baseline (in the spirit of
// linear SNAP, Thompson et al., J. Comput. Phys. 285, 316 (2015), with Behler's descriptors).
//   E_i = w_{Z_i} · x_i + b_{Z_i},   x_i = (G_i - μ_{Z_i}) / σ_{Z_i}   (same standardisation as bpnn)
// Energies, forces and stresses are all linear in (w, b):
//   E_f      = Σ_s [w_s · Σ_{i∈f, Z_i=s} x_i + b_s n_fs]
//   F_kc     = Σ_p (δ_{i_p k} - δ_{j_p k}) Σ_m w_{s(i_p) m} D_pmc / σ_m     (D_p = dG_{i_p}/dr_p)
//   σ_ab     = (1/V) Σ_p ½ (r_pa g_pb + r_pb g_pa),  g_pc = Σ_m w_m D_pmc / σ_m
// Ridge regression on the same dimensionless loss as the networks (rows scaled by
// sqrt(w_term / (count · s_term²)); energies per atom), normal equations accumulated row by row in
// float64 and solved by Cholesky; the penalty λ·|w|² leaves the biases free.
import type { GraphTensors } from '../data/batch';
import type { FrameGraph, GraphCache } from '../data/graph';
import type { TrainingData } from '../data/trainingData';
import type { Tensor, Tensor1D, Tensor2D, Tf } from '../tf/types';
import type { AtomisticModel, ModelInit, NamedVariable } from './model';
import { MODEL_FORMAT, MODEL_VERSION, savedArray, type SavedModel } from './serialization';
import { statisticsOf } from './behlerParrinello';
import { uniqueVariableName } from '../tf/names';
import { checkSymmetryFunctions, defaultSymmetryFunctions, descriptorsF64, featureLayout, type SymmetryFunctionConfig } from './symmetryFunctions';
import { blockMatMul } from './mlp';
import { closedFormRowScales, normalEquations, solveRegularized, type ClosedFormWeights } from './normalEquations';
import { standardizedSymmetryFunctionModel } from './symmetryFunctionsKernel';

export interface LinearConfig {
  symmetryFunctions: SymmetryFunctionConfig;
  /** Ridge penalty λ on the weights (dimensionless: the rows are normalised). */
  ridge: number;
}

export function defaultLinearConfig(): LinearConfig {
  return { symmetryFunctions: defaultSymmetryFunctions(), ridge: 1e-6 };
}

export function parseLinearConfig(raw: unknown): LinearConfig {
  const d = defaultLinearConfig();
  const r = (raw ?? {}) as Partial<LinearConfig>;
  const c: LinearConfig = { symmetryFunctions: r.symmetryFunctions ?? d.symmetryFunctions, ridge: r.ridge ?? d.ridge };
  checkSymmetryFunctions(c.symmetryFunctions);
  if (!(c.ridge >= 0 && Number.isFinite(c.ridge))) throw new Error(`linear: ridge must be >= 0, got ${c.ridge}`);
  return c;
}

export function createLinearModel(tf: Tf, config: LinearConfig, init: ModelInit): AtomisticModel {
  const c = parseLinearConfig(config);
  const S = init.species.numbers.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const stats = statisticsOf(c.symmetryFunctions, S, init.trainingGraphs?.());
  return loadLinearModel(tf, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    type: 'linear',
    config: c,
    species: [...init.species.symbols],
    e0: { method: init.e0.method, valuesEv: Array.from(init.e0.valuesEv) },
    scales: { ...init.scales },
    weights: init.species.symbols.flatMap((sym) => [
      { name: `${sym}/linear/kernel`, shape: [F, 1], data: new Float32Array(F) },
      { name: `${sym}/linear/bias`, shape: [1], data: new Float32Array(1) },
    ]),
    buffers: [
      { name: 'feature_mean', shape: [S, F], data: stats.mean },
      { name: 'feature_std', shape: [S, F], data: stats.std },
    ],
    metadata: {},
  });
}

export function loadLinearModel(tf: Tf, saved: SavedModel): AtomisticModel {
  const c = parseLinearConfig(saved.config);
  const mean = savedArray(saved.buffers, 'feature_mean').data;
  const std = savedArray(saved.buffers, 'feature_std').data;
  const base = standardizedSymmetryFunctionModel(tf, saved, c.symmetryFunctions, mean, std);
  const variables: NamedVariable[] = [];
  for (const sym of base.fields.species.symbols) {
    for (const part of ['kernel', 'bias']) {
      const name = `${sym}/linear/${part}`;
      const w = savedArray(saved.weights, name);
      variables.push({ name, variable: tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, 'float32'), true, uniqueVariableName(name))) });
    }
  }
  let disposed = false;
  return {
    ...base.fields,
    type: 'linear',
    config: c,
    variables,
    atomicEnergies(batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor1D {
      const { blocks, widths } = base.rows(batch, edgeVectorsA); // standardised column blocks of G per element
      const outs: Tensor[] = blocks.map(({ species: s, rows }) =>
        tf.add(blockMatMul(tf, rows, variables[2 * s].variable as Tensor2D, widths), variables[2 * s + 1].variable),
      ); // [n_s, 1] each
      const y = outs.length === 1 ? outs[0] : outs.length === 0 ? tf.zeros([0, 1]) : tf.concat(outs, 0);
      return tf.reshape(y, [-1]) as Tensor1D;
    },
    save(metadata = {}) {
      return {
        ...saved,
        config: c,
        weights: variables.map((v) => ({ name: v.name, shape: v.variable.shape.slice(), data: Float32Array.from(v.variable.dataSync() as Float32Array) })),
        buffers: saved.buffers.map((b) => ({ ...b, data: b.data.slice() })),
        metadata: { ...saved.metadata, ...metadata },
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.variable.dispose();
      base.dispose();
    },
  };
}

export type LinearFitOptions = ClosedFormWeights;

export interface LinearFitReport {
  rows: { energy: number; forces: number; stress: number };
  parameters: number;
  /** Dimensionless training loss at the solution (without the ridge term). */
  loss: number;
}

/**
 * Fit the weights of a linear model on the training split in closed form and write them into its
 * variables. `graphs` must be built for model.graphSpec.
 */
export function fitLinearModel(model: AtomisticModel, data: TrainingData, graphs: GraphCache, opts: LinearFitOptions = {}): LinearFitReport {
  if (model.type !== 'linear') throw new Error(`fitLinearModel needs a linear model, got ${model.type}`);
  const c = model.config as LinearConfig;
  const saved = model.save();
  const S = model.species.numbers.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const mean = savedArray(saved.buffers, 'feature_mean').data, std = savedArray(saved.buffers, 'feature_std').data;
  const M = S * (F + 1); // columns: [w_0 (F), ..., w_{S-1} (F), b_0, ..., b_{S-1}]
  const eqs = normalEquations(M);
  const row = new Float64Array(M);
  const { counts, wE, wF, wS } = closedFormRowScales(data, opts);
  const train = data.split.train;
  const add = (scale: number, target: number) => eqs.add(row, scale, target);
  for (const k of train) {
    const f = data.frames[k], g = graphs.get(k), sp = data.atomSpecies[k], w = data.weights[k];
    if (w === 0) continue;
    const n = f.numbers.length;
    const needD = !!f.forcesEvPerA || !!f.stressEvPerA3;
    const { values: G, edgeDerivatives: D } = descriptorsF64(c.symmetryFunctions, g, sp, S, needD);
    const sw = Math.sqrt(w);
    if (f.energyEv !== undefined) {
      row.fill(0);
      for (let i = 0; i < n; i++) {
        const s = sp[i];
        for (let m = 0; m < F; m++) row[s * F + m] += (G[i * F + m] - mean[s * F + m]) / std[s * F + m] / n;
        row[S * F + s] += 1 / n;
      }
      add(wE * sw, (f.energyEv - data.e0SumEv[k]) / n);
    }
    if (!D) continue;
    const P = g.edgeI.length;
    if (f.forcesEvPerA) {
      // Rows of -dE/dx_kc: accumulate per atom [3 × M] from the edges touching it.
      const rows = new Float64Array(n * 3 * M);
      for (let p = 0; p < P; p++) {
        const i = g.edgeI[p], j = g.edgeJ[p], s = sp[i];
        for (let m = 0; m < F; m++) {
          const inv = 1 / std[s * F + m];
          for (let x = 0; x < 3; x++) {
            const d = D[(p * F + m) * 3 + x] * inv;
            rows[(i * 3 + x) * M + s * F + m] += d;
            rows[(j * 3 + x) * M + s * F + m] -= d;
          }
        }
      }
      for (let q = 0; q < 3 * n; q++) {
        row.set(rows.subarray(q * M, (q + 1) * M));
        add(wF * sw, f.forcesEvPerA[q]);
      }
    }
    if (f.stressEvPerA3 && g.volumeA3 > 0) {
      const rows = new Float64Array(9 * M);
      const v = g.edgeVectorsA;
      for (let p = 0; p < P; p++) {
        const s = sp[g.edgeI[p]];
        for (let m = 0; m < F; m++) {
          const inv = 1 / std[s * F + m] / g.volumeA3;
          const o = (p * F + m) * 3;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) rows[(3 * a + b) * M + s * F + m] += 0.5 * (v[3 * p + a] * D[o + b] + v[3 * p + b] * D[o + a]) * inv;
        }
      }
      for (let q = 0; q < 9; q++) {
        row.set(rows.subarray(q * M, (q + 1) * M));
        add(wS * sw, f.stressEvPerA3[q]);
      }
    }
  }
  // Ridge on the weights (not the biases); normalEquations.ts adds the jitter.
  const { AtA, Aty } = eqs.finish();
  const { x, loss } = solveRegularized(AtA, Aty, eqs.yy, M, (A) => {
    for (let a = 0; a < S * F; a++) A[a * M + a] += c.ridge;
  });
  const tf = model.tf;
  for (let s = 0; s < S; s++) {
    const wk = Float32Array.from(x.subarray(s * F, (s + 1) * F));
    tf.tidy(() => {
      model.variables[2 * s].variable.assign(tf.tensor2d(wk, [F, 1]));
      model.variables[2 * s + 1].variable.assign(tf.tensor1d([x[S * F + s]]));
    });
  }
  return { rows: counts, parameters: M, loss };
}

/**
 * Float64 reference of a saved linear model: `inputs` gives the standardised descriptors [N·F],
 * `energy` (eV, E0 excluded) applies the saved weights or float64 overrides by name.
 */
export function linearF64(saved: SavedModel) {
  const c = parseLinearConfig(saved.config);
  const S = saved.species.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const mean = savedArray(saved.buffers, 'feature_mean').data, std = savedArray(saved.buffers, 'feature_std').data;
  return {
    inputs(graph: FrameGraph, species: Int32Array): Float64Array {
      const G = descriptorsF64(c.symmetryFunctions, graph, species, S).values;
      for (let i = 0; i < graph.nAtoms; i++) for (let m = 0; m < F; m++) G[i * F + m] = (G[i * F + m] - mean[species[i] * F + m]) / std[species[i] * F + m];
      return G;
    },
    energy(x: Float64Array, species: Int32Array, weights?: Record<string, ArrayLike<number>>): number {
      const get = (name: string) => weights?.[name] ?? savedArray(saved.weights, name).data;
      const w = saved.species.map((sym) => get(`${sym}/linear/kernel`));
      const b = saved.species.map((sym) => get(`${sym}/linear/bias`));
      let e = 0;
      for (let i = 0; i < species.length; i++) {
        const s = species[i];
        e += b[s][0];
        for (let m = 0; m < F; m++) e += x[i * F + m] * w[s][m];
      }
      return e;
    },
  };
}
