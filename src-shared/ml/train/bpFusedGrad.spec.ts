import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { createGraphCache } from '../data/graph';
import { makeBatch, prepareTrainingData } from '../data/trainingData';
import { createModel, modelType } from '../models/registry';
import { ljDataset, randomLabelledFrame } from '../testing/fixtures';
import { defaultSymmetryFunctions } from '../models/symmetryFunctions';
import { useBackend } from '../testing/tfTesting';
import type { Tf } from '../tf/types';
import { createBpFusedLoss, setTrainLossPath, useFusedLoss, type TrainLossPath } from './bpFusedGrad';
import { batchLoss, trainBatchTensors } from './loss';
import { createTrainer, defaultTrainConfig } from './trainer';

// two elements, periodic and free frames, missing labels and a zero group weight
function fixture() {
  const rng = createRng(23);
  const frames = [
    randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O', 'Si'], { boxA: 4.4, minA: 1.5, periodic: true }),
    randomLabelledFrame(rng, ['O', 'Si', 'Si'], { boxA: 3.4, minA: 1.5, periodic: false }),
    randomLabelledFrame(rng, ['Si', 'Si', 'O', 'O'], { boxA: 4.0, minA: 1.5, periodic: true, forces: false }),
    randomLabelledFrame(rng, ['O', 'Si', 'O', 'Si'], { boxA: 4.2, minA: 1.5, periodic: true, energy: false }),
    randomLabelledFrame(rng, ['Si', 'O', 'O'], { boxA: 3.9, minA: 1.5, periodic: true, stress: false }),
  ];
  frames.forEach((f, k) => (f.info.config_type = k === 1 ? 'cluster' : 'bulk'));
  return prepareTrainingData(frames, { split: { method: 'indices', train: [0, 1, 2, 3, 4], valid: [] }, groupWeights: { weights: { cluster: 0.5 } } });
}

const configs = {
  g4tanh: { symmetryFunctions: { cutoffA: 3.8, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 1.5, rsA: 1.8 }, { etaPerA2: 1.5, rsA: 2.4 }, { etaPerA2: 1.5, rsA: 3.0 }], angular: { kind: 'G4', cutoffA: 3.3, etaPerA2: [0.05], zeta: [1, 2], lambda: [-1, 1] } }, hidden: [5, 4], activation: 'tanh' },
  g5silu: { symmetryFunctions: { cutoffA: 3.8, radial: [{ etaPerA2: 0.5, rsA: 2 }, { etaPerA2: 2, rsA: 2.5 }], angular: { kind: 'G5', cutoffA: 3.0, etaPerA2: [0, 0.1], zeta: [1, 4], lambda: [1] } }, hidden: [6], activation: 'silu' },
  softplus: { symmetryFunctions: { cutoffA: 3.5, radial: [{ etaPerA2: 1, rsA: 2.2 }], angular: null }, hidden: [4, 3], activation: 'shifted_softplus' },
  sigmoid: { symmetryFunctions: { cutoffA: 3.5, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 1, rsA: 2.2 }], angular: { kind: 'G4', cutoffA: 3.5, etaPerA2: [0.02], zeta: [16], lambda: [-1] } }, hidden: [3], activation: 'sigmoid' },
  noHidden: { symmetryFunctions: { cutoffA: 3.5, radial: [{ etaPerA2: 1, rsA: 2.2 }, { etaPerA2: 1, rsA: 3.0 }], angular: null }, hidden: [], activation: 'tanh' },
} as const;

function setup(tf: Tf, raw: unknown) {
  const data = fixture();
  const t = modelType('bpnn');
  const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(raw)));
  const model = createModel(tf, 'bpnn', raw, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 4,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  return { data, graphs, model };
}

const relNorm = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, n = 0;
  for (let k = 0; k < a.length; k++) {
    d += (a[k] - b[k]) ** 2;
    n += b[k] ** 2;
  }
  return Math.sqrt(d / n);
};

describe('fused float64 Behler-Parrinello loss and gradient', () => {
  for (const [name, raw] of Object.entries(configs)) {
    it(`${name}: loss, energies, forces, stress and gradient equal the tfjs loss and tf.variableGrads (float32 tolerance)`, async () => {
      const { tf } = await useBackend('cpu');
      const { data, graphs, model } = setup(tf, raw);
      const fused = createBpFusedLoss(model, data.atomSpecies, graphs);
      const w = { energy: 1, forces: 2, stress: 0.5 };
      for (const idx of [[0, 1, 2, 3, 4], [2], [4, 1]]) {
        const host = makeBatch(data, graphs, idx);
        const vars = model.variables.map((v) => v.variable);
        let ref!: { terms: number[]; E: Float32Array; F: Float32Array | null; S: Float32Array | null; grads: Float64Array[] };
        tf.tidy(() => {
          const b = trainBatchTensors(model, host);
          let terms: number[] = [], E: Float32Array | null = null, Fq: Float32Array | null = null, Sb: Float32Array | null = null;
          const { grads } = tf.variableGrads(() => {
            const l = batchLoss(model, b, w, data.scales);
            terms = [l.total, l.energy, l.forces, l.stress].map((t) => t.dataSync()[0]);
            E = l.prediction.energyEv.dataSync() as Float32Array;
            Fq = (l.prediction.forcesEvPerA?.dataSync() as Float32Array) ?? null;
            Sb = (l.prediction.stressEvPerA3?.dataSync() as Float32Array) ?? null;
            return l.total;
          }, vars);
          ref = { terms, E: E!, F: Fq, S: Sb, grads: model.variables.map((v) => Float64Array.from(grads[v.variable.name].dataSync())) };
        });
        const r = fused.evaluate(host, w, data.scales);
        const got = [r.loss.total, r.loss.energy, r.loss.forces, r.loss.stress];
        got.forEach((x, k) => expect(Math.abs(x - ref.terms[k])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.terms[k]))));
        expect(relNorm(r.energyEv, ref.E)).toBeLessThan(1e-6);
        expect(!!r.forcesEvPerA).toBe(!!ref.F);
        if (ref.F) expect(relNorm(r.forcesEvPerA!, ref.F)).toBeLessThan(1e-4);
        if (ref.S) expect(relNorm(r.stressEvPerA3!, ref.S)).toBeLessThan(1e-4);
        const all = (g: Float64Array[]) => Float64Array.from(g.flatMap((x) => Array.from(x)));
        expect(relNorm(all(r.grads), all(ref.grads))).toBeLessThan(2e-4);
        // every weight of a species present in the batch gets a gradient
        expect(r.grads.every((g, k) => g.every(Number.isFinite) && g.length === model.variables[k].variable.size)).toBe(true);
      }
      model.dispose();
    });
  }

  it('the gradient equals central finite differences of the float64 loss, every weight', async () => {
    const { tf } = await useBackend('cpu');
    for (const raw of [configs.g4tanh, configs.g5silu]) {
      const { data, graphs, model } = setup(tf, raw);
      const fused = createBpFusedLoss(model, data.atomSpecies, graphs);
      const w = { energy: 1, forces: 1, stress: 0.3 };
      const host = makeBatch(data, graphs, [0, 1, 2, 3, 4]);
      // perturb the weights off their float32 grid so that every term is non-trivial
      const rng = createRng(5);
      const base = model.variables.map((v) => Float64Array.from(v.variable.dataSync(), (x) => x + 0.05 * rng.normal()));
      const g = fused.evaluate(host, w, data.scales, { weights: base }).grads;
      const h = 1e-5;
      let maxErr = 0, maxG = 0;
      for (let k = 0; k < base.length; k++) {
        for (let e = 0; e < base[k].length; e++) {
          const x0 = base[k][e];
          base[k][e] = x0 + h;
          const lp = fused.evaluate(host, w, data.scales, { weights: base, gradient: false }).loss.total;
          base[k][e] = x0 - h;
          const lm = fused.evaluate(host, w, data.scales, { weights: base, gradient: false }).loss.total;
          base[k][e] = x0;
          const fd = (lp - lm) / (2 * h);
          maxErr = Math.max(maxErr, Math.abs(fd - g[k][e]));
          maxG = Math.max(maxG, Math.abs(fd));
        }
      }
      expect(maxG).toBeGreaterThan(1e-3);
      expect(maxErr / maxG).toBeLessThan(1e-7);
      model.dispose();
    }
  });

  it('a short training run through the fused path lowers the validation error as the tf graph path does', async () => {
    const { tf } = await useBackend('cpu');
    // learnable labels: Lennard-Jones argon crystals, rattled and strained
    const data = prepareTrainingData(ljDataset({ seed: 4, frames: 12, rattleA: 0.15 }), { split: { method: 'random', validFraction: 0.25, seed: 3 } });
    const raw = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 5.0, angularCutoffA: 4.0, nRadial: 4, nAngularEta: 1, zeta: [1, 2] }), hidden: [8], activation: 'tanh' };
    const t = modelType('bpnn');
    const graphs = createGraphCache(data.frames, t.graphSpec(t.parseConfig(raw)));
    // via 'global': the process-wide switch; via 'config': the run's own TrainConfig.lossPath
    const run = async (path: TrainLossPath, via: 'global' | 'config' = 'global') => {
      if (via === 'global') setTrainLossPath(path);
      try {
        const model = createModel(tf, 'bpnn', raw, {
          species: data.species,
          e0: data.e0,
          scales: data.scales,
          seed: 2,
          trainingGraphs: function* () {
            for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
          },
        });
        expect(useFusedLoss(model, via === 'config' ? path : 'auto')).toBe(path === 'fused');
        const config = { ...defaultTrainConfig(), lossPath: via === 'config' ? path : undefined, seed: 1, maxEpochs: 6, batchAtoms: 64, optimizer: { type: 'adam' as const, lr: 1e-2, clipGradNorm: 10 }, schedule: { type: 'constant' as const }, emaDecay: 0, earlyStopping: null, checkpointEvery: 0 };
        const trainer = createTrainer({ model, data, graphs, config });
        const first = trainer.evaluate(data.split.valid).loss.total;
        const res = await trainer.run();
        const end = trainer.evaluate(data.split.valid);
        const last = end.loss.total;
        // the per-epoch validation (float64 fused path when training uses it) equals the tfjs graph's
        // evaluation of the same final weights within float32 tolerance
        const v = res.history[res.history.length - 1].valid!;
        const rel = (a: number | null, b: number | null) => Math.abs(a! - b!) / Math.abs(b!);
        expect(rel(v.loss.total, last)).toBeLessThan(1e-4);
        expect(rel(v.metrics.energyMaeMevPerAtom, end.metrics.energyMaeMevPerAtom)).toBeLessThan(1e-4);
        expect(rel(v.metrics.forceMaeEvPerA, end.metrics.forceMaeEvPerA)).toBeLessThan(1e-4);
        trainer.dispose();
        model.dispose();
        return { first, last, train: res.history.map((h) => h.train.total) };
      } finally {
        setTrainLossPath('auto');
      }
    };
    const graph = await run('graph');
    const fusedRun = await run('fused');
    console.log(`[fused vs graph] valid loss ${graph.first.toFixed(3)} -> graph ${graph.last.toFixed(5)}, fused ${fusedRun.last.toFixed(5)}`);
    expect(fusedRun.first).toBe(graph.first);
    expect(fusedRun.last).toBeLessThan(0.5 * fusedRun.first);
    expect(graph.last).toBeLessThan(0.5 * graph.first);
    // same batches, same optimiser: the two runs follow each other up to float32 rounding
    expect(Math.abs(fusedRun.last - graph.last)).toBeLessThan(0.02 * graph.last);
    fusedRun.train.forEach((x, e) => expect(Math.abs(x - graph.train[e])).toBeLessThan(0.02 * graph.train[e]));
    // a run's own lossPath setting takes the same path as the process-wide switch
    expect((await run('graph', 'config')).train).toEqual(graph.train);
    expect((await run('fused', 'config')).train).toEqual(fusedRun.train);
  });
});
