// Backend parity: the same tiny model with the same weights on two tfjs backends must give the same
// energies, forces, stress and gradients of the force loss w.r.t. every weight (float32 tolerance),
// and train the same for a few steps. Pure (no Node API): it runs in vitest (cpu vs wasm) and in a
// browser page (webgpu vs cpu, e2e/webgpu.spec.ts), whose host switches the backend in between.
import { createRng } from '../../space/rng';
import { createGraphCache } from '../data/graph';
import { prepareTrainingData, makeBatch, type TrainingData } from '../data/trainingData';
import { createModel, loadModel, modelType } from '../models/registry';
import type { SavedModel } from '../models/serialization';
import { predict } from '../models/predict';
import { batchLoss, trainBatchTensors } from '../train/loss';
import { createTrainer, defaultTrainConfig } from '../train/trainer';
import type { Tensor, Tf } from '../tf/types';
import { randomLabelledFrame } from './fixtures';

/** Tiny configs of every gradient-trained model type (seconds on a software GPU). */
export const PARITY_MODELS: { name: string; config: Record<string, unknown> }[] = [
  {
    name: 'bpnn',
    config: { symmetryFunctions: { cutoffA: 3.6, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 1, rsA: 2.4 }], angular: { kind: 'G4', cutoffA: 3.2, etaPerA2: [0.05], zeta: [1, 2], lambda: [-1, 1] } }, hidden: [6], activation: 'silu' },
  },
  { name: 'painn', config: { cutoffA: 3.6, features: 4, radialBasis: 4, layers: 1, headHidden: [4], activation: 'silu' } },
];

/** Six small labelled Si/O structures (periodic and free), seeded. */
export function parityData(): TrainingData {
  const rng = createRng(23);
  const frames = Array.from({ length: 6 }, (_, k) => randomLabelledFrame(rng, k % 2 ? ['Si', 'O', 'Si', 'O'] : ['O', 'Si', 'Si'], { boxA: 4.2, minA: 1.6, periodic: k % 3 !== 0 }));
  return prepareTrainingData(frames, { split: { method: 'random', validFraction: 0.34, seed: 3 } });
}

/** A model created on the active backend with a fixed seed, saved (weights as Float32Arrays). */
export function parityModel(tf: Tf, data: TrainingData, name: string, config: unknown): SavedModel {
  const t = modelType(name);
  const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(config)));
  const m = createModel(tf, name, config, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 7,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  const saved = m.save();
  m.dispose();
  return saved;
}

export interface ParityNumbers {
  backend: string;
  energyEv: number[];
  forcesEvPerA: number[];
  stressEvPerA3: number[];
  /** d(force loss)/d(weight), per variable, flattened. */
  forceLossGrads: number[][];
  /** d(total loss: energy + forces + stress)/d(weight), per variable. */
  totalLossGrads: number[][];
  /** Training-loss (step means) and validation loss per epoch of a short run (one batch per epoch: one shape, so a GPU compiles its kernels once). */
  trainLoss: number[];
  validLoss: number[];
  /** Live tensors at the end of each epoch of that run. */
  tensorsPerEpoch: number[];
}

/** Predictions, loss gradients and a 3-epoch training run of `saved` on the active backend. */
export async function parityNumbers(tf: Tf, data: TrainingData, saved: SavedModel): Promise<ParityNumbers> {
  const model = loadModel(tf, saved);
  const t = modelType(saved.type);
  const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(saved.config)));
  const host = makeBatch(data, graphs, data.frames.map((_, k) => k));
  const varList = model.variables.map((v) => v.variable);
  const read = async (x: Tensor) => Array.from(await x.data());
  const b = tf.tidy(() => {
    const tb = trainBatchTensors(model, host);
    const p = predict(model, tb, { forces: true, stress: true });
    const fl = tf.variableGrads(() => batchLoss(model, tb, { energy: 0, forces: 1, stress: 0 }, data.scales).total, varList).grads;
    const tl = tf.variableGrads(() => batchLoss(model, tb, { energy: 1, forces: 1, stress: 1 }, data.scales).total, varList).grads;
    return { e: p.energyEv, f: p.forcesEvPerA!, s: p.stressEvPerA3!, fl: varList.map((v) => fl[v.name]), tl: varList.map((v) => tl[v.name]) };
  });
  const out: ParityNumbers = {
    backend: tf.getBackend(),
    energyEv: await read(b.e),
    forcesEvPerA: await read(b.f),
    stressEvPerA3: await read(b.s),
    forceLossGrads: await Promise.all(b.fl.map(read)),
    totalLossGrads: await Promise.all(b.tl.map(read)),
    trainLoss: [],
    validLoss: [],
    tensorsPerEpoch: [],
  };
  tf.dispose([b.e, b.f, b.s, ...b.fl, ...b.tl]);
  const trainer = createTrainer({
    model,
    data,
    graphs,
    config: { ...defaultTrainConfig(), seed: 5, maxEpochs: 3, batchAtoms: 64, evalBatchAtoms: 64, loss: { energy: 1, forces: 1, stress: 0.5 }, optimizer: { type: 'adam', lr: 2e-3, clipGradNorm: 10 }, emaDecay: 0, earlyStopping: null, checkpointEvery: 100 },
  });
  await trainer.run({
    onEpoch: (e) => {
      out.trainLoss.push(e.train.total);
      out.validLoss.push(e.valid ? e.valid.loss.total : NaN);
      out.tensorsPerEpoch.push(tf.memory().numTensors);
    },
  });
  trainer.dispose();
  model.dispose();
  return out;
}

/** Largest |a - b| / (atol + max|b|) over a list of arrays (the scale of the whole quantity). */
export function maxScaledError(a: readonly number[] | readonly number[][], b: readonly number[] | readonly number[][], atol = 1e-6): number {
  const fa = (a as unknown[]).flat(2) as number[], fb = (b as unknown[]).flat(2) as number[];
  if (fa.length !== fb.length) return Infinity;
  let scale = 0;
  for (const x of fb) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < fa.length; i++) {
    const d = Math.abs(fa[i] - fb[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d; // NaN counts as a failure
  }
  return worst / (atol + scale);
}

/**
 * Float32 tolerances on the scaled errors (cpu vs wasm measured 1e-7 to 3e-6; a GPU reorders sums
 * and may fuse multiply-adds). A wrong second-order gradient (the tanh trap) is off by 0.1 to 1.
 */
export const PARITY_TOLERANCE = { energy: 1e-4, forces: 1e-4, stress: 1e-4, forceLossGrads: 1e-3, totalLossGrads: 1e-3, trainLoss: 1e-3, validLoss: 1e-3 } as const;

/**
 * On a GPU, WGSL lets cos/sin be off by 2^-11 absolute and pow/exp/log/sqrt by many ULP (measured on
 * SwiftShader: cos 2e-4, pow(r, 2.5) 9e-5 relative, sqrt 2e-5 relative), and on webgpu the
 * symmetry functions take the float32 tf graph where cpu uses the float64 fused kernel. Measured
 * scaled errors there: up to 6e-3 (forces) and 2e-2 (force-loss gradients, Behler-Parrinello G4
 * powers). The bounds below stay well under what a wrong second-order gradient gives (0.17 to 1.1).
 */
export const GPU_PARITY_TOLERANCE = { energy: 5e-3, forces: 2e-2, stress: 2e-2, forceLossGrads: 6e-2, totalLossGrads: 6e-2, trainLoss: 5e-3, validLoss: 5e-3 } as const;

/** Per-quantity scaled errors of `test` against `reference`. */
export function compareParity(test: ParityNumbers, reference: ParityNumbers): Record<'energy' | 'forces' | 'stress' | 'forceLossGrads' | 'totalLossGrads' | 'trainLoss' | 'validLoss', number> {
  const perVariable = (a: number[][], b: number[][]) => (a.length !== b.length ? Infinity : Math.max(0, ...a.map((x, k) => maxScaledError(x, b[k]))));
  return {
    energy: maxScaledError(test.energyEv, reference.energyEv),
    forces: maxScaledError(test.forcesEvPerA, reference.forcesEvPerA),
    stress: maxScaledError(test.stressEvPerA3, reference.stressEvPerA3),
    forceLossGrads: perVariable(test.forceLossGrads, reference.forceLossGrads),
    totalLossGrads: perVariable(test.totalLossGrads, reference.totalLossGrads),
    trainLoss: maxScaledError(test.trainLoss, reference.trainLoss),
    validLoss: maxScaledError(test.validLoss, reference.validLoss),
  };
}
