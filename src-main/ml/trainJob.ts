// A training job on the host side, the same for the app's ML worker and the CLI `train`: set up
// tfjs, split and normalise the data (label counts and E0 shown to the user), build or resume the
// model, train (or fit in closed form), and write the run folder as it goes: metrics per epoch,
// checkpoints, the best model, parity data and the per-element / per-group error table.
import { describeModelConfig } from '../../src-shared/ml/models/describe';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { Frame } from '../../src-shared/atoms/frame';
import { errorBreakdown } from '../../src-shared/audits/errorBreakdown';
import { createGraphCache } from '../../src-shared/ml/data/graph';
import { describeGroupWeights, type GroupWeightConfig, type SplitConfig } from '../../src-shared/ml/data/split';
import type { E0Config } from '../../src-shared/ml/data/referenceEnergies';
import { describeCounts, prepareTrainingData } from '../../src-shared/ml/data/trainingData';
import { describeBaseline, subtractBaseline, type BaselineSpec } from '../../src-shared/ml/data/delta';
import { baselineCalculator } from './baseline';
import { modelCalculator } from '../../src-shared/ml/models/calculator';
import type { FitProgress } from '../../src-shared/ml/models/normalEquations';
import { parameterCount, type AtomisticModel } from '../../src-shared/ml/models/model';
import { loadModel, modelType } from '../../src-shared/ml/models/registry';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { evaluateModel } from '../../src-shared/ml/train/evaluate';
import type { Metrics } from '../../src-shared/ml/train/loss';
import { createTrainer, defaultTrainConfig, type EpochEvent, type StepEvent, type StopReason, type TrainConfig } from '../../src-shared/ml/train/trainer';
import { GPA_EV_PER_A3 } from '../../src-shared/units';
import { appendMetrics, loadCheckpoint, saveCheckpoint, saveModelFiles, writeBytesAtomic, writeRunJson, RUN_FILES } from './runFolder';
import { switchToReadableBackend, tfNode, type BackendPreference } from './tfNode';
import { needsAsyncReads } from '../../src-shared/ml/tf/tidy';
import { join } from 'node:path';

export interface TrainSettings {
  modelType: string;
  modelConfig: Record<string, unknown>;
  /** Overrides of the training configuration (defaults: defaultTrainConfig()). */
  train: Partial<TrainConfig>;
  split: SplitConfig;
  e0?: E0Config;
  maxMinutes?: number;
  backend?: BackendPreference;
  /** Δ-learning: train on reference minus this baseline. */
  baseline?: BaselineSpec;
  /** Loss weight per group (an info key's value, default config_type), on every term of a frame. */
  groupWeights?: GroupWeightConfig;
}

export interface TrainJobInput {
  runId: string;
  runDir: string;
  label: string;
  datasetName: string;
  frames: Frame[];
  /** Separate validation frames (--valid); the split then is train = frames, valid = these. */
  validFrames?: Frame[];
  validName?: string;
  settings: TrainSettings;
  /** Continue from the run folder's checkpoint. */
  resume?: boolean;
}

export interface TrainJobHooks {
  log(message: string): void;
  onEpoch?(e: EpochEvent): void;
  onStep?(e: StepEvent): void;
  signal?: AbortSignal;
}

export interface ModelCard {
  architecture: string;
  /** Δ-learning baseline (the model is the correction on top of it), or null. */
  baseline: string | null;
  /** Per-group loss weights, e.g. "config_type: Surface 5, others 1", or null (unweighted). */
  groupWeights?: string | null;
  modelType: string;
  config: unknown;
  parameterCount: number;
  backend: string;
  species: string[];
  e0Method: string;
  e0Ev: Record<string, number>;
  datasetName: string;
  datasetHash: string;
  trainFrames: number;
  validFrames: number;
  labelCounts: string;
  epochs: number;
  stopReason: StopReason | 'closed_form';
  trainingSeconds: number;
  validMetrics: Metrics | null;
  trainMetrics: Metrics | null;
}

export interface TrainJobResult {
  state: 'finished' | 'stopped' | 'failed';
  reason: StopReason | 'closed_form' | 'error';
  card: ModelCard | null;
  message: string | null;
}

/** A hash of what the model was trained on (positions, species, cells and labels). */
export function datasetHash(frames: readonly Frame[]): string {
  const h = createHash('sha256');
  for (const f of frames) {
    h.update(new Uint8Array(f.numbers.buffer, f.numbers.byteOffset, f.numbers.byteLength));
    h.update(new Uint8Array(f.positionsA.buffer, f.positionsA.byteOffset, f.positionsA.byteLength));
    if (f.cellA) h.update(new Uint8Array(f.cellA.buffer, f.cellA.byteOffset, f.cellA.byteLength));
    h.update(String(f.energyEv ?? ''));
    if (f.forcesEvPerA) h.update(new Uint8Array(f.forcesEvPerA.buffer, f.forcesEvPerA.byteOffset, f.forcesEvPerA.byteLength));
    if (f.stressEvPerA3) h.update(new Uint8Array(f.stressEvPerA3.buffer, f.stressEvPerA3.byteOffset, f.stressEvPerA3.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

const MAX_PARITY_FORCES = 20000;

/** Parity data: per-atom energies, force components and stress components, reference vs model. */
function parityData(model: AtomisticModel, frames: readonly Frame[], predictions: { frame: number; energyEv: number; forcesEvPerA: Float64Array | null; stressEvPerA3: Float64Array | null }[]) {
  const e = { refEvPerAtom: [] as number[], predEvPerAtom: [] as number[], frame: [] as number[] };
  const f = { refEvPerA: [] as number[], predEvPerA: [] as number[] };
  const s = { refGpa: [] as number[], predGpa: [] as number[] };
  let forceCount = 0;
  for (const p of predictions) forceCount += p.forcesEvPerA && frames[p.frame].forcesEvPerA ? p.forcesEvPerA.length : 0;
  const stride = Math.max(1, Math.ceil(forceCount / MAX_PARITY_FORCES));
  let k = 0;
  for (const p of predictions) {
    const fr = frames[p.frame];
    const n = fr.numbers.length;
    if (fr.energyEv !== undefined) {
      e.refEvPerAtom.push(fr.energyEv / n);
      e.predEvPerAtom.push(p.energyEv / n);
      e.frame.push(p.frame);
    }
    if (fr.forcesEvPerA && p.forcesEvPerA) {
      for (let c = 0; c < 3 * n; c++, k++) {
        if (k % stride !== 0) continue;
        f.refEvPerA.push(fr.forcesEvPerA[c]);
        f.predEvPerA.push(p.forcesEvPerA[c]);
      }
    }
    if (fr.stressEvPerA3 && p.stressEvPerA3) {
      for (const c of [0, 4, 8, 5, 2, 1]) {
        s.refGpa.push(fr.stressEvPerA3[c] / GPA_EV_PER_A3);
        s.predGpa.push(p.stressEvPerA3[c] / GPA_EV_PER_A3);
      }
    }
  }
  void model;
  return { energy: e, forces: { ...f, stride }, stress: s };
}

class FitStopped extends Error {
  constructor() {
    super('stopped during the closed-form fit: no model was saved (start it again to refit)');
  }
}

/**
 * Drive a stepwise closed-form fit: yield to the event loop between frames (so a stop request is
 * heard), log progress with an estimate of the time left every ~5 s, throw when stopped.
 */
async function runFitSteps(steps: Generator<FitProgress, object>, hooks: TrainJobHooks): Promise<object> {
  const t0 = Date.now();
  let lastLog = t0;
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (hooks.signal?.aborted) throw new FitStopped();
    const now = Date.now();
    if (now - lastLog > 5000) {
      lastLog = now;
      const { frames, totalFrames } = r.value;
      const leftS = ((now - t0) / frames) * (totalFrames - frames) / 1000;
      hooks.log(`closed-form fit: rows of ${frames}/${totalFrames} training frames, about ${Math.ceil(leftS)} s left before the solve`);
    }
    await new Promise((res) => setImmediate(res));
  }
}

export async function runTrainJob(input: TrainJobInput, hooks: TrainJobHooks): Promise<TrainJobResult> {
  const t0 = Date.now();
  const { runDir, settings } = input;
  mkdirSync(runDir, { recursive: true });
  let model: AtomisticModel | null = null;
  let disposeTrainer: (() => void) | null = null;
  try {
    const { tf, report, description } = await tfNode(settings.backend ?? 'auto');
    hooks.log(`backend: ${description}`);
    let all = input.validFrames ? [...input.frames, ...input.validFrames] : input.frames;
    if (settings.baseline) {
      const { frames: delta, report: br } = subtractBaseline(all, settings.baseline, baselineCalculator(settings.baseline) ?? undefined);
      all = delta;
      hooks.log(
        `Δ-learning on ${describeBaseline(settings.baseline)}: baseline alone has energy MAE ${br.baselineEnergyMaeMevPerAtom?.toFixed(2) ?? '-'} meV/atom, force MAE ${br.baselineForceMaeEvPerA?.toFixed(4) ?? '-'} eV/Å against the reference` +
          (br.maskedEnergy + br.maskedForces + br.maskedStress ? `; masked (no baseline): ${br.maskedEnergy} energies, ${br.maskedForces} force sets, ${br.maskedStress} stresses` : ''),
      );
    }
    const split: SplitConfig = input.validFrames
      ? { method: 'indices', train: input.frames.map((_, k) => k), valid: input.validFrames.map((_, k) => input.frames.length + k) }
      : settings.split;
    if (settings.groupWeights) {
      const rows = describeGroupWeights(all, settings.groupWeights);
      hooks.log(`group weights (${settings.groupWeights.column ?? 'config_type'}): ${rows.map((r) => `${r.group} ${r.weight} (${r.frames} frames)`).join(', ')}`);
      for (const r of rows) if (r.frames === 0) hooks.log(`warning: group weight for "${r.group}", but no frame has ${settings.groupWeights.column ?? 'config_type'}=${r.group}`);
    }
    const data = prepareTrainingData(all, { split, e0: settings.e0, groupWeights: settings.groupWeights });
    const counts = describeCounts(data.counts);
    hooks.log(`labels: ${counts}`);
    const e0Ev = Object.fromEntries(data.species.symbols.map((s, i) => [s, data.e0.valuesEv[i]]));
    hooks.log(`E0 (${data.e0.method}): ${Object.entries(e0Ev).map(([s, v]) => `${s} ${v.toFixed(6)} eV`).join(', ')}`);
    const type = modelType(settings.modelType);
    const config = type.parseConfig(settings.modelConfig);
    const graphs = createGraphCache(all, type.graphSpec(config));
    const hash = datasetHash(all);
    const trainConfig: TrainConfig = { ...defaultTrainConfig(), ...settings.train } as TrainConfig;
    const checkpoint = input.resume ? loadCheckpoint(runDir) : null;
    if (input.resume && !checkpoint) hooks.log('no checkpoint in the run folder: starting from scratch');
    model = checkpoint ? loadModel(tf, checkpoint.model) : type.create(tf, config, {
      species: data.species,
      e0: data.e0,
      scales: data.scales,
      seed: trainConfig.seed,
      trainingGraphs: function* () {
        for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
      },
    });
    const nParams = parameterCount(model);
    hooks.log(`model: ${type.label}, ${nParams} parameters, cutoff ${model.graphSpec.cutoffA} Å`);
    const metadataBase = { createdAt: new Date().toISOString(), backend: report.backend, datasetHash: hash, datasetName: input.datasetName, parameterCount: nParams, ...(settings.baseline ? { baseline: settings.baseline } : {}) };
    let final: SavedModel;
    let reason: StopReason | 'closed_form';
    let epochs = 0;
    let evalFn: (idx: readonly number[]) => ReturnType<typeof evaluateModel>;
    if (type.fitting === 'closed_form') {
      if (!type.fit) throw new Error(`model type ${type.name} is closed-form but has no solve`);
      hooks.log(`closed-form fit of ${type.label} on ${data.split.train.length} training frames...`);
      const weights = { energyWeight: trainConfig.loss.energy, forceWeight: trainConfig.loss.forces, stressWeight: trainConfig.loss.stress };
      const fit = type.fitSteps ? await runFitSteps(type.fitSteps(model, data, graphs, weights), hooks) : type.fit(model, data, graphs, weights);
      hooks.log(`closed-form fit: ${JSON.stringify(fit)}`);
      reason = 'closed_form';
      final = model.save(metadataBase);
      const m = model;
      evalFn = (idx) => evaluateModel(m, data, graphs, idx, { collect: true, forces: true, stress: true });
    } else {
      const trainer = createTrainer({ model, data, graphs, config: trainConfig, resume: checkpoint ?? undefined });
      disposeTrainer = () => trainer.dispose();
      const res = await trainer.run({
        signal: hooks.signal,
        maxMs: settings.maxMinutes !== undefined ? settings.maxMinutes * 60_000 : undefined,
        onEpoch: (e) => {
          appendMetrics(runDir, e);
          hooks.onEpoch?.(e);
        },
        onStep: (e) => hooks.onStep?.(e),
        onStage: (e) => hooks.log(`loss stage ${e.stage} from epoch ${e.epoch + 1}: weights E ${e.loss.energy}, F ${e.loss.forces}, S ${e.loss.stress}; learning rate ${e.lr.toExponential(2)}; the best-model record restarts`),
        onBatchShrink: (e) => hooks.log(`the device refused memory (${e.error}): batch ${e.fromAtoms} -> ${e.toAtoms} atoms, epoch ${e.epoch} re-planned`),
        onCheckpoint: (c) => saveCheckpoint(runDir, c),
      });
      reason = res.reason;
      epochs = res.epochs;
      hooks.log(`training stopped: ${res.reason} after ${res.epochs} epochs (${res.steps} steps); best epoch ${res.best?.epoch ?? '-'}`);
      final = trainer.bestModel(metadataBase);
      // webgpu reads only asynchronously in Node: evaluate the saved model on wasm/cpu (issue 10)
      if (needsAsyncReads(tf)) hooks.log(`final evaluation on ${await switchToReadableBackend()} (webgpu has no synchronous reads)`);
      // Evaluate with the best weights (a fresh model from the saved file).
      const best = loadModel(tf, final);
      model.dispose();
      model = best;
      const m = best;
      evalFn = (idx) => evaluateModel(m, data, graphs, idx, { collect: true, forces: true, stress: true });
    }
    const validIdx = data.split.valid.length ? data.split.valid : data.split.train;
    const validEval = evalFn(validIdx);
    const trainEval = data.split.valid.length ? evalFn(data.split.train) : validEval;
    const card: ModelCard = {
      architecture: describeModelConfig(type.label, config),
      baseline: settings.baseline ? describeBaseline(settings.baseline) : null,
      groupWeights: settings.groupWeights
        ? `${settings.groupWeights.column ?? 'config_type'}: ${[...Object.entries(settings.groupWeights.weights).map(([g, w]) => `${g} ${w}`), `others ${settings.groupWeights.defaultWeight ?? 1}`].join(', ')}`
        : null,
      modelType: type.name,
      config,
      parameterCount: nParams,
      backend: report.backend,
      species: [...data.species.symbols],
      e0Method: data.e0.method,
      e0Ev,
      datasetName: input.datasetName,
      datasetHash: hash,
      trainFrames: data.split.train.length,
      validFrames: data.split.valid.length,
      labelCounts: counts,
      epochs,
      stopReason: reason,
      trainingSeconds: (Date.now() - t0) / 1000,
      validMetrics: data.split.valid.length ? validEval.metrics : null,
      trainMetrics: trainEval.metrics,
    };
    final.metadata = { ...final.metadata, card };
    saveModelFiles(runDir, final);
    writeBytesAtomic(join(runDir, RUN_FILES.parity), JSON.stringify(parityData(model, all, validEval.predictions ?? [])));
    // Per-element and per-group errors on the validation frames (the audit's breakdown).
    try {
      const frames = validIdx.map((k) => all[k]);
      const br = errorBreakdown(modelCalculator(model), frames);
      writeBytesAtomic(join(runDir, RUN_FILES.errors), JSON.stringify(br));
    } catch (e) {
      hooks.log(`error breakdown skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
    const state = reason === 'cancelled' ? 'stopped' : reason === 'non_finite' ? 'failed' : 'finished';
    return { state, reason, card, message: reason === 'non_finite' ? 'the loss became NaN or infinite; lower the learning rate' : null };
  } catch (e) {
    if (e instanceof FitStopped) return { state: 'stopped', reason: 'cancelled', card: null, message: e.message };
    return { state: 'failed', reason: 'error', card: null, message: e instanceof Error ? e.message : String(e) };
  } finally {
    disposeTrainer?.();
    model?.dispose();
  }
}

export function hasModel(runDir: string): boolean {
  return existsSync(join(runDir, RUN_FILES.modelJson));
}

export { writeRunJson };
