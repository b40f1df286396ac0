import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extxyzFormat } from '../../io/formats/extxyz';
import { readText } from '../../io/read';
import { createRng } from '../../space/rng';
import { createGraphCache } from '../data/graph';
import { prepareTrainingData, type TrainingData } from '../data/trainingData';
import { defaultSymmetryFunctions } from '../models/symmetryFunctions';
import { createModel, loadModel, modelType } from '../models/registry';
import { randomLabelledFrame } from '../testing/fixtures';
import { useBackend } from '../testing/tfTesting';
import type { Tf } from '../tf/types';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { createSchedule } from './schedule';
import { createTrainer, defaultTrainConfig, type Checkpoint, type StageEvent, type TrainConfig } from './trainer';

function setup(tf: Tf, data: TrainingData, rawConfig: unknown, seed = 1) {
  const t = modelType('bpnn');
  const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(rawConfig)));
  const model = createModel(tf, 'bpnn', rawConfig, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  return { model, graphs };
}

const tinyConfig = { symmetryFunctions: { cutoffA: 3.6, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 1, rsA: 2.4 }], angular: { kind: 'G4', cutoffA: 3.2, etaPerA2: [0.05], zeta: [1, 2], lambda: [-1, 1] } }, hidden: [6], activation: 'silu' };

function tinyData() {
  const rng = createRng(17);
  const frames = Array.from({ length: 10 }, (_, k) => randomLabelledFrame(rng, k % 2 ? ['Si', 'O', 'Si', 'O'] : ['O', 'Si', 'Si'], { boxA: 4.2, minA: 1.6, periodic: k % 3 !== 0 }));
  return prepareTrainingData(frames, { split: { method: 'random', validFraction: 0.2, seed: 2 } });
}

const fastConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  ...defaultTrainConfig(),
  seed: 5,
  maxEpochs: 4,
  batchAtoms: 8,
  loss: { energy: 1, forces: 1, stress: 0.5 },
  optimizer: { type: 'adamw', lr: 5e-3, weightDecay: 1e-3, clipGradNorm: 5 },
  schedule: { type: 'cosine', warmupSteps: 3, minLr: 1e-4 },
  emaDecay: 0.9,
  earlyStopping: null,
  checkpointEvery: 2,
  ...over,
});

const weightsOf = (c: Checkpoint) => c.model.weights.map((w) => Array.from(w.data));

describe('trainer', () => {
  it('resume from a checkpoint (epoch boundary and mid-epoch, through the file encoding) reproduces the uninterrupted run bit for bit; tensors do not leak', async () => {
    const { tf } = await useBackend('cpu');
    const data = tinyData();
    const config = fastConfig();
    // uninterrupted
    const a = setup(tf, data, tinyConfig);
    const ta = createTrainer({ model: a.model, data, graphs: a.graphs, config });
    const counts: number[] = [];
    // from the second epoch on: the first validation makes the model's cached constants (on the fused path no step does)
    const ra = await ta.run({ onStep: (e) => e.epoch > 0 && counts.push(tf.memory().numTensors) });
    expect(ra.reason).toBe('max_epochs');
    expect(new Set(counts).size).toBe(1); // flat across steps
    const final = ta.checkpoint('stop');
    // interrupted after 2 epochs, then after 3 more steps
    const b = setup(tf, data, tinyConfig);
    const tb = createTrainer({ model: b.model, data, graphs: b.graphs, config });
    const periodic: Checkpoint[] = [];
    const stop1 = await tb.run({ maxEpochs: 2, onCheckpoint: (c) => periodic.push(c) });
    expect(stop1.reason).toBe('epoch_limit');
    expect(periodic.map((c) => c.reason)).toEqual(['periodic', 'stop']);
    const c1 = periodic[1];
    tb.dispose();
    b.model.dispose();
    const enc = encodeCheckpoint(c1);
    const c1b = decodeCheckpoint(enc.json, enc.bin);
    const m2 = loadModel(tf, c1b.model);
    const t2 = createTrainer({ model: m2, data, graphs: b.graphs, config, resume: c1b });
    const abort = new AbortController();
    let steps = 0;
    const stop2 = await t2.run({ signal: abort.signal, onStep: () => ++steps === 3 && abort.abort() });
    expect(stop2.reason).toBe('cancelled');
    const c2 = t2.checkpoint('stop');
    expect(c2.position.batch).toBeGreaterThan(0); // mid-epoch
    t2.dispose();
    m2.dispose();
    const m3 = loadModel(tf, c2.model);
    const t3 = createTrainer({ model: m3, data, graphs: b.graphs, config, resume: c2 });
    const r3 = await t3.run();
    expect(r3.reason).toBe('max_epochs');
    const resumed = t3.checkpoint('stop');
    expect(weightsOf(resumed)).toEqual(weightsOf(final));
    expect(resumed.optimizer.m.map((x) => Array.from(x))).toEqual(final.optimizer.m.map((x) => Array.from(x)));
    expect(resumed.history.map((h) => [h.train, h.valid?.loss, h.lr])).toEqual(final.history.map((h) => [h.train, h.valid?.loss, h.lr]));
    expect(resumed.position).toEqual(final.position);
    // the best model carries the averaged weights of the best epoch
    const best = t3.bestModel({ note: 'x' });
    expect(best.metadata.bestEpoch).toBe(final.best!.epoch);
    const base = tf.memory().numTensors;
    for (const t of [ta, t3]) t.dispose();
    for (const m of [a.model, m3]) m.dispose();
    expect(tf.memory().numTensors).toBeLessThan(base);
  });

  it('loss stages: new weights from their epoch on, the rate scaled, the best record restarted; a resumed run matches the uninterrupted one', async () => {
    const { tf } = await useBackend('cpu');
    const data = tinyData();
    const stage = { energy: 4, forces: 1, stress: 0 };
    const config = fastConfig({ maxEpochs: 5, schedule: { type: 'constant' }, lossStages: [{ startEpoch: 2, loss: stage, lrFactor: 0.5 }] });
    const a = setup(tf, data, tinyConfig);
    const ta = createTrainer({ model: a.model, data, graphs: a.graphs, config });
    const stages: StageEvent[] = [];
    const lrs: number[] = [];
    const r = await ta.run({ onStage: (e) => stages.push(e), onStep: (e) => lrs[e.epoch] = e.lr });
    expect(r.reason).toBe('max_epochs');
    expect(stages).toEqual([{ kind: 'stage', epoch: 2, stage: 1, loss: stage, lr: 2.5e-3 }]);
    expect(lrs).toEqual([5e-3, 5e-3, 2.5e-3, 2.5e-3, 2.5e-3]);
    // each epoch's total is its terms combined with that epoch's weights (the loss really changed)
    for (const h of r.history) {
      const w = h.epoch < 2 ? config.loss : stage;
      const t = h.train;
      expect(t.total).toBeCloseTo(w.energy * t.energy + w.forces * t.forces + w.stress * t.stress, 10);
      const v = h.valid!.loss;
      expect(v.total).toBeCloseTo(w.energy * v.energy + w.forces * v.forces + w.stress * v.stress, 10);
    }
    expect(r.best!.epoch).toBeGreaterThanOrEqual(2); // the kept model is scored with the last stage's loss
    const final = ta.checkpoint('stop');
    expect(final.position.stage).toBe(1);
    // interrupted at the stage boundary and mid-stage, resumed from the encoded checkpoints
    const b = setup(tf, data, tinyConfig);
    const tb = createTrainer({ model: b.model, data, graphs: b.graphs, config });
    await tb.run({ maxEpochs: 3 });
    const enc = encodeCheckpoint(tb.checkpoint('stop'));
    tb.dispose();
    b.model.dispose();
    const c = decodeCheckpoint(enc.json, enc.bin);
    expect(c.position).toMatchObject({ epoch: 3, stage: 1 });
    const m2 = loadModel(tf, c.model);
    const t2 = createTrainer({ model: m2, data, graphs: b.graphs, config, resume: c });
    const stages2: StageEvent[] = [];
    await t2.run({ onStage: (e) => stages2.push(e) });
    expect(stages2).toEqual([]); // already in stage 1: its weights come back without a second restart
    const resumed = t2.checkpoint('stop');
    expect(weightsOf(resumed)).toEqual(weightsOf(final));
    expect(resumed.best!.epoch).toBe(final.best!.epoch);
    for (const t of [ta, t2]) t.dispose();
    for (const m of [a.model, m2]) m.dispose();
  });

  it('keeps only the newest historyKept epoch records in memory and checkpoints; a resumed run ends with the same records', async () => {
    const { tf } = await useBackend('cpu');
    const data = tinyData();
    const config = fastConfig({ maxEpochs: 5 });
    const a = setup(tf, data, tinyConfig);
    const ta = createTrainer({ model: a.model, data, graphs: a.graphs, config, historyKept: 2 });
    const seen: number[] = [];
    const ra = await ta.run({ onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual([0, 1, 2, 3, 4]); // every epoch is still reported (and appended to metrics.jsonl by the job)
    expect(ra.history.map((h) => h.epoch)).toEqual([3, 4]);
    const final = ta.checkpoint('stop');
    expect(final.history.map((h) => h.epoch)).toEqual([3, 4]);
    const b = setup(tf, data, tinyConfig);
    const tb = createTrainer({ model: b.model, data, graphs: b.graphs, config, historyKept: 2 });
    await tb.run({ maxEpochs: 3 });
    const c = tb.checkpoint('stop');
    expect(c.history.map((h) => h.epoch)).toEqual([1, 2]);
    const m2 = loadModel(tf, c.model);
    const t2 = createTrainer({ model: m2, data, graphs: b.graphs, config, resume: c, historyKept: 2 });
    const r2 = await t2.run();
    expect(r2.history.map((h) => [h.epoch, h.train, h.lr])).toEqual(ra.history.map((h) => [h.epoch, h.train, h.lr]));
    for (const t of [ta, tb, t2]) t.dispose();
    for (const m of [a.model, b.model, m2]) m.dispose();
  });

  it('trains the BP model on 20 frames of the Si example: validation errors fall below a bound', async () => {
    const { tf } = await useBackend('wasm');
    const read = readText(extxyzFormat, readFileSync('resources/examples/Si_mlearn_test.xyz', 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
    if (!read.ok) throw new Error('cannot read the example');
    const data = prepareTrainingData(read.frames, { split: { method: 'random', validFraction: 0.2, seed: 1 } });
    expect(data.counts.train.frames).toBe(20);
    const cfg = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 3.5, nRadial: 6, nAngularEta: 1, zeta: [1, 4] }), hidden: [12], activation: 'tanh' };
    const { model, graphs } = setup(tf, data, cfg);
    const trainer = createTrainer({
      model,
      data,
      graphs,
      config: { ...fastConfig(), maxEpochs: 12, batchAtoms: 260, optimizer: { type: 'adam', lr: 1e-2, clipGradNorm: 10 }, schedule: { type: 'exponential', gamma: 0.9, warmupSteps: 2 }, emaDecay: 0, loss: { energy: 1, forces: 1, stress: 0.1 } },
    });
    const first = trainer.evaluate(data.split.valid).metrics;
    const epochs: number[] = [];
    const res = await trainer.run({ onEpoch: (e) => epochs.push(e.valid!.loss.total) });
    const last = trainer.evaluate(data.split.valid).metrics;
    console.log(
      `[train Si example, wasm] ${res.epochs} epochs, ${res.steps} steps: valid energy MAE ${first.energyMaeMevPerAtom!.toFixed(1)} -> ${last.energyMaeMevPerAtom!.toFixed(1)} meV/atom, ` +
        `force MAE ${first.forceMaeEvPerA!.toFixed(3)} -> ${last.forceMaeEvPerA!.toFixed(3)} eV/Å, stress MAE ${first.stressMaeGpa!.toFixed(2)} -> ${last.stressMaeGpa!.toFixed(2)} GPa`,
    );
    expect(last.energyMaeMevPerAtom!).toBeLessThan(60);
    expect(last.forceMaeEvPerA!).toBeLessThan(0.3);
    expect(epochs[epochs.length - 1]).toBeLessThan(0.3 * epochs[0]);
    trainer.dispose();
    model.dispose();
  });

  it('early stopping keeps the best epoch; a non-finite loss stops the run', async () => {
    const { tf } = await useBackend('cpu');
    const data = tinyData();
    const { model, graphs } = setup(tf, data, tinyConfig);
    const t = createTrainer({ model, data, graphs, config: fastConfig({ maxEpochs: 50, optimizer: { type: 'adam', lr: 0.3 }, schedule: { type: 'constant' }, earlyStopping: { patience: 2, minDelta: 0 }, emaDecay: 0 }) });
    const r = await t.run();
    expect(r.reason).toBe('early_stopping');
    expect(r.epochs).toBe(r.best!.epoch + 3);
    t.dispose();
    // poison one label: the loss is NaN at the first step, nothing is applied
    const bad = { ...data, frames: data.frames.map((f, k) => (k === data.split.train[0] ? { ...f, energyEv: NaN } : f)) };
    const before = model.save().weights.map((w) => Array.from(w.data));
    const t2 = createTrainer({ model, data: bad, graphs, config: fastConfig({ batchAtoms: 1000 }) });
    expect((await t2.run()).reason).toBe('non_finite');
    expect(model.save().weights.map((w) => Array.from(w.data))).toEqual(before);
    t2.dispose();
    model.dispose();
  });

  it('learning-rate schedules: warm-up, cosine, exponential, plateau', () => {
    const warm = createSchedule(1, { type: 'constant', warmupSteps: 4 }, 10);
    expect([0, 1, 2, 3, 4].map((s) => warm.lrAt(s))).toEqual([0.25, 0.5, 0.75, 1, 1]);
    const cos = createSchedule(1, { type: 'cosine', minLr: 0 }, 4);
    const lrs = [0, 1, 2, 3].map((e) => (cos.endEpoch(e, 0), cos.lrAt(100)));
    expect(lrs[1]).toBeCloseTo(0.5, 12);
    expect(lrs[3]).toBeCloseTo(0, 12);
    const ex = createSchedule(1, { type: 'exponential', gamma: 0.5 }, 10);
    ex.endEpoch(0, 0);
    ex.endEpoch(1, 0);
    expect(ex.lrAt(0)).toBe(0.25);
    const pl = createSchedule(1, { type: 'plateau', patience: 1, factor: 0.1 }, 10);
    for (const [e, v] of [[0, 1], [1, 0.5], [2, 0.6], [3, 0.6]] as const) pl.endEpoch(e, v);
    expect(pl.lrAt(0)).toBeCloseTo(0.1, 12);
    expect(pl.state().plateauBad).toBe(0);
  });
});
