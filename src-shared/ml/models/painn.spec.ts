// PaiNN (painn.ts): the loss gradient w.r.t. every weight against float64 finite differences of the
// independent twin (painnF64.ts) on cpu and wasm, autodiff forces/stress against finite differences,
// equivariance, extensivity, save/load and the registry entry.
import { describe, expect, it } from 'vitest';
import { createGraphCache } from '../data/graph';
import { gradientCheck } from '../testing/gradientCheck';
import { assertEquivariant, checkDerivatives, checkExtensivity } from '../testing/modelChecks';
import { useBackend } from '../testing/tfTesting';
import { modelCalculator } from './calculator';
import { parameterCount } from './model';
import type { PainnConfig } from './painn';
import { makePainn, painnF64Calculator, painnTwin, smallSet, tinyPainn, type TwinMemo } from './painnTesting';
import { loadModel, modelType, modelTypes } from './registry';
import { decodeModel, encodeModel } from './serialization';

describe('PaiNN model', () => {
  const { frames, data } = smallSet();

  // Loss weights favour the force term, where wrong second-order gradients show (an unsafe
  // x·tf.sigmoid(x) SiLU measured 1.6e-2 here against 1.6e-5 for the safe one).
  const lossWeights = { energy: 0.1, forces: 1, stress: 1 };
  const memo: TwinMemo = new Map(); // the twin's finite differences are backend-independent: computed once
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: gradient of the energy+force+stress loss w.r.t. every weight = float64 finite differences of the twin (F=8, K=6, L=1)`, async () => {
      const { tf } = await useBackend(backend);
      const model = makePainn(tf, data, tinyPainn());
      const r = gradientCheck({ model, data, graphs: createGraphCache(frames, model.graphSpec), indices: [0, 1, 2], lossWeights, energyF64: painnTwin(model, data.atomSpecies, memo) });
      console.log(`[gradient check painn F=8 K=6 L=1 ${tf.getBackend()}] ${r.parameters} weights: norm rel error ${r.normRelError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}, loss tf ${r.lossTf.toFixed(6)} f64 ${r.lossF64.toFixed(6)}`);
      expect(r.parameters).toBe(parameterCount(model));
      expect(Math.abs(r.lossTf - r.lossF64) / r.lossF64).toBeLessThan(1e-4);
      expect(r.normRelError).toBeLessThan(2e-4);
      expect(r.maxRelError).toBeLessThan(2e-4);
      model.dispose();
    });
  }

  it('cpu: gradient check with two blocks (the v_j ∘ φ_vv ∘ W_vv message, φ of position-dependent s) and the polynomial cutoff', async () => {
    const { tf } = await useBackend('cpu');
    const model = makePainn(tf, data, tinyPainn({ layers: 2, features: 4, radialBasis: 4, headHidden: [4], cutoffFunction: 'polynomial' }), 9);
    const r = gradientCheck({ model, data, graphs: createGraphCache(frames, model.graphSpec), indices: [0], lossWeights, energyF64: painnTwin(model, data.atomSpecies) });
    console.log(`[gradient check painn F=4 K=4 L=2 polynomial cpu] ${r.parameters} weights: norm rel error ${r.normRelError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}`);
    expect(r.normRelError).toBeLessThan(2e-4);
    expect(r.maxRelError).toBeLessThan(2e-4);
    model.dispose();
  });

  it('forces and stress by autodiff = finite differences of the energy (float64 twin and the float32 model); float32 energy = twin', async () => {
    const { tf } = await useBackend('wasm');
    const model = makePainn(tf, data, tinyPainn({ layers: 2, features: 12 }));
    const twin = painnF64Calculator(model);
    for (const f of [frames[0], frames[1], frames[3]]) {
      const sharp = checkDerivatives(model, f, { reference: twin, tolerance: { relative: 5e-5 } });
      const own = checkDerivatives(model, f, { hA: 3e-3, hStrain: 2e-3, tolerance: { relative: 1e-2, forceEvPerA: 1e-4, stressEvPerA3: 1e-5 } });
      console.log(`[painn derivatives] vs f64 twin: forces ${sharp.forces.toExponential(2)}, stress ${sharp.stress.toExponential(2)}; vs own float32 energy: forces ${own.forces.toExponential(2)}, stress ${own.stress.toExponential(2)}`);
      expect(Math.abs(modelCalculator(model).compute(f).energyEv - twin.compute(f).energyEv)).toBeLessThan(1e-5 * f.numbers.length);
    }
    model.dispose();
  });

  it('equivariance (rotation, reflection, translation, permutation of like atoms) and extensivity', async () => {
    const { tf } = await useBackend('wasm');
    const model = makePainn(tf, data, tinyPainn({ layers: 2, features: 12 }));
    for (const f of [frames[0], frames[1], frames[3]]) {
      const d = assertEquivariant(model, f, { trials: 4, tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      const x = checkExtensivity(model, f, { tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      console.log(`[painn equivariance] dE ${d.energyEvPerAtom.toExponential(2)} eV/atom, dF ${d.forces.toExponential(2)}, dS ${d.stress.toExponential(2)}; extensivity dE ${x.energyEvPerAtom.toExponential(2)} dF ${x.forces.toExponential(2)}`);
    }
    model.dispose();
  });

  it('saves to JSON + binary and reloads to the same predictions; registry entry and config validation', async () => {
    const { tf } = await useBackend('cpu');
    const model = makePainn(tf, data, tinyPainn({ layers: 2 }));
    const { json, bin } = encodeModel(model.save({ note: 'test' }));
    const back = loadModel(tf, decodeModel(json, bin));
    expect(back.type).toBe('painn');
    expect(back.save().metadata.note).toBe('test');
    const a = modelCalculator(model).compute(frames[0], { forces: true, stress: true, energies: true });
    const b = modelCalculator(back).compute(frames[0], { forces: true, stress: true, energies: true });
    expect(b.energyEv).toBe(a.energyEv);
    expect(Array.from(b.forcesEvPerA!)).toEqual(Array.from(a.forcesEvPerA!));
    expect(Array.from(b.stressEvPerA3!)).toEqual(Array.from(a.stressEvPerA3!));
    expect(a.energiesEv!.reduce((s, e) => s + e, 0)).toBeCloseTo(a.energyEv, 9);
    const t = modelType('painn');
    expect(modelTypes().map((x) => x.name)).toEqual(expect.arrayContaining(['bpnn', 'linear', 'painn']));
    expect(t.fitting).toBe('gradient');
    expect(t.defaultConfig()).toEqual({ cutoffA: 5, features: 32, radialBasis: 16, layers: 2, headHidden: [16], activation: 'silu', cutoffFunction: 'cosine', directForces: false });
    expect(t.graphSpec(t.parseConfig({ cutoffA: 4 }))).toEqual({ cutoffA: 4 });
    expect(() => t.parseConfig({ features: 0 })).toThrow(/features/);
    expect(() => t.parseConfig({ layer: 2 })).toThrow(/unknown config key "layer"/);
    expect(() => t.parseConfig({ activation: 'relu' })).toThrow(/activation/);
    expect(() => t.parseConfig({ cutoffFunction: 'gauss' })).toThrow(/cutoffFunction/);
    // a file whose weights do not match its config is refused, naming the array
    const bad = model.save();
    bad.config = { ...(bad.config as PainnConfig), features: 9 };
    expect(() => loadModel(tf, bad)).toThrow(/embedding/);
    model.dispose();
    back.dispose();
  });
});
