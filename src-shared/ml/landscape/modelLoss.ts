// The training engine's loss as a function of the weights, and the loss-landscape computation of
// a trained model (Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018): 1D
// and 2D slices along filter-normalised random directions (directions.ts) around the trained
// weights θ*, on a fixed subset of training frames, with an optimiser path projected onto the plane.
//
// The loss is exactly the engine's (train/evaluate.ts, train/loss.ts): the dimensionless weighted
// sum w_E·L_E + w_F·L_F + w_S·L_S over the whole subset (not a batch mean), with the model's own
// label scales and E0 (prepared by the caller, e.g. evaluate.dataForModel). Each grid point writes
// θ* + α d1 + β d2 (rounded to float32, as the model stores it) into the model's variables and
// evaluates; the trained weights are restored afterwards, also on errors.
import type { GraphCache } from '../data/graph';
import type { TrainingData } from '../data/trainingData';
import type { AtomisticModel } from '../models/model';
import type { SavedTensor } from '../models/serialization';
import type { LossWeights } from '../train/loss';
import { evaluateModel } from '../train/evaluate';
import { createRng } from '../../space/rng';
import { dot, norm, randomDirection, type Direction, type DirectionOptions } from './directions';
import { lossSlice1d, lossSlice2d, pcaDirections, projectPath, type LossFunction, type LossTerms, type ProjectedPath, type Slice1d, type Slice2d } from './lossSurface';

/** Write weights (per tensor, in model.variables order) into the model. */
export function setModelWeights(model: AtomisticModel, weights: readonly ArrayLike<number>[]): void {
  const tf = model.tf;
  if (weights.length !== model.variables.length) throw new Error(`weights: ${weights.length} tensors, the model has ${model.variables.length}`);
  tf.tidy(() => {
    model.variables.forEach((v, k) => {
      if (weights[k].length !== v.variable.size) throw new Error(`weights of ${v.name}: ${weights[k].length} values, expected ${v.variable.size}`);
      v.variable.assign(tf.tensor(Float32Array.from(weights[k]), v.variable.shape, 'float32'));
    });
  });
}

/** Current weights of the model (float32 copies, model.variables order). */
export function modelWeights(model: AtomisticModel): Float32Array[] {
  return model.variables.map((v) => Float32Array.from(v.variable.dataSync() as Float32Array));
}

/**
 * L(weights) on frames `indices` of `data` (graphs for model.graphSpec). Call restore() when done
 * to put the weights the model had back.
 */
export function modelLossFunction(model: AtomisticModel, data: TrainingData, graphs: GraphCache, indices: readonly number[], lossWeights: LossWeights, batchAtoms?: number): { fn: LossFunction; restore: () => void } {
  const saved = modelWeights(model);
  const fn: LossFunction = (w) => {
    setModelWeights(model, w);
    return evaluateModel(model, data, graphs, indices, { lossWeights, batchAtoms }).loss;
  };
  return { fn, restore: () => setModelWeights(model, saved) };
}

export interface LandscapeOptions {
  /** Grid points per axis of the 2D slice (default 15) and of the 1D slice (default 21). */
  grid2d?: number;
  grid1d?: number;
  /** Half-width of the grid in units of the directions (default 1). */
  span?: number;
  seed?: number;
  /** 'random' (filter-normalised, default) or 'pca' (of the path; needs >= 2 path points). */
  directions?: 'random' | 'pca';
  biases?: DirectionOptions['biases'];
  /** Optimiser path: weights per point (model.variables order) with labels (e.g. "epoch 10"). */
  path?: { label: string; weights: ArrayLike<number>[] }[];
  onProgress?: (done: number, total: number) => void;
  cancelled?: () => boolean;
  batchAtoms?: number;
}

export interface LandscapeResult {
  format: 'atomforge-landscape';
  version: 1;
  modelType: string;
  parameters: number;
  frames: number;
  atoms: number;
  lossWeights: LossWeights;
  /** Loss terms are dimensionless: squared errors over the squared label scales (train/loss.ts). */
  lossUnits: 'dimensionless';
  directions: {
    kind: 'filter-normalized-random' | 'pca';
    seed: number;
    biases: 'zero' | 'filter';
    weightNorm: number;
    d1Norm: number;
    d2Norm: number;
    /** cos(d1, d2). */
    cosine: number;
    /** PCA only: fraction of the path's squared displacement along d1, d2. */
    explained: [number, number] | null;
  };
  center: LossTerms;
  /** Along d1. */
  slice1d: Slice1d;
  slice2d: Slice2d;
  path: (ProjectedPath & { labels: string[]; loss: number[] }) | null;
}

/**
 * Loss landscape of `model` around its current weights on frames `indices` (the model's weights
 * are restored at the end).
 */
export function computeLandscape(model: AtomisticModel, data: TrainingData, graphs: GraphCache, indices: readonly number[], lossWeights: LossWeights, o: LandscapeOptions = {}): LandscapeResult {
  const center = modelWeights(model);
  const tensors: SavedTensor<Float32Array>[] = model.variables.map((v, k) => ({ name: v.name, shape: v.variable.shape.slice(), data: center[k] }));
  const seed = o.seed ?? 0;
  const rng = createRng(seed);
  const biases = o.biases ?? 'zero';
  const path = o.path ?? [];
  let d1: Direction, d2: Direction, explained: [number, number] | null = null;
  const kind = o.directions === 'pca' && path.length >= 2 ? 'pca' : 'filter-normalized-random';
  if (kind === 'pca') {
    const p = pcaDirections(path.map((q) => q.weights), center);
    d1 = p.d1;
    d2 = p.d2;
    explained = p.explained;
    if (!(norm(d2) > 0)) d2 = randomDirection(tensors, rng, { biases });
  } else {
    d1 = randomDirection(tensors, rng, { biases });
    d2 = randomDirection(tensors, rng, { biases });
  }
  const { fn, restore } = modelLossFunction(model, data, graphs, indices, lossWeights, o.batchAtoms);
  const n1 = o.grid1d ?? 21, n2 = o.grid2d ?? 15;
  const total = n1 + n2 * n2 + path.length + 1;
  let done = 0;
  const tick = () => o.onProgress?.(++done, total);
  try {
    const centerLoss = fn(center.map((c) => Float64Array.from(c)));
    tick();
    const slice1d = lossSlice1d(fn, center, d1, { points: n1, span: o.span, onPoint: tick, cancelled: o.cancelled });
    const slice2d = lossSlice2d(fn, center, d1, d2, { points: n2, span: o.span, onPoint: tick, cancelled: o.cancelled });
    let projected: LandscapeResult['path'] = null;
    if (path.length) {
      const pp = projectPath(path.map((q) => q.weights), center, d1, d2);
      const loss = path.map((q) => {
        if (o.cancelled?.()) throw new Error('cancelled');
        const l = fn(q.weights.map((w) => Float64Array.from(w))).total;
        tick();
        return l;
      });
      projected = { ...pp, labels: path.map((q) => q.label), loss };
    }
    const n1n = norm(d1), n2n = norm(d2);
    return {
      format: 'atomforge-landscape',
      version: 1,
      modelType: model.type,
      parameters: center.reduce((s, c) => s + c.length, 0),
      frames: indices.length,
      atoms: indices.reduce((s, k) => s + data.frames[k].numbers.length, 0),
      lossWeights: { ...lossWeights },
      lossUnits: 'dimensionless',
      directions: { kind, seed, biases, weightNorm: norm(center), d1Norm: n1n, d2Norm: n2n, cosine: n1n > 0 && n2n > 0 ? dot(d1, d2) / (n1n * n2n) : 0, explained },
      center: centerLoss,
      slice1d,
      slice2d,
      path: projected,
    };
  } finally {
    restore();
  }
}
