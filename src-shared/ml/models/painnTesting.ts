// Test helpers for PaiNN specs (not a spec itself): the tiny configurations, a small labelled set
// of Si/O structures, and the float64 twin (painnF64.ts) wrapped for gradientCheck and as a
// Calculator for sharp finite-difference references.
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { createRng } from '../../space/rng';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices } from '../data/species';
import { prepareTrainingData, type TrainingData } from '../data/trainingData';
import { randomLabelledFrame } from '../testing/fixtures';
import type { EnergyF64 } from '../testing/gradientCheck';
import type { Tf } from '../tf/types';
import type { AtomisticModel } from './model';
import { defaultPainnConfig, type PainnConfig } from './painn';
import { painnF64, type PainnF64Input } from './painnF64';
import { createModel } from './registry';

/** The tiny model of the gradient checks: F = 8, K = 6, L = 1 (L = 2 exercises the v_j ∘ φ_vv term). */
export const tinyPainn = (over: Partial<PainnConfig> = {}): PainnConfig => ({ ...defaultPainnConfig(), cutoffA: 3.2, features: 8, radialBasis: 6, layers: 1, headHidden: [8], ...over });

export function smallSet() {
  const rng = createRng(21);
  const frames = [
    randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O'], { boxA: 4.0, minA: 1.6, periodic: true }),
    randomLabelledFrame(rng, ['O', 'Si', 'O'], { boxA: 3.0, minA: 1.5, periodic: false }),
    randomLabelledFrame(rng, ['Si', 'Si', 'O'], { boxA: 4.0, minA: 1.6, periodic: true, forces: false, stress: false }),
    randomLabelledFrame(rng, ['O', 'Si', 'Si', 'O', 'Si'], { boxA: 4.6, minA: 1.6, periodic: true }),
  ];
  const data = prepareTrainingData(frames, { split: { method: 'indices', train: [0, 1, 2, 3], valid: [] } });
  return { frames, data };
}

export function makePainn(tf: Tf, data: TrainingData, config: PainnConfig, seed = 5): AtomisticModel {
  return createModel(tf, 'painn', config, { species: data.species, e0: data.e0, scales: data.scales, seed });
}

/** Exact memo of float64 twin energies, shared by gradient checks of identical models on several backends. */
export type TwinMemo = Map<string, { points: Map<string, number>; values: Map<string, number> }>;

/**
 * The float64 twin in the split form of gradientCheck. With `memo`, energies are cached under an
 * exact key (the model's config and weights, the structure's coordinates, and every weight that
 * differs from the model's, as float64 values): the finite differences of the twin do not depend on
 * the tf backend, so a second check of the same model on another backend reuses them instead of
 * recomputing (a hit returns exactly the number a fresh evaluation would).
 */
export function painnTwin(model: AtomisticModel, atomSpecies: Int32Array[], memo?: TwinMemo): EnergyF64<{ point: number; input: PainnF64Input }> {
  const saved = model.save();
  const ref = painnF64(saved);
  const base = saved.weights.map((t) => ({ name: t.name, data: Float64Array.from(t.data) }));
  let cache: { points: Map<string, number>; values: Map<string, number> } | undefined;
  if (memo) {
    const modelKey = `${JSON.stringify(saved.config)}|${base.map((t) => Array.from(t.data).join(',')).join(';')}`;
    cache = memo.get(modelKey);
    if (!cache) memo.set(modelKey, (cache = { points: new Map(), values: new Map() }));
  }
  return {
    prepare: (sys, k) => {
      let point = -1;
      if (cache) {
        const pk = `${k}|${Array.from(sys.positionsA).join(',')}|${sys.cellA ? Array.from(sys.cellA).join(',') : '-'}`;
        point = cache.points.get(pk) ?? cache.points.size;
        cache.points.set(pk, point);
      }
      return { point, input: ref.prepare(buildFrameGraph(sys, model.graphSpec), atomSpecies[k]) };
    },
    energy: (p, w) => {
      if (!cache) return ref.energy(p.input, w).energyEv;
      let key = `${p.point}`;
      for (let t = 0; t < base.length; t++) {
        const cur = w[base[t].name], b = base[t].data;
        for (let q = 0; q < b.length; q++) if (cur[q] !== b[q]) key += `|${t}:${q}:${cur[q]}`;
      }
      let e = cache.values.get(key);
      if (e === undefined) cache.values.set(key, (e = ref.energy(p.input, w).energyEv));
      return e;
    },
  };
}

/** The float64 twin as a Calculator (E0 included), for sharp finite-difference references. */
export function painnF64Calculator(model: AtomisticModel): Calculator {
  const ref = painnF64(model.save());
  return {
    name: 'painn-f64',
    implementedProperties: ['energy'],
    cutoffA: model.graphSpec.cutoffA,
    compute: (sys: AtomicSystem) => {
      const sp = speciesIndices(model.species, sys.numbers);
      const e = ref.energy(ref.prepare(buildFrameGraph(sys, model.graphSpec), sp)).energyEv;
      return { energyEv: e + sp.reduce((s, t) => s + model.e0.valuesEv[t], 0) };
    },
  };
}
