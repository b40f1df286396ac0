// PaiNN trained by the engine's trainer (energy + autodiff forces + stress loss) on the bundled Si
// example (DFT, mlearn test split): the validation errors fall below bounds. And the direct-force
// option trains through the same trainer (predict.ts routes its forces to the head).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extxyzFormat } from '../../io/formats/extxyz';
import { readText } from '../../io/read';
import { createGraphCache } from '../data/graph';
import { prepareTrainingData } from '../data/trainingData';
import { useBackend } from '../testing/tfTesting';
import { createTrainer, defaultTrainConfig, type TrainConfig } from '../train/trainer';
import { createModel, modelType } from './registry';

function siExample() {
  const read = readText(extxyzFormat, readFileSync('resources/examples/Si_mlearn_test.xyz', 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
  if (!read.ok) throw new Error('cannot read the example');
  return prepareTrainingData(read.frames, { split: { method: 'random', validFraction: 0.2, seed: 1 } });
}

const trainConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  ...defaultTrainConfig(),
  seed: 5,
  maxEpochs: 12,
  batchAtoms: 260,
  optimizer: { type: 'adam', lr: 5e-3, clipGradNorm: 10 },
  schedule: { type: 'exponential', gamma: 0.9, warmupSteps: 2 },
  emaDecay: 0,
  earlyStopping: null,
  checkpointEvery: 0,
  loss: { energy: 1, forces: 1, stress: 0.1 },
  ...over,
});

describe('PaiNN training', () => {
  const data = siExample();

  it('trains on 20 frames of the Si example (wasm): validation errors fall below bounds', async () => {
    const { tf } = await useBackend('wasm');
    expect(data.counts.train.frames).toBe(20);
    const config = modelType('painn').parseConfig({ cutoffA: 4.5, features: 16, radialBasis: 8, layers: 2, headHidden: [16] });
    const model = createModel(tf, 'painn', config, { species: data.species, e0: data.e0, scales: data.scales, seed: 1 });
    const trainer = createTrainer({ model, data, graphs: createGraphCache(data.frames, model.graphSpec), config: trainConfig() });
    const first = trainer.evaluate(data.split.valid).metrics;
    const epochs: number[] = [];
    const stepMs: number[] = [];
    const res = await trainer.run({ onEpoch: (e) => epochs.push(e.valid!.loss.total), onStep: (s) => stepMs.push(s.ms) });
    const last = trainer.evaluate(data.split.valid).metrics;
    stepMs.sort((a, b) => a - b);
    console.log(
      `[train painn Si example, wasm] ${res.epochs} epochs, ${res.steps} steps (median ${stepMs[stepMs.length >> 1].toFixed(0)} ms/step): valid energy MAE ${first.energyMaeMevPerAtom!.toFixed(1)} -> ${last.energyMaeMevPerAtom!.toFixed(1)} meV/atom, ` +
        `force MAE ${first.forceMaeEvPerA!.toFixed(3)} -> ${last.forceMaeEvPerA!.toFixed(3)} eV/Å, stress MAE ${first.stressMaeGpa!.toFixed(2)} -> ${last.stressMaeGpa!.toFixed(2)} GPa`,
    );
    expect(last.energyMaeMevPerAtom!).toBeLessThan(60);
    expect(last.forceMaeEvPerA!).toBeLessThan(0.3);
    expect(last.forceMaeEvPerA!).toBeLessThan(0.7 * first.forceMaeEvPerA!);
    expect(epochs[epochs.length - 1]).toBeLessThan(0.3 * epochs[0]);
    trainer.dispose();
    model.dispose();
  });

  it('the direct-force option trains through the same trainer: the force error falls; tensors do not leak', async () => {
    const { tf } = await useBackend('cpu');
    const model = createModel(tf, 'painn', { cutoffA: 4.0, features: 8, radialBasis: 6, layers: 2, headHidden: [8], directForces: true }, { species: data.species, e0: data.e0, scales: data.scales, seed: 2 });
    const trainer = createTrainer({ model, data, graphs: createGraphCache(data.frames, model.graphSpec), config: trainConfig({ maxEpochs: 4, loss: { energy: 0.1, forces: 1, stress: 0 } }) });
    const first = trainer.evaluate(data.split.valid).metrics;
    const counts: number[] = [];
    await trainer.run({ onStep: () => counts.push(tf.memory().numTensors) });
    const last = trainer.evaluate(data.split.valid).metrics;
    console.log(`[train painn direct forces, cpu] valid force MAE ${first.forceMaeEvPerA!.toFixed(3)} -> ${last.forceMaeEvPerA!.toFixed(3)} eV/Å`);
    expect(last.forceMaeEvPerA!).toBeLessThan(0.8 * first.forceMaeEvPerA!);
    expect(new Set(counts).size).toBe(1);
    trainer.dispose();
    model.dispose();
  });
});
