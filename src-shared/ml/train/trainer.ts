// The training loop: seeded mini-batch optimisation of the loss of loss.ts with the optimiser,
// schedule and weight average of optimizer.ts / schedule.ts, validation every epoch, early stopping
// on the validation loss, and checkpoints that resume the run exactly.
//
// Reproducibility: epoch e visits the training frames in the order of a Fisher-Yates shuffle drawn
// from createRng(seed, e) and packs them into batches of at most batchAtoms atoms, so the batch
// plan of any epoch is a pure function of (seed, e). A checkpoint holds the weights, the optimiser
// moments, the weight average, the schedule and early-stopping state, the best weights, the
// history, and the position (epoch, batch, step); a trainer built from it continues with the same
// batches and the same arithmetic, so on a deterministic backend (cpu, wasm) the resumed run is
// bitwise identical to the uninterrupted one (tested).
//
// Events: onStep after every optimiser step (loss terms, learning rate, gradient norm, timing);
// onEpoch after each epoch (train loss terms as step means, validation loss and metrics, best
// epoch, ETA); onCheckpoint every `checkpointEvery` epochs and when the run stops for any reason.
// run() awaits a macrotask between steps so a worker can receive pause/stop messages.
import type { GraphCache } from '../data/graph';
import { planBatches, type HostBatch } from '../data/batch';
import { makeBatch, type TrainingData } from '../data/trainingData';
import type { AtomisticModel } from '../models/model';
import type { SavedModel } from '../models/serialization';
import type { Tensor } from '../tf/types';
import { prefetchVariables } from '../tf/tidy';
import { checkedStep, isAllocationError } from '../tf/allocation';
import { createRng } from '../../space/rng';
import { batchLoss, createErrorAccumulator, trainBatchTensors, type LossValues, type LossWeights } from './loss';
import { createBpFusedLoss, useFusedLoss, type TrainLossPath } from './bpFusedGrad';
import { evaluateModel, evaluateModelAsync, type EvalResult } from './evaluate';
import { createOptimizer, createWeightAverage, type OptimizerConfig, type OptimizerState, type WeightAverage } from './optimizer';
import { createSchedule, type ScheduleConfig, type ScheduleState } from './schedule';

export interface TrainConfig {
  seed: number;
  maxEpochs: number;
  /** Atoms per training batch (frames are packed up to this). */
  batchAtoms: number;
  loss: LossWeights;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Decay of the weight average used for validation and the saved model; 0 = off. */
  emaDecay: number;
  /** Stop after `patience` epochs without the validation loss improving by minDelta (relative). */
  earlyStopping: { patience: number; minDelta: number } | null;
  /** Emit a checkpoint every N epochs (0: only when stopping). */
  checkpointEvery: number;
  /** Atoms per evaluation batch. */
  evalBatchAtoms: number;
  /**
   * How the loss gradient is computed: 'fused' = the float64 Behler-Parrinello loss and gradient
   * (bpFusedGrad.ts), 'graph' = the tfjs graph (float32, double backward), 'auto' (default) = fused
   * for BP models on the cpu and wasm backends. Other model types always use the graph.
   */
  lossPath?: TrainLossPath;
  /**
   * Schedule of loss weights: from epoch `startEpoch` (0-based) on, `loss` replaces the weights
   * (and the learning rate is multiplied by `lrFactor`, default 1). A late stage with a large energy
   * weight and a lower rate is how MACE ends its runs (Batatia et al., NeurIPS 2022: the "SWA"
   * stage). The loss changes meaning at a stage, so the best-model record, early stopping and the
   * plateau schedule start afresh there: the kept model is the best of the last stage reached.
   */
  lossStages?: LossStage[];
}

export interface LossStage {
  startEpoch: number;
  loss: LossWeights;
  lrFactor?: number;
}

export function defaultTrainConfig(): TrainConfig {
  return {
    seed: 0,
    maxEpochs: 100,
    batchAtoms: 512,
    loss: { energy: 1, forces: 1, stress: 0.1 },
    optimizer: { type: 'adam', lr: 3e-3, clipGradNorm: 10 },
    schedule: { type: 'plateau', warmupSteps: 20, factor: 0.5, patience: 10, minLr: 1e-5 },
    emaDecay: 0.99,
    earlyStopping: { patience: 40, minDelta: 1e-4 },
    checkpointEvery: 10,
    evalBatchAtoms: 2048,
  };
}

export type StopReason = 'max_epochs' | 'early_stopping' | 'cancelled' | 'time_limit' | 'epoch_limit' | 'non_finite';

export interface StepEvent {
  kind: 'step';
  epoch: number;
  /** Optimiser steps done (1-based after this step). */
  step: number;
  batch: number;
  batches: number;
  lr: number;
  loss: LossValues;
  gradNorm: number;
  atoms: number;
  ms: number;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  train: LossValues;
  valid: { loss: LossValues; metrics: EvalResult['metrics'] } | null;
  ms: number;
}

export interface EpochEvent extends EpochRecord {
  kind: 'epoch';
  best: { epoch: number; loss: number } | null;
  improved: boolean;
  elapsedMs: number;
  etaMs: number;
}

const BIG = Number.MAX_VALUE; // JSON-safe "infinity" for state kept in checkpoints

export interface Checkpoint {
  format: 'atomforge-checkpoint';
  version: 1;
  reason: 'periodic' | 'stop';
  config: TrainConfig;
  /** Live weights (and everything needed to rebuild the model). */
  model: SavedModel;
  optimizer: OptimizerState;
  ema: { values: Float32Array[]; updates: number } | null;
  schedule: ScheduleState;
  /** Where training continues: epoch (0-based), batch within it, optimiser steps done, loss stage (0 = config.loss, k = lossStages[k-1]). */
  position: { epoch: number; batch: number; step: number; stage?: number };
  /** Sums of the current (partial) epoch's step losses. */
  epochSums: { total: number; energy: number; forces: number; stress: number; steps: number; ms: number };
  best: { epoch: number; loss: number; weights: Float32Array[] } | null;
  earlyStopping: { best: number; bad: number };
  history: EpochRecord[];
  elapsedMs: number;
}

/** A loss stage (TrainConfig.lossStages) begins. */
export interface StageEvent {
  kind: 'stage';
  epoch: number;
  /** 1.. = lossStages[stage - 1]. */
  stage: number;
  loss: LossWeights;
  lr: number;
}

/** The device refused an allocation: the batch was halved and the epoch re-planned. */
export interface BatchShrinkEvent {
  kind: 'batch_shrink';
  epoch: number;
  fromAtoms: number;
  toAtoms: number;
  error: string;
}

export interface TrainHooks {
  onStep?(e: StepEvent): void;
  onBatchShrink?(e: BatchShrinkEvent): void;
  onEpoch?(e: EpochEvent): void;
  onCheckpoint?(c: Checkpoint): void;
  onStage?(e: StageEvent): void;
  signal?: AbortSignal;
  /** Wall-clock budget of this call, ms. */
  maxMs?: number;
  /** Stop after this many epochs in this call (reason 'epoch_limit'; for pausing and tests). */
  maxEpochs?: number;
  /** Yield to the event loop every N steps (default 1). */
  yieldEvery?: number;
}

export interface TrainResult {
  reason: StopReason;
  epochs: number;
  steps: number;
  best: { epoch: number; loss: number } | null;
  history: EpochRecord[];
}

export interface Trainer {
  readonly epoch: number;
  readonly step: number;
  readonly history: readonly EpochRecord[];
  run(hooks?: TrainHooks): Promise<TrainResult>;
  /** Evaluate with the weights used for validation (the average when EMA is on). */
  evaluate(indices: readonly number[], opts?: { collect?: boolean }): EvalResult;
  checkpoint(reason?: Checkpoint['reason']): Checkpoint;
  /** The best weights so far (the current ones when no epoch has finished) as a model file. */
  bestModel(metadata?: Record<string, unknown>): SavedModel;
  dispose(): void;
}

export interface TrainerOptions {
  model: AtomisticModel;
  data: TrainingData;
  /** Graphs for model.graphSpec over data.frames. */
  graphs: GraphCache;
  config: TrainConfig;
  /** Continue from this checkpoint (the model must have been loaded from checkpoint.model). */
  resume?: Checkpoint;
  /** Epoch records kept in memory and in checkpoints, newest last (default HISTORY_KEPT). */
  historyKept?: number;
}

/**
 * Epoch records a trainer keeps (in memory, in TrainResult.history and in every checkpoint): the
 * newest 1,000. Without a cap an overnight run grew by ~0.7 kB of heap per epoch and wrote its whole
 * history into every checkpoint (bench/soak: +6 MB of heap over 8,764 epochs). The complete record
 * of a run is its folder's metrics.jsonl, appended every epoch.
 */
export const HISTORY_KEPT = 1000;

/** Batches of epoch `epoch`: a pure function of (seed, epoch). */
export function epochPlan(data: TrainingData, config: TrainConfig, epoch: number): number[][] {
  const rng = createRng((config.seed >>> 0) + 4294967296 * (epoch + 1));
  const order = data.split.train.slice();
  for (let k = order.length - 1; k > 0; k--) {
    const r = rng.int(k + 1);
    const t = order[k];
    order[k] = order[r];
    order[r] = t;
  }
  return planBatches(order, (k) => data.frames[k].numbers.length, config.batchAtoms);
}

const copy = (xs: Float32Array[]) => xs.map((x) => x.slice());

export function createTrainer(opts: TrainerOptions): Trainer {
  const { model, data, graphs } = opts;
  // own copy: batchAtoms / evalBatchAtoms shrink when the device refuses an allocation
  const config: TrainConfig = { ...opts.config };
  const historyKept = Math.max(1, opts.historyKept ?? HISTORY_KEPT);
  const tf = model.tf;
  const vars = model.variables;
  const varList = vars.map((v) => v.variable);
  const optimizer = createOptimizer(tf, vars, config.optimizer);
  const schedule = createSchedule(config.optimizer.lr, config.schedule, config.maxEpochs);
  const ema: WeightAverage | null = config.emaDecay > 0 ? createWeightAverage(tf, vars, config.emaDecay) : null;
  // Behler-Parrinello on cpu/wasm: loss and gradient in float64 JS (bpFusedGrad.ts), same optimiser
  const fused = useFusedLoss(model, config.lossPath) ? createBpFusedLoss(model, data.atomSpecies, graphs) : null;
  let position: Checkpoint['position'] = { epoch: 0, batch: 0, step: 0, stage: 0 };
  const baseLoss = { ...config.loss };
  const stages = [...(config.lossStages ?? [])].sort((a, b) => a.startEpoch - b.startEpoch);
  let sums = { total: 0, energy: 0, forces: 0, stress: 0, steps: 0, ms: 0 };
  let best: Checkpoint['best'] = null;
  let stopState = { best: BIG, bad: 0 };
  let history: EpochRecord[] = [];
  let elapsedMs = 0;
  let finished: StopReason | null = null;
  let planCache: { epoch: number; plan: number[][] } | null = null;

  const r = opts.resume;
  if (r) {
    if (r.format !== 'atomforge-checkpoint') throw new Error('not a training checkpoint');
    optimizer.load(r.optimizer);
    if (ema && r.ema) ema.load(r.ema.values, r.ema.updates);
    schedule.load(r.schedule);
    position = { ...r.position };
    sums = { ...r.epochSums };
    best = r.best ? { ...r.best, weights: copy(r.best.weights) } : null;
    stopState = { ...r.earlyStopping };
    history = r.history.map((h) => ({ ...h }));
    elapsedMs = r.elapsedMs;
  }

  const weightsNow = () => (ema ? ema.values() : vars.map((v) => Float32Array.from(v.variable.dataSync() as Float32Array)));
  const withEvalWeights = <T>(fn: () => T): T => (ema ? ema.withAveraged(fn) : fn());

  /**
   * The loss weights of the stage that epoch `position.epoch` belongs to (idempotent, so a resumed
   * run gets them back); entering a new stage scales the rate and restarts the best-model record,
   * early stopping and the plateau counter.
   */
  function syncStage(hooks: TrainHooks) {
    let s = 0;
    while (s < stages.length && stages[s].startEpoch <= position.epoch) s++;
    config.loss = s === 0 ? { ...baseLoss } : { ...stages[s - 1].loss };
    if (s === (position.stage ?? 0)) return;
    const st = schedule.state();
    const factor = stages.slice(0, s).reduce((f, x) => f * (x.lrFactor ?? 1), 1); // stages in order: their factors compound
    schedule.load({ ...st, scale: factor, plateauBest: BIG, plateauBad: 0 });
    best = null;
    stopState = { best: BIG, bad: 0 };
    position.stage = s;
    hooks.onStage?.({ kind: 'stage', epoch: position.epoch, stage: s, loss: { ...config.loss }, lr: schedule.lrAt(position.step) });
  }

  function plan(epoch: number): number[][] {
    if (!planCache || planCache.epoch !== epoch) planCache = { epoch, plan: epochPlan(data, config, epoch) };
    return planCache.plan;
  }

  /**
   * One optimiser step; returns the loss terms and gradient norm, or null when the loss is not
   * finite (then the weights are left as they were). Reads asynchronously (webgpu: tf/tidy.ts).
   */
  async function trainStep(host: HostBatch, lr: number): Promise<{ loss: LossValues; gradNorm: number } | null> {
    if (fused) return fusedStep(host, lr);
    const { terms, list } = tf.tidy(() => {
      const b = trainBatchTensors(model, host);
      let t: Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        const l = batchLoss(model, b, config.loss, data.scales);
        t = tf.keep(tf.stack([l.total, l.energy, l.forces, l.stress]));
        return l.total;
      }, varList);
      return { terms: t as unknown as Tensor, list: vars.map((nv) => grads[nv.variable.name] ?? tf.zerosLike(nv.variable)) };
    });
    let v: ArrayLike<number>;
    try {
      v = (await terms.data()) as Float32Array;
    } finally {
      terms.dispose();
    }
    const loss = { total: v[0], energy: v[1], forces: v[2], stress: v[3] };
    if (!Number.isFinite(loss.total)) {
      tf.dispose(list);
      return null;
    }
    const norm = optimizer.apply(list, lr);
    tf.dispose(list);
    try {
      return { loss, gradNorm: ((await norm.data()) as Float32Array)[0] };
    } finally {
      norm.dispose();
    }
  }

  /** trainStep through the fused float64 loss: its gradients go to the same optimiser. */
  async function fusedStep(host: HostBatch, lr: number): Promise<{ loss: LossValues; gradNorm: number } | null> {
    const r = fused!.evaluate(host, config.loss, data.scales);
    if (!Number.isFinite(r.loss.total)) return null;
    const list = tf.tidy(() => r.grads.map((g, k) => tf.tensor(Float32Array.from(g), vars[k].variable.shape)));
    const norm = optimizer.apply(list, lr);
    tf.dispose(list);
    try {
      return { loss: r.loss, gradNorm: ((await norm.data()) as Float32Array)[0] };
    } finally {
      norm.dispose();
    }
  }

  function evaluate(indices: readonly number[], o: { collect?: boolean } = {}): EvalResult {
    return withEvalWeights(() => evaluateModel(model, data, graphs, indices, { batchAtoms: config.evalBatchAtoms, lossWeights: config.loss, collect: o.collect }));
  }

  /**
   * The per-epoch validation through the fused float64 loss (no gradient pass) when training uses it:
   * the same metrics and loss as evaluateModel, in float64 and without the tfjs graph's backward pass.
   */
  function evaluateFused(indices: readonly number[]): EvalResult {
    const acc = createErrorAccumulator();
    const all = { energy: 1, forces: 1, stress: 1 }; // predict every labelled quantity, whatever the loss weights
    for (const idx of planBatches(indices, (k) => data.frames[k].numbers.length, config.evalBatchAtoms)) {
      const host = makeBatch(data, graphs, idx);
      const r = fused!.evaluate(host, all, data.scales, { gradient: false });
      acc.add(host, r.energyEv, r.forcesEvPerA, r.stressEvPerA3);
    }
    return { loss: acc.loss(config.loss, data.scales), metrics: acc.metrics() };
  }

  /** evaluate() with asynchronous reads; the EMA weights are swapped in around it. */
  async function evaluateAsync(indices: readonly number[]): Promise<EvalResult> {
    if (fused) return withEvalWeights(() => evaluateFused(indices));
    for (;;) {
      const opts = { batchAtoms: config.evalBatchAtoms, lossWeights: config.loss };
      const once = () => checkedStep(tf, () => evaluateModelAsync(model, data, graphs, indices, opts));
      try {
        return await (ema ? ema.withAveraged(once) : once());
      } catch (e) {
        if (!isAllocationError(e) || config.evalBatchAtoms <= 1) throw e;
        config.evalBatchAtoms = Math.max(1, Math.floor(config.evalBatchAtoms / 2)); // smaller evaluation batches
      }
    }
  }

  function checkpoint(reason: Checkpoint['reason'] = 'periodic'): Checkpoint {
    return {
      format: 'atomforge-checkpoint',
      version: 1,
      reason,
      config: structuredClone(config),
      model: model.save(),
      optimizer: optimizer.state(),
      ema: ema ? { values: ema.values(), updates: ema.updates } : null,
      schedule: schedule.state(),
      position: { ...position },
      epochSums: { ...sums },
      best: best ? { ...best, weights: copy(best.weights) } : null,
      earlyStopping: { ...stopState },
      history: history.map((h) => ({ ...h })),
      elapsedMs,
    };
  }

  async function endEpoch(hooks: TrainHooks, startedAt: number): Promise<EpochEvent> {
    const n = Math.max(1, sums.steps);
    const train = { total: sums.total / n, energy: sums.energy / n, forces: sums.forces / n, stress: sums.stress / n };
    const valid = data.split.valid.length ? await evaluateAsync(data.split.valid) : null;
    await prefetchVariables(tf); // weightsNow() below reads synchronously
    const score = valid ? valid.loss.total : train.total;
    schedule.endEpoch(position.epoch, score);
    const improved = score < stopState.best * (1 - (config.earlyStopping?.minDelta ?? 0));
    if (improved) {
      stopState = { best: score, bad: 0 };
      best = { epoch: position.epoch, loss: score, weights: weightsNow() };
    } else stopState.bad++;
    const rec: EpochRecord = { epoch: position.epoch, step: position.step, lr: schedule.lrAt(position.step), train, valid: valid ? { loss: valid.loss, metrics: valid.metrics } : null, ms: sums.ms };
    history.push(rec);
    if (history.length > historyKept) history.splice(0, history.length - historyKept);
    const meanMs = history.reduce((s, h) => s + h.ms, 0) / history.length;
    const event: EpochEvent = {
      kind: 'epoch',
      ...rec,
      best: best ? { epoch: best.epoch, loss: best.loss } : null,
      improved,
      elapsedMs: elapsedMs + (performance.now() - startedAt),
      etaMs: meanMs * Math.max(0, config.maxEpochs - position.epoch - 1),
    };
    position = { ...position, epoch: position.epoch + 1, batch: 0 };
    sums = { total: 0, energy: 0, forces: 0, stress: 0, steps: 0, ms: 0 };
    hooks.onEpoch?.(event);
    return event;
  }

  async function run(hooks: TrainHooks = {}): Promise<TrainResult> {
    const t0 = performance.now();
    const epochsAtStart = position.epoch;
    const yieldEvery = hooks.yieldEvery ?? 1;
    let reason: StopReason | null = finished;
    let stepsHere = 0;
    const result = (): TrainResult => ({
      reason: reason!,
      epochs: position.epoch,
      steps: position.step,
      best: best ? { epoch: best.epoch, loss: best.loss } : null,
      history: history.slice(),
    });
    if (reason) return result();
    while (!reason) {
      if (position.epoch >= config.maxEpochs) {
        reason = 'max_epochs';
        break;
      }
      if (hooks.maxEpochs !== undefined && position.epoch - epochsAtStart >= hooks.maxEpochs) {
        reason = 'epoch_limit';
        break;
      }
      syncStage(hooks);
      let batches = plan(position.epoch);
      while (position.batch < (batches = plan(position.epoch)).length) {
        if (hooks.signal?.aborted) reason = 'cancelled';
        else if (hooks.maxMs !== undefined && performance.now() - t0 > hooks.maxMs) reason = 'time_limit';
        if (reason) break;
        const ts = performance.now();
        const host = makeBatch(data, graphs, batches[position.batch]);
        const lr = schedule.lrAt(position.step);
        let out: Awaited<ReturnType<typeof trainStep>>;
        try {
          out = await checkedStep(tf, () => trainStep(host, lr));
        } catch (e) {
          // The device refused memory: halve the batch, re-plan this epoch and carry on (the steps
          // already taken stay). One frame per batch is the floor; below that the error stands.
          const largest = Math.max(...batches.map((b) => b.reduce((n, k) => n + data.frames[k].numbers.length, 0)));
          if (!isAllocationError(e) || batches.every((b) => b.length <= 1)) throw e;
          const from = config.batchAtoms;
          config.batchAtoms = Math.max(1, Math.floor(Math.min(from, largest) / 2));
          planCache = null;
          position.batch = 0;
          hooks.onBatchShrink?.({ kind: 'batch_shrink', epoch: position.epoch, fromAtoms: from, toAtoms: config.batchAtoms, error: e instanceof Error ? e.message : String(e) });
          continue;
        }
        if (!out) {
          reason = 'non_finite';
          break;
        }
        ema?.update();
        const ms = performance.now() - ts;
        position.step++;
        position.batch++;
        sums.total += out.loss.total;
        sums.energy += out.loss.energy;
        sums.forces += out.loss.forces;
        sums.stress += out.loss.stress;
        sums.steps++;
        sums.ms += ms;
        hooks.onStep?.({ kind: 'step', epoch: position.epoch, step: position.step, batch: position.batch - 1, batches: batches.length, lr, loss: out.loss, gradNorm: out.gradNorm, atoms: host.nAtoms, ms });
        if (++stepsHere % yieldEvery === 0) await new Promise<void>((res) => setTimeout(res, 0));
      }
      if (reason) break;
      await endEpoch(hooks, t0);
      if (config.earlyStopping && stopState.bad >= config.earlyStopping.patience) reason = 'early_stopping';
      if (!reason && config.checkpointEvery > 0 && position.epoch % config.checkpointEvery === 0) {
        await prefetchVariables(tf);
        hooks.onCheckpoint?.(checkpoint('periodic'));
      }
    }
    elapsedMs += performance.now() - t0;
    if (reason === 'max_epochs' || reason === 'early_stopping' || reason === 'non_finite') finished = reason;
    await prefetchVariables(tf); // checkpoint() and bestModel() read the variables synchronously
    hooks.onCheckpoint?.(checkpoint('stop'));
    return result();
  }

  return {
    get epoch() {
      return position.epoch;
    },
    get step() {
      return position.step;
    },
    get history() {
      return history;
    },
    run,
    evaluate,
    checkpoint,
    bestModel(metadata = {}) {
      const saved = model.save(metadata);
      const w = best ? best.weights : weightsNow();
      return { ...saved, weights: saved.weights.map((x, k) => ({ ...x, data: w[k].slice() })), metadata: { ...saved.metadata, bestEpoch: best?.epoch ?? null, bestLoss: best?.loss ?? null, ...metadata } };
    },
    dispose() {
      optimizer.dispose();
      ema?.dispose();
    },
  };
}
