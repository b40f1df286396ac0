// A device that refuses an allocation (a GPU whose memory a batch exceeds) halves the batch and
// training carries on; evaluation shrinks its batches too; other errors still stop the run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/tfTesting';
import { parityData, parityModel, PARITY_MODELS } from '../testing/backendParity';
import { createGraphCache } from '../data/graph';
import { loadModel, modelType } from '../models/registry';
import { AllocationError, isAllocationError } from '../tf/allocation';
import { createTrainer, defaultTrainConfig, type BatchShrinkEvent, type Checkpoint } from './trainer';
import { setTrainLossPath } from './bpFusedGrad';
import type { AtomisticModel } from '../models/model';

/** The tiny BP model, refusing (like a GPU out of memory) any batch of more than `limit` atoms. */
async function refusingModel(limit: number, message: string) {
  const { tf } = await useBackend('cpu');
  const data = parityData();
  const { name, config } = PARITY_MODELS[0];
  const saved = parityModel(tf, data, name, config);
  const model = loadModel(tf, saved) as AtomisticModel;
  const inner = model.atomicEnergies.bind(model);
  let refused = 0;
  model.atomicEnergies = (b, e) => {
    if (b.host.nAtoms > limit) {
      refused++;
      throw new Error(message);
    }
    return inner(b, e);
  };
  const t = modelType(name);
  const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(config)));
  return { tf, data, model, graphs, refused: () => refused };
}

const trainConfig = { ...defaultTrainConfig(), seed: 3, maxEpochs: 2, batchAtoms: 16, emaDecay: 0, earlyStopping: null, checkpointEvery: 100 };

describe('allocation refused', () => {
  // refusals come from tf devices: the trainer's tf graph path (cpu would otherwise take the fused float64 loss)
  beforeEach(() => setTrainLossPath('graph'));
  afterEach(() => setTrainLossPath('auto'));

  it('halves the batch (training and evaluation) and finishes the run', async () => {
    const { tf, data, model, graphs, refused } = await refusingModel(6, 'Failed to allocate buffer of 1073741824 bytes: out of memory');
    const shrinks: BatchShrinkEvent[] = [];
    let stop: Checkpoint | null = null;
    const counts: number[] = [];
    const trainer = createTrainer({ model, data, graphs, config: trainConfig });
    const r = await trainer.run({ onBatchShrink: (e) => shrinks.push(e), onCheckpoint: (c) => (stop = c), onStep: () => counts.push(tf.memory().numTensors) });
    expect(r.reason).toBe('max_epochs');
    expect(refused()).toBeGreaterThan(0);
    expect(shrinks.length).toBeGreaterThanOrEqual(1);
    expect(shrinks[0]).toMatchObject({ kind: 'batch_shrink', epoch: 0, fromAtoms: 16 });
    expect(shrinks.at(-1)!.toAtoms).toBeLessThanOrEqual(6);
    expect(shrinks[0].error).toMatch(/out of memory/);
    // the run goes on with the smaller batches, and a resume keeps them
    expect(r.history).toHaveLength(2);
    expect(Number.isFinite(r.history[1].train.total)).toBe(true);
    expect(r.history[1].valid).not.toBeNull();
    expect(stop!.config.batchAtoms).toBeLessThanOrEqual(6);
    expect(stop!.config.evalBatchAtoms).toBeLessThanOrEqual(6);
    // refused attempts leak no tensors: the count is flat across steps (the first warms caches)
    expect(counts.length).toBeGreaterThan(3);
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
    model.dispose();
  });

  it('other errors stop the run as before', async () => {
    const { model, data, graphs } = await refusingModel(8, 'a bug');
    const trainer = createTrainer({ model, data, graphs, config: trainConfig });
    await expect(trainer.run()).rejects.toThrow('a bug');
    trainer.dispose();
    model.dispose();
  });

  it('recognises refusals by type and message', () => {
    expect(isAllocationError(new AllocationError('x'))).toBe(true);
    expect(isAllocationError(new Error('Cannot enlarge memory, requested 2147483648 bytes'))).toBe(true);
    expect(isAllocationError(new Error('OOM when allocating tensor with shape[65536,256]'))).toBe(true);
    expect(isAllocationError(new Error('index 7 out of range'))).toBe(false);
  });
});
