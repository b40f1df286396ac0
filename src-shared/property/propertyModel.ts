// Property models = a representation (src-shared/representations) + a regressor, trained on frames
// with a per-frame target. The registry below is what the CLI (`--model`) and the UI list:
//   krr-gaussian   kernel ridge regression, Gaussian kernel, L2 distance (Rupp et al. 2012)
//   krr-laplacian  kernel ridge regression, Laplacian kernel, L1 distance (Hansen et al. 2013, 2015)
//   linear-ridge   linear ridge regression (= KRR with the linear kernel), with an intercept
//   linear-sum     linear ridge without intercept: f = w·x, size-extensive when x is (acsf-sum)
// trainPropertyModel fits the representation's layout (padding, bags) on the training frames plus
// any `layoutFrames` that must fit later (e.g. the far-apart pairs of an extensivity study).
import type { Frame } from '../atoms/frame';
import { featurizeAll, representationById, type Featurizer, type RepresentationId } from '../representations/registry';
import type { KernelKind, Metric } from './kernels';
import { fitKrr, predictKrr, type KrrModel } from './krr';
import { fitLinearRidge, predictLinear, type LinearModel } from './linearRidge';

export type PropertyModelId = 'krr-gaussian' | 'krr-laplacian' | 'linear-ridge' | 'linear-sum' | 'mlp';

export interface PropertyModelSpec {
  id: PropertyModelId;
  title: string;
  kernel: KernelKind | null;
  defaultMetric: Metric | null;
  description: string;
}

export const PROPERTY_MODELS: readonly PropertyModelSpec[] = [
  { id: 'krr-gaussian', title: 'Kernel ridge regression, Gaussian kernel', kernel: 'gaussian', defaultMetric: 'l2', description: 'k = exp(-‖x-x′‖₂²/2σ²); σ, λ by nested cross-validation' },
  { id: 'krr-laplacian', title: 'Kernel ridge regression, Laplacian kernel', kernel: 'laplacian', defaultMetric: 'l1', description: 'k = exp(-‖x-x′‖₁/σ); σ, λ by nested cross-validation' },
  { id: 'linear-ridge', title: 'Linear ridge regression', kernel: null, defaultMetric: null, description: 'f = b + w·x (the linear kernel in primal form)' },
  { id: 'linear-sum', title: 'Linear model without intercept', kernel: null, defaultMetric: null, description: 'f = w·x; with a sum-pooled local representation, a sum of atomic energies' },
  { id: 'mlp', title: 'MLP regressor (tfjs)', kernel: null, defaultMetric: null, description: '2 hidden tanh layers of 64, Adam, L2 1e-5, standardised features and target (mlpRegressor.ts; asynchronous, needs TensorFlow.js)' },
];

export function propertyModelById(id: string): PropertyModelSpec | undefined {
  return PROPERTY_MODELS.find((m) => m.id === id);
}

export interface TrainedPropertyModel {
  representation: RepresentationId;
  model: PropertyModelId;
  featurizer: Featurizer;
  predict(frames: readonly Frame[]): Float64Array;
}

export interface TrainOptions {
  representation: RepresentationId;
  model: PropertyModelId;
  frames: readonly Frame[];
  /** [frames.length] targets; NaN entries are not used. */
  targets: ArrayLike<number>;
  /** Frames the layout must also accommodate (not trained on). */
  layoutFrames?: readonly Frame[];
  /** Kernel width (KRR) in the representation's units; required for KRR. */
  sigma?: number;
  /** Regulariser (default 1e-8 for KRR, 1e-6 for linear). */
  lambda?: number;
  metric?: Metric;
}

export function trainPropertyModel(o: TrainOptions): TrainedPropertyModel {
  const rep = representationById(o.representation);
  if (!rep) throw new Error(`unknown representation "${o.representation}"`);
  const spec = propertyModelById(o.model);
  if (!spec) throw new Error(`unknown model "${o.model}"`);
  if (o.model === 'mlp') throw new Error('mlp: train it with fitMlpRegressor (asynchronous, needs TensorFlow.js), not trainPropertyModel');
  const featurizer = rep.fit([...o.frames, ...(o.layoutFrames ?? [])]);
  const d = featurizer.dimension;
  const keep: number[] = [];
  for (let i = 0; i < o.frames.length; i++) if (Number.isFinite(o.targets[i])) keep.push(i);
  const frames = keep.map((i) => o.frames[i]);
  const y = keep.map((i) => o.targets[i]);
  const X = featurizeAll(featurizer, frames);
  let predictX: (Xq: Float64Array, nq: number) => Float64Array;
  if (spec.kernel) {
    if (!(o.sigma !== undefined && o.sigma > 0)) throw new Error(`${o.model}: sigma (kernel width) is required`);
    const model: KrrModel = fitKrr(X, frames.length, d, y, { kernel: spec.kernel, metric: o.metric ?? spec.defaultMetric!, sigma: o.sigma, lambda: o.lambda ?? 1e-8 });
    predictX = (Xq, nq) => predictKrr(model, Xq, nq);
  } else {
    const model: LinearModel = fitLinearRidge(X, frames.length, d, y, { lambda: o.lambda ?? 1e-6, intercept: o.model === 'linear-ridge' });
    predictX = (Xq, nq) => predictLinear(model, Xq, nq);
  }
  return {
    representation: o.representation,
    model: o.model,
    featurizer,
    predict: (fs) => predictX(featurizeAll(featurizer, fs), fs.length),
  };
}
