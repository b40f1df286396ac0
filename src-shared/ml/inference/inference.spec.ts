// The fast inference path equals the training graph: energies, per-atom energies, forces and
// stress of fastModelCalculator (WebAssembly SIMD and TypeScript kernels) against the tfjs graph
// calculator (models/calculator.ts, float32) within float32 rounding, and against the models'
// float64 references (behlerParrinelloF64, linearF64) to float64 rounding, for every model type with
// a fast path, on real Si frames (resources/examples/Si_mlearn_test.xyz) and on multi-element
// random structures (periodic and free).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { extxyzFormat } from '../../io/formats/extxyz';
import { readText } from '../../io/read';
import { createRng } from '../../space/rng';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices } from '../data/species';
import { behlerParrinelloEnergyF64 } from '../models/behlerParrinello';
import { modelCalculator } from '../models/calculator';
import { fitLinearModel, linearF64 } from '../models/linear';
import type { SavedModel } from '../models/serialization';
import { defaultSymmetryFunctions } from '../models/symmetryFunctions';
import { randomLabelledFrame } from '../testing/fixtures';
import { useBackend } from '../testing/tfTesting';
import { createTrainer, defaultTrainConfig } from '../train/trainer';
import { maxRelativeError, modelFromFrames } from './fixtures';
import { FAST_MODEL_TYPES, fastModelCalculator } from './index';

function siFrames() {
  const read = readText(extxyzFormat, readFileSync('resources/examples/Si_mlearn_test.xyz', 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
  if (!read.ok) throw new Error('cannot read the Si example');
  return read.frames;
}

/** Frames whose DFT forces are not tiny (distorted structures: relative force errors are meaningful). */
function distorted(frames: ReturnType<typeof siFrames>, from: number, count: number) {
  const maxF = (f: (typeof frames)[number]) => (f.forcesEvPerA ? Math.max(...Array.from(f.forcesEvPerA, Math.abs)) : 0);
  return frames.slice(from).filter((f) => maxF(f) > 0.3).slice(0, count);
}

function mixedFrames() {
  const rng = createRng(11);
  return [
    randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O', 'Si', 'O', 'O', 'Si'], { boxA: 5.2, minA: 1.6, periodic: true }),
    randomLabelledFrame(rng, ['O', 'Si', 'O', 'O', 'Si', 'Si'], { boxA: 4.6, minA: 1.5, periodic: false }),
    randomLabelledFrame(rng, ['Si', 'Si', 'O', 'O', 'O', 'Si', 'O'], { boxA: 4.4, minA: 1.6, periodic: true }),
  ];
}

const all = (sys: AtomicSystem) => ({ forces: true, stress: !!sys.cellA && sys.pbc.every(Boolean), energies: true });

interface Errors {
  energy: number;
  energies: number;
  forces: number;
  stress: number;
}

/** Relative errors of `got` against `want` over several structures (each calculator reset first). */
function compare(got: Calculator, want: Calculator, systems: AtomicSystem[]): Errors {
  const e: Errors = { energy: 0, energies: 0, forces: 0, stress: 0 };
  for (const sys of systems) {
    got.reset?.();
    want.reset?.();
    const a = got.compute(sys, all(sys)), b = want.compute(sys, all(sys));
    e.energy = Math.max(e.energy, Math.abs(a.energyEv - b.energyEv) / Math.abs(b.energyEv));
    e.energies = Math.max(e.energies, maxRelativeError(a.energiesEv!, b.energiesEv!));
    e.forces = Math.max(e.forces, maxRelativeError(a.forcesEvPerA!, b.forcesEvPerA!));
    if (b.stressEvPerA3) e.stress = Math.max(e.stress, maxRelativeError(a.stressEvPerA3!, b.stressEvPerA3!));
  }
  return e;
}

const fmt = (e: Errors) => `E ${e.energy.toExponential(1)}, E_i ${e.energies.toExponential(1)}, F ${e.forces.toExponential(1)}, σ ${e.stress.toExponential(1)}`;

/** float32 graph vs float64: per-atom energies and forces are float32 results (~1e-7 relative, amplified by sums). */
function expectFloat32Agreement(e: Errors) {
  expect(e.energy).toBeLessThan(1e-6);
  expect(e.energies).toBeLessThan(2e-5);
  expect(e.forces).toBeLessThan(5e-5);
  expect(e.stress).toBeLessThan(5e-5);
}

function f64EnergyCalculator(saved: SavedModel, graphSpec: { cutoffA: number; triplets?: { cutoffA: number; requireJk: boolean } }, species: { numbers: readonly number[] }): Calculator {
  return {
    name: `${saved.type}-f64-reference`,
    implementedProperties: ['energy'],
    cutoffA: graphSpec.cutoffA,
    compute(sys) {
      const sp = speciesIndices({ numbers: species.numbers, symbols: saved.species }, sys.numbers);
      const g = buildFrameGraph(sys, graphSpec);
      let e0 = 0;
      for (const s of sp) e0 += saved.e0.valuesEv[s];
      if (saved.type === 'linear') {
        const ref = linearF64(saved);
        return { energyEv: ref.energy(ref.inputs(g, sp), sp) + e0 };
      }
      return { energyEv: behlerParrinelloEnergyF64(saved, g, sp).energyEv + e0 };
    },
  };
}

describe('fast inference path == training graph', () => {
  it('every registered type either has a fast path or returns null', async () => {
    const { tf } = await useBackend('cpu');
    const frames = siFrames().slice(0, 2);
    for (const type of ['bpnn', 'linear', 'painn']) {
      let saved: SavedModel;
      try {
        const { model } = modelFromFrames(tf, type, {}, frames);
        saved = model.save();
        model.dispose();
      } catch {
        continue; // a type not registered in this checkout
      }
      const calc = fastModelCalculator(saved);
      expect(calc === null).toBe(!FAST_MODEL_TYPES.includes(type));
    }
  });

  it('bpnn (G4, tanh, trained 2 epochs) on Si frames: tfjs graph within float32, float64 reference within 1e-11', async () => {
    const { tf } = await useBackend('cpu');
    const frames = siFrames();
    const train = frames.slice(0, 8);
    const config = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 5.0, angularCutoffA: 4.0, nRadial: 8, nAngularEta: 2 }), hidden: [16, 16], activation: 'tanh' };
    const { model, data, graphs } = modelFromFrames(tf, 'bpnn', config, train, 3);
    const trainer = createTrainer({ model, data, graphs, config: { ...defaultTrainConfig(), maxEpochs: 2, batchAtoms: 256, emaDecay: 0, earlyStopping: null, checkpointEvery: 0 } });
    await trainer.run({});
    const saved = trainer.bestModel();
    trainer.dispose();
    model.dispose();
    const { loadModel } = await import('../models/registry');
    const trained = loadModel(tf, saved);
    const test = distorted(frames, 8, 4);
    const graph = modelCalculator(trained);
    for (const kernel of ['wasm', 'ts'] as const) {
      const fast = fastModelCalculator(saved, { kernel })!;
      const e = compare(fast, graph, test);
      console.log(`[bpnn G4 tanh, ${kernel}] vs tfjs graph: ${fmt(e)}`);
      expectFloat32Agreement(e);
    }
    const ref = f64EnergyCalculator(saved, trained.graphSpec, trained.species);
    const fast = fastModelCalculator(saved)!;
    for (const sys of test) {
      fast.reset();
      expect(Math.abs(fast.compute(sys).energyEv - ref.compute(sys).energyEv)).toBeLessThan(1e-11 * sys.numbers.length * 5);
    }
    const cross = compare(fastModelCalculator(saved, { kernel: 'wasm' })!, fastModelCalculator(saved, { kernel: 'ts' })!, test);
    console.log(`[bpnn G4 tanh] wasm vs ts kernels: ${fmt(cross)}`);
    expect(Math.max(cross.energy, cross.energies, cross.forces, cross.stress)).toBeLessThan(1e-12);
    trained.dispose();
  });

  it('linear (fitted in closed form) on Si frames', async () => {
    const { tf } = await useBackend('cpu');
    const frames = siFrames();
    const config = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 3.5, nRadial: 6, kind: 'G4' }), ridge: 1e-6 };
    const { model, data, graphs } = modelFromFrames(tf, 'linear', config, frames.slice(0, 12));
    fitLinearModel(model, data, graphs, { energyWeight: 1, forceWeight: 1, stressWeight: 0.1 });
    const saved = model.save();
    const test = distorted(frames, 20, 4);
    for (const kernel of ['wasm', 'ts'] as const) {
      const e = compare(fastModelCalculator(saved, { kernel })!, modelCalculator(model), test);
      console.log(`[linear, ${kernel}] vs tfjs graph: ${fmt(e)}`);
      expectFloat32Agreement(e);
    }
    const ref = f64EnergyCalculator(saved, model.graphSpec, model.species);
    const fast = fastModelCalculator(saved)!;
    for (const sys of test) {
      fast.reset();
      expect(Math.abs(fast.compute(sys).energyEv - ref.compute(sys).energyEv)).toBeLessThan(1e-9);
    }
    model.dispose();
  });

  for (const [kind, act] of [['G5', 'silu'], ['G4', 'sigmoid'], ['G4', 'softplus']] as const) {
    it(`bpnn (${kind}, ${act}) on Si/O structures, periodic and free: every species block`, async () => {
      const { tf } = await useBackend('cpu');
      const frames = mixedFrames();
      const sf = { cutoffA: 3.8, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 2, rsA: 1.6 }, { etaPerA2: 2, rsA: 2.2 }, { etaPerA2: 2, rsA: 2.8 }, { etaPerA2: 0.7, rsA: 3.0 }], angular: { kind, cutoffA: 3.4, etaPerA2: [0.01, 0.2], zeta: [1, 3, 4], lambda: [-1, 1] } };
      const { model } = modelFromFrames(tf, 'bpnn', { symmetryFunctions: sf, hidden: [7, 5], activation: act }, frames, 9);
      const saved = model.save();
      for (const kernel of ['wasm', 'ts'] as const) {
        const e = compare(fastModelCalculator(saved, { kernel })!, modelCalculator(model), frames);
        console.log(`[bpnn ${kind} ${act} Si/O, ${kernel}] vs tfjs graph: ${fmt(e)}`);
        expectFloat32Agreement(e);
      }
      const cross = compare(fastModelCalculator(saved, { kernel: 'wasm' })!, fastModelCalculator(saved, { kernel: 'ts' })!, frames);
      expect(Math.max(cross.energy, cross.energies, cross.forces, cross.stress)).toBeLessThan(1e-11);
      model.dispose();
    });
  }
});
