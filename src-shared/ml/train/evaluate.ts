// Evaluation of a model on a set of frames: the loss over the whole set (not a mean of batch
// losses), the error metrics, and optionally per-frame predictions in the frames' own atom order
// (energies with E0, for parity plots and `eval --json`). Forward + one backward pass per batch
// (forces, stress), no weight gradients.
import type { Frame } from '../../atoms/frame';
import { planBatches, type HostBatch } from '../data/batch';
import { createGraphCache, type GraphCache } from '../data/graph';
import { referenceSumEv, type LabelScales } from '../data/referenceEnergies';
import { speciesIndices } from '../data/species';
import { makeBatch, countLabels, type TrainingData } from '../data/trainingData';
import type { AtomisticModel } from '../models/model';
import { predict } from '../models/predict';
import { readTidy, readTidyAsync } from '../tf/tidy';
import { createErrorAccumulator, trainBatchTensors, type LossValues, type LossWeights, type Metrics } from './loss';

export interface FramePrediction {
  /** Dataset index. */
  frame: number;
  /** Total energy with E0, eV. */
  energyEv: number;
  /** [3N] eV/Å, the frame's atom order (null when forces were not computed). */
  forcesEvPerA: Float64Array | null;
  /** [9] eV/Å³ (null when not periodic or not computed). */
  stressEvPerA3: Float64Array | null;
}

export interface EvalResult {
  loss: LossValues;
  metrics: Metrics;
  predictions?: FramePrediction[];
}

export interface EvalOptions {
  batchAtoms?: number;
  lossWeights?: LossWeights;
  /** Return per-frame predictions. */
  collect?: boolean;
  /** Compute forces / stress even without labels (for predictions). */
  forces?: boolean;
  stress?: boolean;
}

type BatchReader = (host: HostBatch, wantF: boolean, wantS: boolean) => Record<'energyEv' | 'forcesEvPerA' | 'stressEvPerA3', Float32Array | null>;

function predictionTensors(model: AtomisticModel, host: HostBatch, wantF: boolean, wantS: boolean) {
  const pr = predict(model, trainBatchTensors(model, host), { forces: wantF, stress: wantS });
  return { energyEv: pr.energyEv, forcesEvPerA: pr.forcesEvPerA, stressEvPerA3: pr.stressEvPerA3 };
}

/** Evaluate frames `indices` of prepared data (graphs built for the model's spec). */
export function evaluateModel(model: AtomisticModel, data: TrainingData, graphs: GraphCache, indices: readonly number[], opts: EvalOptions = {}): EvalResult {
  const read: BatchReader = (host, wantF, wantS) => readTidy(model.tf, () => predictionTensors(model, host, wantF, wantS));
  const ev = evaluation(data, graphs, indices, opts);
  for (const host of ev.batches()) ev.add(host, read(host, ev.wantF(host), ev.wantS(host)));
  return ev.result();
}

/** evaluateModel with asynchronous reads: for any backend, needed on webgpu (tf/tidy.ts). */
export async function evaluateModelAsync(model: AtomisticModel, data: TrainingData, graphs: GraphCache, indices: readonly number[], opts: EvalOptions = {}): Promise<EvalResult> {
  const ev = evaluation(data, graphs, indices, opts);
  for (const host of ev.batches()) {
    const wantF = ev.wantF(host), wantS = ev.wantS(host);
    ev.add(host, await readTidyAsync(model.tf, () => predictionTensors(model, host, wantF, wantS)));
  }
  return ev.result();
}

function evaluation(data: TrainingData, graphs: GraphCache, indices: readonly number[], opts: EvalOptions) {
  const w = opts.lossWeights ?? { energy: 1, forces: 1, stress: 1 };
  const acc = createErrorAccumulator();
  const predictions: FramePrediction[] = [];
  const batches = planBatches(indices, (k) => data.frames[k].numbers.length, opts.batchAtoms ?? 2048);
  return {
    *batches(): Generator<HostBatch> {
      for (const idx of batches) yield makeBatch(data, graphs, idx);
    },
    wantF: (host: HostBatch) => !!opts.forces || host.forceCount > 0,
    wantS: (host: HostBatch) => !!opts.stress || host.stressCount > 0,
    add(host: HostBatch, r: ReturnType<BatchReader>) {
      const p = { energyEv: r.energyEv!, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 };
      acc.add(host, p.energyEv, p.forcesEvPerA, p.stressEvPerA3);
      if (!opts.collect) return;
      for (let b = 0; b < host.nFrames; b++) {
        const k = host.frames[b];
        const n = host.atomsPerFrame[b];
        predictions.push({
          frame: k,
          energyEv: p.energyEv[b] + host.e0SumEv[b],
          forcesEvPerA: p.forcesEvPerA ? new Float64Array(3 * n) : null,
          stressEvPerA3: p.stressEvPerA3 && host.volumeA3[b] > 0 ? Float64Array.from(p.stressEvPerA3.subarray(9 * b, 9 * b + 9)) : null,
        });
      }
      if (p.forcesEvPerA) {
        const base = predictions.length - host.nFrames;
        for (let q = 0; q < host.nAtoms; q++) {
          const out = predictions[base + host.atomFrame[q]].forcesEvPerA!;
          const a = host.atomOrigin[q];
          for (let c = 0; c < 3; c++) out[3 * a + c] = p.forcesEvPerA[3 * q + c];
        }
      }
    },
    result: (): EvalResult => ({ loss: acc.loss(w, data.scales), metrics: acc.metrics(), ...(opts.collect ? { predictions } : {}) }),
  };
}

/**
 * Frames prepared for evaluation with a trained model's own species, E0 and scales (a new file on
 * the CLI's `eval`): every frame is in `train`, weights 1.
 */
export function dataForModel(model: AtomisticModel, frames: readonly Frame[]): { data: TrainingData; graphs: GraphCache } {
  const atomSpecies = frames.map((f) => speciesIndices(model.species, f.numbers));
  const all = frames.map((_, k) => k);
  const scales: LabelScales = model.scales;
  const data: TrainingData = {
    frames,
    species: model.species,
    atomSpecies,
    split: { train: all, valid: [], test: [] },
    e0: model.e0,
    e0SumEv: Float64Array.from(atomSpecies, (s) => referenceSumEv(model.e0, s)),
    scales,
    weights: new Float64Array(frames.length).fill(1),
    counts: { train: countLabels(frames, all), valid: countLabels(frames, []), test: countLabels(frames, []) },
  };
  return { data, graphs: createGraphCache(frames, model.graphSpec) };
}
