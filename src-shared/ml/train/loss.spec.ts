import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { createGraphCache } from '../data/graph';
import { makeBatch, prepareTrainingData } from '../data/trainingData';
import { createModel, modelType } from '../models/registry';
import { randomLabelledFrame } from '../testing/fixtures';
import { useBackend } from '../testing/tfTesting';
import { readTidy } from '../tf/tidy';
import { batchLoss, createErrorAccumulator, trainBatchTensors } from './loss';

const cfg = { symmetryFunctions: { cutoffA: 3.5, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 1, rsA: 2.5 }], angular: null }, hidden: [4], activation: 'tanh' };

describe('loss with masks and group weights', () => {
  const rng = createRng(8);
  const frames = [
    randomLabelledFrame(rng, ['Si', 'Si', 'Si'], { boxA: 4, minA: 1.8, periodic: true }),
    randomLabelledFrame(rng, ['Si', 'Si'], { boxA: 3, minA: 1.8, periodic: false }), // no stress (free)
    randomLabelledFrame(rng, ['Si', 'Si', 'Si', 'Si'], { boxA: 4.5, minA: 1.8, periodic: true, forces: false }),
    randomLabelledFrame(rng, ['Si', 'Si', 'Si'], { boxA: 4, minA: 1.8, periodic: true, energy: false }),
  ];
  frames.forEach((f, k) => (f.info.config_type = k === 1 ? 'cluster' : 'bulk'));
  const data = prepareTrainingData(frames, { split: { method: 'indices', train: [0, 1, 2, 3], valid: [] }, groupWeights: { weights: { cluster: 0 } } });

  it('equals the masked, weighted formula, and the set accumulator agrees with the batch loss', async () => {
    const { tf } = await useBackend('cpu');
    const spec = modelType('bpnn').graphSpec(modelType('bpnn').parseConfig(cfg));
    const graphs = createGraphCache(frames, spec);
    const model = createModel(tf, 'bpnn', cfg, { species: data.species, e0: data.e0, scales: data.scales, seed: 3 });
    const host = makeBatch(data, graphs, [0, 1, 2, 3]);
    const w = { energy: 1, forces: 2, stress: 0.5 };
    const r = readTidy(tf, () => {
      const l = batchLoss(model, trainBatchTensors(model, host), w, data.scales);
      return { total: l.total, e: l.energy, f: l.forces, s: l.stress, E: l.prediction.energyEv, F: l.prediction.forcesEvPerA, S: l.prediction.stressEvPerA3 };
    });
    const sc = data.scales;
    // energy: frames 0, 1 (weight 0), 2 labelled; frame 3 has none
    let se = 0;
    for (const b of [0, 1, 2]) se += host.energyWeight[b] * (r.E![b] / host.atomsPerFrame[b] - host.energyPerAtomEv[b]) ** 2;
    expect(host.energyCount).toBe(3);
    expect(r.e![0]).toBeCloseTo(se / 3 / sc.energyEvPerAtom ** 2, 5);
    // forces: frames 0, 1, 3 (frame 1 at weight 0 still counts in the denominator)
    let sf = 0;
    for (let q = 0; q < host.nAtoms; q++) for (let c = 0; c < 3; c++) sf += host.forceWeight[q] * (r.F![3 * q + c] - host.forcesEvPerA[3 * q + c]) ** 2;
    expect(host.forceCount).toBe(3 * (3 + 2 + 3));
    expect(r.f![0]).toBeCloseTo(sf / host.forceCount / sc.forceEvPerA ** 2, 5);
    // stress: frames 0, 2, 3 carry stress
    expect(host.stressCount).toBe(27);
    expect(r.total![0]).toBeCloseTo(w.energy * r.e![0] + w.forces * r.f![0] + w.stress * r.s![0], 5);
    // the accumulator over the set reproduces the batch loss
    const acc = createErrorAccumulator();
    acc.add(host, r.E!, r.F, r.S);
    const l = acc.loss(w, sc);
    expect(l.total).toBeCloseTo(r.total![0], 4);
    const m = acc.metrics();
    expect(m.frames).toBe(4);
    expect(m.energyMaeMevPerAtom).toBeGreaterThan(0);
    expect(m.stressMaeGpa).not.toBeNull();
    model.dispose();
  });

  it('a batch without force labels skips the force pass; a batch with no labels of a kind adds nothing', async () => {
    const { tf } = await useBackend('cpu');
    const spec = modelType('bpnn').graphSpec(modelType('bpnn').parseConfig(cfg));
    const model = createModel(tf, 'bpnn', cfg, { species: data.species, e0: data.e0, scales: data.scales, seed: 3 });
    const host = makeBatch(data, createGraphCache(frames, spec), [2]);
    tf.tidy(() => {
      const l = batchLoss(model, trainBatchTensors(model, host), { energy: 1, forces: 1, stress: 1 }, data.scales);
      expect(l.prediction.forcesEvPerA).toBeUndefined();
      expect(l.forces.dataSync()[0]).toBe(0);
      expect(l.stress.dataSync()[0]).toBeGreaterThan(0);
      // the energy-only gradient exists for every weight of the species present
      const { grads } = tf.variableGrads(() => batchLoss(model, trainBatchTensors(model, host), { energy: 1, forces: 1, stress: 0 }, data.scales).total, model.variables.map((v) => v.variable));
      expect(Object.keys(grads).length).toBe(model.variables.length);
    });
    model.dispose();
  });
});
