// Structures and models for the inference tests and bench/mlmd.ts: diamond-silicon supercells
// (8-atom conventional cells, a = 5.431 Å), optionally rattled, and models created through the
// registry from data statistics (the weights are the seeded initial ones unless trained/fitted by
// the caller). No tfjs import here: the caller passes its `tf`.
import type { AtomicSystem } from '../../calculators/calculator';
import { createRng } from '../../space/rng';
import type { Frame } from '../../atoms/frame';
import { createGraphCache } from '../data/graph';
import { prepareTrainingData } from '../data/trainingData';
import type { AtomisticModel } from '../models/model';
import { createModel, modelType } from '../models/registry';
import type { Tf } from '../tf/types';

const DIAMOND = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75];

/** reps³ diamond cells of silicon (8 reps³ atoms), periodic; positions rattled by N(0, rattleA²). */
export function diamondSilicon(reps: number, opts: { latticeA?: number; rattleA?: number; seed?: number } = {}): AtomicSystem {
  const a = opts.latticeA ?? 5.431;
  const rng = createRng(opts.seed ?? 1);
  const n = 8 * reps ** 3;
  const x = new Float64Array(3 * n);
  let q = 0;
  for (let i = 0; i < reps; i++)
    for (let j = 0; j < reps; j++)
      for (let k = 0; k < reps; k++)
        for (let s = 0; s < 8; s++) {
          x[q++] = (i + DIAMOND[3 * s]) * a + (opts.rattleA ? opts.rattleA * rng.normal() : 0);
          x[q++] = (j + DIAMOND[3 * s + 1]) * a + (opts.rattleA ? opts.rattleA * rng.normal() : 0);
          x[q++] = (k + DIAMOND[3 * s + 2]) * a + (opts.rattleA ? opts.rattleA * rng.normal() : 0);
        }
  const L = reps * a;
  return { numbers: new Int32Array(n).fill(14), positionsA: x, cellA: new Float64Array([L, 0, 0, 0, L, 0, 0, 0, L]), pbc: [true, true, true] };
}

/**
 * A model of `type` with `config`, input statistics and E0 from `frames` (labelled), seeded initial
 * weights. Returns the model and its training data (for fitting or training by the caller).
 */
export function modelFromFrames(tf: Tf, type: string, config: unknown, frames: Frame[], seed = 1) {
  const all = frames.map((_, k) => k);
  const data = prepareTrainingData(frames, { split: { method: 'indices', train: all, valid: [] } });
  const t = modelType(type);
  const graphs = createGraphCache(frames, t.graphSpec(t.parseConfig(config)));
  const model: AtomisticModel = createModel(tf, type, config, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed,
    trainingGraphs: function* () {
      for (const k of all) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  return { model, data, graphs };
}

/** max |a - b| / max(|b|, floor). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let d = 0, m = 0;
  for (let k = 0; k < b.length; k++) {
    d = Math.max(d, Math.abs(a[k] - b[k]));
    m = Math.max(m, Math.abs(b[k]));
  }
  return d / Math.max(m, floor);
}
