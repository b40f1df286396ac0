// Registry of model types (GUIDE habit 5: declarative registries drive UI pickers, the CLI and docs).
// Each entry knows its defaults, validates a JSON config, says how it is fitted (gradient training
// or a closed-form solve), creates a fresh model from data statistics and reloads a saved one.
// Another model (PaiNN) is added by implementing AtomisticModel and calling registerModelType.
import type { Tf } from '../tf/types';
import type { GraphCache, GraphSpec } from '../data/graph';
import type { TrainingData } from '../data/trainingData';
import type { AtomisticModel, ModelInit } from './model';
import type { SavedModel } from './serialization';
import { createBehlerParrinello, defaultBehlerParrinelloConfig, loadBehlerParrinello, parseBehlerParrinelloConfig } from './behlerParrinello';
import { createLinearModel, defaultLinearConfig, fitLinearModel, loadLinearModel, parseLinearConfig } from './linear';
import { createKernelModel, defaultKernelConfig, fitKernelModel, kernelFitSteps, loadKernelModel, parseKernelConfig } from './kernel';
import type { ClosedFormWeights, FitProgress } from './normalEquations';
import { graphSpecOf } from './symmetryFunctions';
import { createPainn, defaultPainnConfig, loadPainn, parsePainnConfig } from './painn';

export interface ModelType<C = unknown> {
  /** CLI / file name: 'bpnn', 'linear', ... */
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** 'gradient': trained by train/trainer.ts; 'closed_form': fitted by a solve (`fit`). */
  readonly fitting: 'gradient' | 'closed_form';
  /** The solve of a closed-form type: fits the training split of `data` into `model`, returns a report for the log. */
  fit?(model: AtomisticModel, data: TrainingData, graphs: GraphCache, weights: ClosedFormWeights): object;
  /** The same solve in steps (one per training frame) for hosts that report progress and can stop it. */
  fitSteps?(model: AtomisticModel, data: TrainingData, graphs: GraphCache, weights: ClosedFormWeights): Generator<FitProgress, object>;
  defaultConfig(): C;
  /** Validate a (partial) JSON config and fill defaults; throws with a message naming the field. */
  parseConfig(raw: unknown): C;
  /** Neighbour data a model with this config needs (to build graphs before the model exists). */
  graphSpec(config: C): GraphSpec;
  create(tf: Tf, config: C, init: ModelInit): AtomisticModel;
  load(tf: Tf, saved: SavedModel): AtomisticModel;
}

const types = new Map<string, ModelType<never>>();

export function registerModelType<C>(t: ModelType<C>): void {
  types.set(t.name, t as unknown as ModelType<never>);
}

/** All registered types, in registration order. */
export function modelTypes(): ModelType<unknown>[] {
  return [...types.values()] as ModelType<unknown>[];
}

export function modelType(name: string): ModelType<unknown> {
  const t = types.get(name);
  if (!t) throw new Error(`unknown model type "${name}" (known: ${[...types.keys()].join(', ')})`);
  return t as ModelType<unknown>;
}

/** Create a model of a registered type from a partial JSON config. */
export function createModel(tf: Tf, name: string, rawConfig: unknown, init: ModelInit): AtomisticModel {
  const t = modelType(name);
  return t.create(tf, t.parseConfig(rawConfig), init);
}

/** Rebuild a saved model (its `type` picks the registry entry). */
export function loadModel(tf: Tf, saved: SavedModel): AtomisticModel {
  return modelType(saved.type).load(tf, saved);
}

registerModelType({
  name: 'bpnn',
  label: 'Behler-Parrinello network',
  description: 'Atom-centred symmetry functions (G2, G4/G5; n2p2 definitions), one MLP per element.',
  fitting: 'gradient',
  defaultConfig: defaultBehlerParrinelloConfig,
  parseConfig: parseBehlerParrinelloConfig,
  graphSpec: (c) => graphSpecOf(c.symmetryFunctions),
  create: createBehlerParrinello,
  load: loadBehlerParrinello,
});

registerModelType({
  name: 'linear',
  label: 'Linear (ridge) on symmetry functions',
  description: 'Per-element linear model on the standardised symmetry functions, solved in closed form on energies, forces and stress.',
  fitting: 'closed_form',
  defaultConfig: defaultLinearConfig,
  parseConfig: parseLinearConfig,
  graphSpec: (c) => graphSpecOf(c.symmetryFunctions),
  create: createLinearModel,
  load: loadLinearModel,
  fit: fitLinearModel,
});

registerModelType({
  name: 'kernel',
  label: 'Sparse kernel (GAP-style) on symmetry functions',
  description: 'Per-element linear term plus a Gaussian (or, with kernel: "polynomial", a polynomial) kernel on farthest-point-sampled training environments (sparse GP regression, as GAP), solved in closed form on energies, forces and stress. Default descriptors: radial G2 functions and a SOAP-like power spectrum (n 8, l <= 6).',
  fitting: 'closed_form',
  defaultConfig: defaultKernelConfig,
  parseConfig: parseKernelConfig,
  graphSpec: (c) => graphSpecOf(c.symmetryFunctions),
  create: createKernelModel,
  load: loadKernelModel,
  fit: fitKernelModel,
  fitSteps: kernelFitSteps,
});

registerModelType({
  name: 'painn',
  label: 'PaiNN (equivariant message passing)',
  description: 'E(3)-equivariant message passing with scalar and vector features (Schütt et al., ICML 2021): Bessel radial basis × smooth cutoff, L interaction blocks, energy head; forces and stress by autodiff. Option directForces adds a non-conservative vector force head.',
  fitting: 'gradient',
  defaultConfig: defaultPainnConfig,
  parseConfig: parsePainnConfig,
  graphSpec: (c) => ({ cutoffA: c.cutoffA }),
  create: createPainn,
  load: loadPainn,
});
