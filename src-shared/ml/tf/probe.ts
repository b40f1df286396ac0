// Steps-per-second probe: how fast the active backend trains a model of the user's chosen type and
// config on a fixed synthetic dataset (Lennard-Jones argon, 32-atom frames, batches of 4 frames:
// energies, forces and stress). The picker runs it once per backend (each in its own worker) so
// the user can choose; bench/train.ts prints the same measurement side by side.
import { createGraphCache } from '../data/graph';
import { prepareTrainingData } from '../data/trainingData';
import { createModel, modelType } from '../models/registry';
import { ljDataset } from '../testing/fixtures';
import { createTrainer, defaultTrainConfig } from '../train/trainer';
import type { Tf } from './types';

export interface ProbeOptions {
  modelType?: string;
  modelConfig?: unknown;
  /** Timed steps after the warm-up (default 6). */
  steps?: number;
  /** Untimed first steps: kernel compilation, JIT, buffer pools (default 2). */
  warmupSteps?: number;
  /** Stop early after this long, ms (default 20 s); the rate is from the steps done. */
  maxMs?: number;
}

export interface ProbeResult {
  stepsPerSecond: number;
  /** Median wall time of a timed step, ms. */
  msPerStep: number;
  steps: number;
  atomsPerStep: number;
  modelType: string;
}

/** Train the model for a few steps on the active backend and time them. */
export async function probeTrainingSpeed(tf: Tf, o: ProbeOptions = {}): Promise<ProbeResult> {
  const name = o.modelType ?? 'bpnn';
  const type = modelType(name);
  if (type.fitting !== 'gradient') throw new Error(`${name} is fitted in closed form: there are no training steps to time`);
  const config = type.parseConfig(o.modelConfig ?? {});
  const frames = ljDataset({ seed: 11, frames: 8, repeat: 2 });
  const data = prepareTrainingData(frames, { split: { method: 'random', validFraction: 0, seed: 1 } });
  const graphs = createGraphCache(data.frames, type.graphSpec(config));
  const model = createModel(tf, name, o.modelConfig ?? {}, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 1,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  const warm = o.warmupSteps ?? 2, want = o.steps ?? 6;
  const ms: number[] = [];
  let atoms = 0, done = 0;
  const ac = new AbortController();
  const trainer = createTrainer({ model, data, graphs, config: { ...defaultTrainConfig(), maxEpochs: 1000, batchAtoms: 128, emaDecay: 0, earlyStopping: null, checkpointEvery: 0 } });
  try {
    await trainer.run({
      signal: ac.signal,
      maxMs: o.maxMs ?? 20_000,
      onStep: (e) => {
        if (++done > warm) {
          ms.push(e.ms);
          atoms = Math.max(atoms, e.atoms);
        }
        if (ms.length >= want) ac.abort();
      },
    });
  } finally {
    trainer.dispose();
    model.dispose();
  }
  if (ms.length === 0) throw new Error(`no timed step within ${o.maxMs ?? 20_000} ms (warm-up of ${warm} steps included)`);
  const sorted = ms.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { stepsPerSecond: 1000 / median, msPerStep: median, steps: ms.length, atomsPerStep: atoms, modelType: name };
}
