// The fast PaiNN path (painnFast.ts, painnCalculator.ts; WebAssembly SIMD and TypeScript kernels) equals the training graph (tfjs float32,
// models/calculator.ts) within float32 rounding and the independent float64 twin (painnF64.ts) to
// float64 rounding; its forces and stress are the central differences of its own energy; the
// direct-force head returns the graph's direct forces. Both filter paths: the tabulated filters
// (painnFilterTable.ts, the default) and the exact per-pair Bessel GEMVs (filterTable: false), and
// the table path == the exact path within the interpolation error measured here. Weights: the seeded
// initial ones with every array (biases included) perturbed, so that no term is trivially zero.
import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { numericForces, numericStress } from '../../calculators/finiteDifference';
import { createRng } from '../../space/rng';
import { modelCalculator } from '../models/calculator';
import type { PainnConfig } from '../models/painn';
import { makePainn, painnF64Calculator, smallSet, tinyPainn } from '../models/painnTesting';
import { loadModel } from '../models/registry';
import type { SavedModel } from '../models/serialization';
import { randomLabelledFrame } from '../testing/fixtures';
import { useBackend } from '../testing/tfTesting';
import { diamondSilicon, maxRelativeError } from './fixtures';
import { fastModelCalculator } from './index';

function perturbed(saved: SavedModel, seed: number, scale = 0.3): SavedModel {
  const rng = createRng(seed);
  return { ...saved, weights: saved.weights.map((t) => ({ ...t, data: Float32Array.from(t.data, (x) => x + scale * rng.normal() * (t.name === 'embedding' ? 1 : 0.5)) })) };
}

function structures(): AtomicSystem[] {
  const rng = createRng(17);
  const si = diamondSilicon(1, { rattleA: 0.15, seed: 3 });
  si.numbers[2] = 8;
  si.numbers[5] = 8;
  return [
    si, // periodic 8-atom cell: with rc 3.2 Å, images of the same atom are not neighbours; 3.6 Å below has them
    randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O', 'Si', 'O', 'O', 'Si'], { boxA: 5.0, minA: 1.6, periodic: true }),
    randomLabelledFrame(rng, ['O', 'Si', 'O', 'O', 'Si', 'Si'], { boxA: 4.4, minA: 1.5, periodic: false }),
  ];
}

const req = (sys: AtomicSystem) => ({ forces: true, stress: !!sys.cellA && sys.pbc.every(Boolean), energies: true });

async function models(config: PainnConfig, seed: number) {
  const { tf } = await useBackend('cpu');
  const { data } = smallSet();
  const init = makePainn(tf, data, config, seed);
  const saved = perturbed(init.save(), seed + 100);
  init.dispose();
  return { saved, graph: loadModel(tf, saved) };
}

function compareTo(fast: Calculator, want: Calculator, systems: AtomicSystem[]) {
  let dE = 0, dEi = 0, dF = 0, dS = 0;
  for (const sys of systems) {
    fast.reset?.();
    const a = fast.compute(sys, req(sys)), b = want.compute(sys, req(sys));
    dE = Math.max(dE, Math.abs(a.energyEv - b.energyEv) / Math.abs(b.energyEv));
    dEi = Math.max(dEi, maxRelativeError(a.energiesEv!, b.energiesEv!));
    dF = Math.max(dF, maxRelativeError(a.forcesEvPerA!, b.forcesEvPerA!));
    if (b.stressEvPerA3) dS = Math.max(dS, maxRelativeError(a.stressEvPerA3!, b.stressEvPerA3!));
  }
  return { dE, dEi, dF, dS };
}

describe('fast PaiNN inference', () => {
  const variants: [string, Partial<PainnConfig>][] = [
    ['L=2 silu cosine', { layers: 2, cutoffA: 3.6 }],
    ['L=3 tanh polynomial, head 8-6', { layers: 3, activation: 'tanh', cutoffFunction: 'polynomial', headHidden: [8, 6] }],
    // sizes off the kernels' blocks (F3 = 54, K = 11, head 18-9-1): every remainder path of the wasm loops
    ['L=2 silu F=18 K=11, head 9', { layers: 2, cutoffA: 3.6, features: 18, radialBasis: 11, headHidden: [9] }],
    // the default sizes: the kernels compiled apart for F = 32
    ['L=2 silu F=32 K=16, head 16', { layers: 2, cutoffA: 3.6, features: 32, radialBasis: 16, headHidden: [16] }],
  ];
  for (const [name, over] of variants) for (const filterTable of [true, false]) {
    it(`${name}, ${filterTable ? 'tabulated' : 'exact'} filters: == tfjs graph within float32, == float64 twin to 1e-11, forces/stress == central differences`, async () => {
      const { saved, graph } = await models(tinyPainn(over), 7);
      const systems = structures();
      for (const kernel of ['wasm', 'ts'] as const) {
        const calc = fastModelCalculator(saved, { kernel, filterTable })!;
        expect(calc.kernel).toBe(kernel === 'wasm' ? 'wasm-simd' : 'ts');
        const e = compareTo(calc, modelCalculator(graph), systems);
        console.log(`[painn ${name}, ${kernel}, ${filterTable ? 'table' : 'exact'}] vs tfjs graph: E ${e.dE.toExponential(1)}, E_i ${e.dEi.toExponential(1)}, F ${e.dF.toExponential(1)}, σ ${e.dS.toExponential(1)}`);
        expect(e.dE).toBeLessThan(1e-6);
        expect(e.dEi).toBeLessThan(3e-5);
        expect(e.dF).toBeLessThan(1e-4);
        expect(e.dS).toBeLessThan(1e-4);
      }
      const cross = compareTo(fastModelCalculator(saved, { kernel: 'wasm', filterTable })!, fastModelCalculator(saved, { kernel: 'ts', filterTable })!, systems);
      expect(Math.max(cross.dE, cross.dEi, cross.dF, cross.dS)).toBeLessThan(1e-12);
      const fast = fastModelCalculator(saved, { filterTable })!;
      const twin = painnF64Calculator(graph);
      for (const sys of systems) {
        const a = fast.compute(sys).energyEv, b = twin.compute(sys).energyEv;
        expect(Math.abs(a - b)).toBeLessThan(1e-11 * Math.max(1, Math.abs(b)));
      }
      for (const sys of systems) {
        fast.reset();
        const r = fast.compute(sys, req(sys));
        // step 2e-6 Å: the F = 32 model on the 6-atom cluster is stiff enough that 1e-5 leaves ~1e-6 eV/Å of h² error
        const F = r.forcesEvPerA!.slice(), nf = numericForces(fast, sys, 2e-6);
        let dF = 0, maxF = 0;
        for (let k = 0; k < F.length; k++) {
          dF = Math.max(dF, Math.abs(F[k] - nf[k]));
          maxF = Math.max(maxF, Math.abs(F[k]));
        }
        expect(dF).toBeLessThan(1e-7 * Math.max(1, maxF));
        if (req(sys).stress) {
          const S = r.stressEvPerA3!.slice(), ns = numericStress(fast, sys, 1e-6);
          for (let k = 0; k < 9; k++) expect(Math.abs(S[k] - ns[k])).toBeLessThan(1e-7);
        }
      }
      graph.dispose();
    });
  }

  it('tabulated filters == exact filters within the interpolation error (periodic and free, pairs down to 0.3 Å), wasm and ts', async () => {
    const short = structures().map((sys) => {
      // atom 1 moved to 0.3 Å from atom 0: a pair far below any physical distance stays on the table (it starts at r = 0)
      const p = Float64Array.from(sys.positionsA);
      for (let d = 0; d < 3; d++) p[3 + d] = p[d] + (d === 0 ? 0.3 : 0);
      return { ...sys, positionsA: p };
    });
    for (const [name, over] of variants) {
      const { saved, graph } = await models(tinyPainn(over), 7);
      for (const kernel of ['wasm', 'ts'] as const) {
        const table = fastModelCalculator(saved, { kernel })!, exact = fastModelCalculator(saved, { kernel, filterTable: false })!;
        expect(table.name).toContain('filter table');
        expect(exact.name).not.toContain('filter table');
        const e = compareTo(table, exact, [...structures(), ...short]);
        console.log(`[painn ${name}, ${kernel}] table vs exact filters: E ${e.dE.toExponential(1)}, E_i ${e.dEi.toExponential(1)}, F ${e.dF.toExponential(1)}, σ ${e.dS.toExponential(1)}`);
        // measured ≤ 1.3e-11 (E, E_i; F = 18, K = 11), ≤ 1.3e-10 (F, σ) with the default 512 intervals
        expect(Math.max(e.dE, e.dEi)).toBeLessThan(1e-10);
        expect(Math.max(e.dF, e.dS)).toBeLessThan(1e-9);
      }
      graph.dispose();
    }
  });

  it('direct-force head: forces = the graph head forces (not -dE/dR), stress = the conservative one', async () => {
    const { saved, graph } = await models(tinyPainn({ layers: 2, directForces: true }), 11);
    const systems = structures();
    const fast = fastModelCalculator(saved)!;
    const cross = compareTo(fastModelCalculator(saved, { kernel: 'wasm' })!, fastModelCalculator(saved, { kernel: 'ts' })!, systems);
    expect(Math.max(cross.dE, cross.dF, cross.dS)).toBeLessThan(1e-12);
    const e = compareTo(fast, modelCalculator(graph), systems);
    console.log(`[painn direct forces] vs tfjs graph: E ${e.dE.toExponential(1)}, F ${e.dF.toExponential(1)}, σ ${e.dS.toExponential(1)}`);
    expect(e.dE).toBeLessThan(1e-6);
    expect(e.dF).toBeLessThan(1e-4);
    expect(e.dS).toBeLessThan(1e-4);
    const sys = systems[1];
    fast.reset();
    const F = fast.compute(sys, { forces: true }).forcesEvPerA!.slice();
    const nf = numericForces(fast, sys, 1e-5);
    expect(maxRelativeError(F, nf)).toBeGreaterThan(1e-2); // the head is not the energy's gradient
    graph.dispose();
  });
});
