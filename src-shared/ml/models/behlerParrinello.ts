// Behler-Parrinello neural-network potential (Behler & Parrinello, PRL 98, 146401 (2007); Behler,
// J. Chem. Phys. 134, 074106 (2011)): E = Σ_i [s_E · NN_{Z_i}((G_i - μ_{Z_i}) / σ_{Z_i}) + ē] + Σ_i E0(Z_i)
// with G_i the atom-centred symmetry functions (symmetryFunctions.ts, n2p2 definitions), μ, σ their
// per-element mean and standard deviation over the training atoms (n2p2 scaling), one MLP per
// element (mlp.ts), s_E the per-atom energy scale and ē the mean per-atom residual energy of the
// training data. The descriptors are computed inside the tf graph from the edge vectors, so forces
// and stress come from autodiff (predict.ts).
import type { GraphTensors, HostGraphBatch } from '../data/batch';
import type { ModelInit, AtomisticModel, NamedVariable } from './model';
import { speciesTable } from '../data/species';
import { ACTIVATIONS, type ActivationName } from '../tf/activations';
import type { Tensor, Tensor1D, Tensor2D, Tf } from '../tf/types';
import { initMlpWeights, mlpF64, mlpTf, type MlpShape } from './mlp';
import { MODEL_FORMAT, MODEL_VERSION, savedArray, type SavedModel } from './serialization';
import {
  checkSymmetryFunctions,
  defaultSymmetryFunctions,
  descriptorsF64,
  featureLayout,
  featureStatistics,
  graphSpecOf,
  type FeatureStatistics,
  type SymmetryFunctionConfig,
} from './symmetryFunctions';
import { disposeConstants, standardizedBlocks, symmetryFunctionConstants } from './symmetryFunctionsTf';
import { standardizerCache, symmetryFunctionBatchTensors, symmetryFunctionBlocks } from './symmetryFunctionsKernel';
import type { FrameGraph } from '../data/graph';
import { uniqueVariableName } from '../tf/names';

export interface BehlerParrinelloConfig {
  symmetryFunctions: SymmetryFunctionConfig;
  /** Hidden layer widths of each element's network. */
  hidden: number[];
  activation: ActivationName;
}

export function defaultBehlerParrinelloConfig(): BehlerParrinelloConfig {
  return { symmetryFunctions: defaultSymmetryFunctions(), hidden: [16, 16], activation: 'tanh' };
}

/** Fill defaults and validate a (partial) JSON config. */
export function parseBehlerParrinelloConfig(raw: unknown): BehlerParrinelloConfig {
  const d = defaultBehlerParrinelloConfig();
  const r = (raw ?? {}) as Partial<BehlerParrinelloConfig>;
  const c: BehlerParrinelloConfig = {
    symmetryFunctions: r.symmetryFunctions ?? d.symmetryFunctions,
    hidden: r.hidden ?? d.hidden,
    activation: r.activation ?? d.activation,
  };
  checkSymmetryFunctions(c.symmetryFunctions);
  // the fused BP trainer (train/bpFused*.ts) and the WebAssembly kernel compute G2/G4/G5 only
  if (c.symmetryFunctions.powerSpectrum) throw new Error('bpnn: a power spectrum is available to the linear and kernel models only; remove symmetryFunctions.powerSpectrum');
  if (!Array.isArray(c.hidden) || !c.hidden.every((h) => Number.isInteger(h) && h >= 1)) throw new Error(`bpnn: hidden must be a list of positive integers, got ${JSON.stringify(c.hidden)}`);
  if (!ACTIVATIONS.includes(c.activation)) throw new Error(`bpnn: activation must be one of ${ACTIVATIONS.join(', ')}, got ${c.activation}`);
  return c;
}

function mlpShape(c: BehlerParrinelloConfig, nFeatures: number): MlpShape {
  return { inputs: nFeatures, hidden: c.hidden, activation: c.activation };
}

/** Feature statistics over training graphs (float64 descriptors). */
export function statisticsOf(c: SymmetryFunctionConfig, nSpecies: number, graphs: Iterable<{ graph: FrameGraph; species: Int32Array }> | undefined): FeatureStatistics {
  const F = featureLayout(c, nSpecies).nFeatures;
  function* items() {
    if (graphs) for (const g of graphs) yield { values: descriptorsF64(c, g.graph, g.species, nSpecies).values, species: g.species };
  }
  return featureStatistics(items(), nSpecies, F);
}

/** A new model with initial weights; input statistics from init.trainingGraphs. */
export function createBehlerParrinello(tf: Tf, config: BehlerParrinelloConfig, init: ModelInit): AtomisticModel {
  const c = parseBehlerParrinelloConfig(config);
  const S = init.species.numbers.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const stats = statisticsOf(c.symmetryFunctions, S, init.trainingGraphs?.());
  const weights = init.species.symbols.flatMap((sym, s) => initMlpWeights(mlpShape(c, F), sym, init.seed * 1000 + s));
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    type: 'bpnn',
    config: c,
    species: [...init.species.symbols],
    e0: { method: init.e0.method, valuesEv: Array.from(init.e0.valuesEv) },
    scales: { ...init.scales },
    weights,
    buffers: [
      { name: 'feature_mean', shape: [S, F], data: stats.mean },
      { name: 'feature_std', shape: [S, F], data: stats.std },
    ],
    metadata: {},
  };
  return loadBehlerParrinello(tf, saved);
}

/** Rebuild a model from a SavedModel (weights copied into new tf variables). */
export function loadBehlerParrinello(tf: Tf, saved: SavedModel): AtomisticModel {
  const c = parseBehlerParrinelloConfig(saved.config);
  const species = speciesTable(saved.species);
  const S = species.numbers.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const shape = mlpShape(c, F);
  const mean = savedArray(saved.buffers, 'feature_mean').data;
  const std = savedArray(saved.buffers, 'feature_std').data;
  const perSpecies: NamedVariable[][] = species.symbols.map((sym) => {
    const list: NamedVariable[] = [];
    for (let l = 0; l <= c.hidden.length; l++) {
      for (const part of ['kernel', 'bias']) {
        const name = `${sym}/dense${l}/${part}`;
        const w = savedArray(saved.weights, name);
        list.push({ name, variable: tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, 'float32'), true, uniqueVariableName(name))) });
      }
    }
    return list;
  });
  const variables = perSpecies.flat();
  const consts = symmetryFunctionConstants(tf, c.symmetryFunctions);
  const standardizers = standardizerCache(tf, mean, std, S);
  const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom;
  const e0 = { method: saved.e0.method as 'least_squares', valuesEv: Float64Array.from(saved.e0.valuesEv) };
  let disposed = false;
  return {
    type: 'bpnn',
    config: c,
    species,
    graphSpec: graphSpecOf(c.symmetryFunctions),
    e0,
    scales: { ...saved.scales },
    variables,
    tf,
    prepareBatch: (b: HostGraphBatch) => symmetryFunctionBatchTensors(tf, c.symmetryFunctions, b),
    atomicEnergies(batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor1D {
      const { blocks, widths } = symmetryFunctionBlocks(tf, c.symmetryFunctions, consts, batch, edgeVectorsA); // column blocks of G [N, F]
      const outs: Tensor[] = standardizedBlocks(tf, standardizers.get(widths), blocks, batch.host.speciesCounts).map(({ species: s, rows }) => mlpTf(tf, shape, perSpecies[s], { blocks: rows, widths })); // [n_s, 1] each
      const y = outs.length === 1 ? outs[0] : outs.length === 0 ? tf.zeros([0, 1]) : tf.concat(outs, 0); // [N, 1]
      return tf.add(tf.mul(tf.reshape(y, [-1]), sE), shift) as Tensor1D; // [N]
    },
    save(metadata = {}) {
      return {
        ...saved,
        config: c,
        scales: { ...saved.scales },
        weights: variables.map((v) => ({ name: v.name, shape: v.variable.shape.slice(), data: Float32Array.from(v.variable.dataSync() as Float32Array) })),
        buffers: saved.buffers.map((b) => ({ ...b, data: b.data.slice() })),
        metadata: { ...saved.metadata, ...metadata },
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.variable.dispose();
      disposeConstants(consts);
      standardizers.dispose();
    },
  };
}

/**
 * Float64 reference evaluation of a saved BP model: the plain JavaScript path (descriptorsF64 +
 * mlpF64), independent of the tf graph, used by the gradient checks and as a fallback evaluator.
 * `inputs` computes the standardised descriptors x [N·F] of a structure (weight-independent);
 * `energy` evaluates the networks on them with the saved weights or float64 overrides by name.
 */
export function behlerParrinelloF64(saved: SavedModel) {
  const c = parseBehlerParrinelloConfig(saved.config);
  const S = saved.species.length;
  const F = featureLayout(c.symmetryFunctions, S).nFeatures;
  const shape = mlpShape(c, F);
  const mean = savedArray(saved.buffers, 'feature_mean').data;
  const std = savedArray(saved.buffers, 'feature_std').data;
  const names = saved.species.map((sym) => {
    const list: string[] = [];
    for (let l = 0; l <= c.hidden.length; l++) for (const part of ['kernel', 'bias']) list.push(`${sym}/dense${l}/${part}`);
    return list;
  });
  return {
    inputs(graph: FrameGraph, species: Int32Array): Float64Array {
      const G = descriptorsF64(c.symmetryFunctions, graph, species, S).values;
      for (let i = 0; i < graph.nAtoms; i++) {
        const s = species[i];
        for (let f = 0; f < F; f++) G[i * F + f] = (G[i * F + f] - mean[s * F + f]) / std[s * F + f];
      }
      return G;
    },
    energy(x: Float64Array, species: Int32Array, weights?: Record<string, ArrayLike<number>>): { energyEv: number; atomicEnergiesEv: Float64Array } {
      const perSpecies = names.map((list) => list.map((name) => ({ data: weights?.[name] ?? savedArray(saved.weights, name).data })));
      const out = new Float64Array(species.length);
      let e = 0;
      for (let i = 0; i < species.length; i++) {
        out[i] = saved.scales.energyEvPerAtom * mlpF64(shape, perSpecies[species[i]], x.subarray(i * F, (i + 1) * F)) + saved.scales.energyMeanEvPerAtom;
        e += out[i];
      }
      return { energyEv: e, atomicEnergiesEv: out };
    },
  };
}

/** Float64 reference energy (eV, E0 excluded) of one structure under a saved BP model. */
export function behlerParrinelloEnergyF64(
  saved: SavedModel,
  graph: FrameGraph,
  species: Int32Array,
  /** Weights by name overriding saved.weights (float64 perturbations in gradient checks). */
  weights?: Record<string, ArrayLike<number>>,
): { energyEv: number; atomicEnergiesEv: Float64Array } {
  const ref = behlerParrinelloF64(saved);
  return ref.energy(ref.inputs(graph, species), species, weights);
}
