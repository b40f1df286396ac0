import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { createRng } from '../../space/rng';
import { buildFrameGraph, createGraphCache } from '../data/graph';
import { speciesIndices } from '../data/species';
import { prepareTrainingData } from '../data/trainingData';
import type { ActivationName } from '../tf/activations';
import { randomLabelledFrame } from '../testing/fixtures';
import { gradientCheck, type EnergyF64 } from '../testing/gradientCheck';
import { assertEquivariant, checkDerivatives, checkExtensivity } from '../testing/modelChecks';
import { useBackend } from '../testing/tfTesting';
import { behlerParrinelloEnergyF64, behlerParrinelloF64, type BehlerParrinelloConfig } from './behlerParrinello';
import { modelCalculator } from './calculator';
import { setSymmetryFunctionPath } from './symmetryFunctionsKernel';
import { assembleGraphBatch, graphTensors } from '../data/batch';
import type { Tensor } from '@tensorflow/tfjs';
import type { AtomisticModel } from './model';
import { createModel, loadModel, modelType, modelTypes } from './registry';
import { decodeModel, encodeModel } from './serialization';

const sf = { cutoffA: 3.6, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 2, rsA: 2.0 }, { etaPerA2: 1, rsA: 2.8 }], angular: { kind: 'G4' as const, cutoffA: 3.2, etaPerA2: [0.05], zeta: [1, 4], lambda: [-1, 1] } };
const bpConfig = (activation: ActivationName): BehlerParrinelloConfig => ({ symmetryFunctions: sf, hidden: [6, 5], activation });

function smallSet() {
  const rng = createRng(21);
  const frames = [
    randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O', 'Si'], { boxA: 4.4, minA: 1.6, periodic: true }),
    randomLabelledFrame(rng, ['O', 'Si', 'O', 'O'], { boxA: 3.5, minA: 1.5, periodic: false }),
    randomLabelledFrame(rng, ['Si', 'Si', 'O'], { boxA: 4.0, minA: 1.6, periodic: true, forces: false, stress: false }),
    randomLabelledFrame(rng, ['O', 'Si', 'Si', 'O', 'Si', 'O'], { boxA: 4.8, minA: 1.6, periodic: true }),
  ];
  const data = prepareTrainingData(frames, { split: { method: 'indices', train: [0, 1, 2, 3], valid: [] } });
  return { frames, data };
}

function makeModel(tf: import('../tf/types').Tf, data: ReturnType<typeof smallSet>['data'], activation: ActivationName = 'tanh'): AtomisticModel {
  const graphs = createGraphCache(data.frames, modelType('bpnn').graphSpec(bpConfig(activation)));
  return createModel(tf, 'bpnn', bpConfig(activation), {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 5,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
}

/** The float64 twin in the split form of gradientCheck. */
function twin(model: AtomisticModel, atomSpecies: Int32Array[]): EnergyF64<{ x: Float64Array; species: Int32Array }> {
  const ref = behlerParrinelloF64(model.save());
  return {
    prepare: (sys, k) => ({ x: ref.inputs(buildFrameGraph(sys, model.graphSpec), atomSpecies[k]), species: atomSpecies[k] }),
    energy: (p, w) => ref.energy(p.x, p.species, w).energyEv,
  };
}

/** The float64 twin as a Calculator (for sharp finite-difference references). */
function f64Calculator(model: AtomisticModel): Calculator {
  const saved = model.save();
  return {
    name: 'bpnn-f64',
    implementedProperties: ['energy'],
    cutoffA: model.graphSpec.cutoffA,
    compute: (sys: AtomicSystem) => {
      const sp = speciesIndices(model.species, sys.numbers);
      return { energyEv: behlerParrinelloEnergyF64(saved, buildFrameGraph(sys, model.graphSpec), sp).energyEv + sp.reduce((s, t) => s + model.e0.valuesEv[t], 0) };
    },
  };
}

describe('Behler-Parrinello model', () => {
  const { frames, data } = smallSet();

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: gradient of the energy+force+stress loss w.r.t. every weight = float64 finite differences (tanh)`, async () => {
      const { tf } = await useBackend(backend);
      const model = makeModel(tf, data, 'tanh');
      const graphs = createGraphCache(frames, model.graphSpec);
      const r = gradientCheck({
        model,
        data,
        graphs,
        indices: [0, 1, 2, 3],
        lossWeights: { energy: 1, forces: 1, stress: 1 },
        energyF64: twin(model, data.atomSpecies),
      });
      console.log(`[gradient check bpnn tanh ${backend}] ${r.parameters} weights: norm rel error ${r.normRelError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}, loss tf ${r.lossTf.toFixed(6)} f64 ${r.lossF64.toFixed(6)}`);
      expect(r.parameters).toBe(2 * (18 * 6 + 6 + 6 * 5 + 5 + 5 + 1));
      expect(Math.abs(r.lossTf - r.lossF64) / r.lossF64).toBeLessThan(1e-4);
      expect(r.normRelError).toBeLessThan(1e-3);
      expect(r.maxRelError).toBeLessThan(1e-3);
      model.dispose();
    });
  }

  it('cpu: gradient check with silu and sigmoid networks', async () => {
    const { tf } = await useBackend('cpu');
    for (const act of ['silu', 'sigmoid'] as const) {
      const model = makeModel(tf, data, act);
      const r = gradientCheck({
        model,
        data,
        graphs: createGraphCache(frames, model.graphSpec),
        indices: [0, 1, 3],
        lossWeights: { energy: 1, forces: 2, stress: 0 },
        energyF64: twin(model, data.atomSpecies),
      });
      console.log(`[gradient check bpnn ${act} cpu] norm rel error ${r.normRelError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}`);
      expect(r.normRelError).toBeLessThan(1e-3);
      model.dispose();
    }
  });

  it('the graph path (no fused kernels: other backends) gives the same model and a correct loss gradient', async () => {
    const { tf } = await useBackend('wasm');
    const model = makeModel(tf, data, 'tanh');
    const fused = modelCalculator(model).compute(frames[3], { forces: true, stress: true });
    setSymmetryFunctionPath('graph');
    try {
      const graph = modelCalculator(model).compute(frames[3], { forces: true, stress: true });
      expect(Math.abs(graph.energyEv - fused.energyEv)).toBeLessThan(1e-4);
      graph.forcesEvPerA!.forEach((f, q) => expect(Math.abs(f - fused.forcesEvPerA![q])).toBeLessThan(1e-4));
      graph.stressEvPerA3!.forEach((x, q) => expect(Math.abs(x - fused.stressEvPerA3![q])).toBeLessThan(1e-6));
      const r = gradientCheck({ model, data, graphs: createGraphCache(frames, model.graphSpec), indices: [0, 1, 3], lossWeights: { energy: 1, forces: 1, stress: 1 }, energyF64: twin(model, data.atomSpecies) });
      console.log(`[gradient check bpnn tanh wasm, graph path] norm rel error ${r.normRelError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}`);
      expect(r.normRelError).toBeLessThan(1e-3);
    } finally {
      setSymmetryFunctionPath('auto');
    }
    // a Hessian in positions through the fused kernels is refused, not silently wrong
    const host = assembleGraphBatch([{ graph: buildFrameGraph(frames[1], model.graphSpec), species: data.atomSpecies[1] }], 2);
    expect(() =>
      tf.tidy(() => {
        const t = graphTensors(tf, host);
        t.extra = model.prepareBatch(host);
        const force = (v: Tensor) => tf.grad((w: Tensor) => tf.sum(model.atomicEnergies(t, w as never)))(v);
        return tf.grad((v: Tensor) => tf.sum(tf.square(force(v))))(t.edgeVectorsA);
      }),
    ).toThrow(/second derivatives/);
    model.dispose();
  });

  it('forces and stress by autodiff = finite differences of the energy (float64 twin and the float32 model)', async () => {
    const { tf } = await useBackend('wasm');
    const model = makeModel(tf, data);
    for (const f of [frames[0], frames[1], frames[3]]) {
      const sharp = checkDerivatives(model, f, { reference: f64Calculator(model), tolerance: { relative: 2e-5 } });
      const own = checkDerivatives(model, f, { hA: 3e-3, hStrain: 2e-3, tolerance: { relative: 1e-2, forceEvPerA: 1e-4, stressEvPerA3: 1e-5 } });
      console.log(`[bpnn derivatives] vs f64 twin: forces ${sharp.forces.toExponential(2)}, stress ${sharp.stress.toExponential(2)}; vs own float32 energy: forces ${own.forces.toExponential(2)}, stress ${own.stress.toExponential(2)}`);
    }
    // the float32 energy agrees with the float64 twin
    const e32 = modelCalculator(model).compute(frames[3]).energyEv;
    expect(Math.abs(e32 - f64Calculator(model).compute(frames[3]).energyEv)).toBeLessThan(1e-5 * 6);
    model.dispose();
  });

  it('equivariance (rotation, reflection, translation, permutation) and extensivity', async () => {
    const { tf } = await useBackend('wasm');
    const model = makeModel(tf, data);
    for (const f of [frames[0], frames[1], frames[3]]) {
      const d = assertEquivariant(model, f, { tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      const x = checkExtensivity(model, f, { tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      console.log(`[bpnn equivariance] dE ${d.energyEvPerAtom.toExponential(2)} eV/atom, dF ${d.forces.toExponential(2)}, dS ${d.stress.toExponential(2)}; extensivity dE ${x.energyEvPerAtom.toExponential(2)}`);
    }
    model.dispose();
  });

  it('saves to JSON + binary and reloads to the same predictions; registry lists it', async () => {
    const { tf } = await useBackend('cpu');
    const model = makeModel(tf, data);
    const { json, bin } = encodeModel(model.save({ note: 'test' }));
    const back = loadModel(tf, decodeModel(json, bin));
    expect(back.type).toBe('bpnn');
    expect(back.save().metadata.note).toBe('test');
    const a = modelCalculator(model).compute(frames[0], { forces: true, stress: true, energies: true });
    const b = modelCalculator(back).compute(frames[0], { forces: true, stress: true, energies: true });
    expect(b.energyEv).toBe(a.energyEv);
    expect(Array.from(b.forcesEvPerA!)).toEqual(Array.from(a.forcesEvPerA!));
    expect(Array.from(b.stressEvPerA3!)).toEqual(Array.from(a.stressEvPerA3!));
    expect(a.energiesEv!.reduce((s, e) => s + e, 0)).toBeCloseTo(a.energyEv, 9);
    expect(modelTypes().map((t) => t.name)).toEqual(expect.arrayContaining(['bpnn', 'linear']));
    expect(() => modelType('bpnn').parseConfig({ hidden: [0] })).toThrow(/hidden/);
    expect(() => modelCalculator(model).compute({ ...frames[0], numbers: Int32Array.from([26, 14, 14, 8, 14]) })).toThrow(/Fe/);
    model.dispose();
    back.dispose();
  });
});
