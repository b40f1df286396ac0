// Physics of the fast inference path on its own: forces and stress are the exact derivatives of its
// own float64 energy (central differences to ~1e-8), E/F/σ transform correctly under rotations,
// translations and permutations, the Verlet list kept between calls gives the same numbers as a
// fresh build, and NVE conserves energy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AtomicSystem } from '../../calculators/calculator';
import { numericForces, numericStress } from '../../calculators/finiteDifference';
import { extxyzFormat } from '../../io/formats/extxyz';
import { readText } from '../../io/read';
import { fitDrift } from '../../md/drift';
import { maxwellBoltzmannVelocities } from '../../md/maxwellBoltzmann';
import { velocityVerlet } from '../../md/velocityVerlet';
import { createRng } from '../../space/rng';
import { fitLinearModel } from '../models/linear';
import type { SavedModel } from '../models/serialization';
import { defaultSymmetryFunctions } from '../models/symmetryFunctions';
import { assertEquivariant } from '../testing/modelChecks';
import { useBackend } from '../testing/tfTesting';
import { diamondSilicon, maxRelativeError, modelFromFrames } from './fixtures';
import { fastModelCalculator } from './index';

function siFrames() {
  const read = readText(extxyzFormat, readFileSync('resources/examples/Si_mlearn_test.xyz', 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
  if (!read.ok) throw new Error('cannot read the Si example');
  return read.frames;
}

/** A bpnn with seeded weights (G4 or G5) and a linear model fitted on the Si example. */
async function models(): Promise<{ name: string; saved: SavedModel }[]> {
  const { tf } = await useBackend('cpu');
  const frames = siFrames().slice(0, 10);
  const out: { name: string; saved: SavedModel }[] = [];
  for (const kind of ['G4', 'G5'] as const) {
    const sf = defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 3.8, nRadial: 6, kind });
    const { model } = modelFromFrames(tf, 'bpnn', { symmetryFunctions: sf, hidden: [12, 8], activation: 'tanh' }, frames, 4);
    out.push({ name: `bpnn ${kind}`, saved: model.save() });
    model.dispose();
  }
  const lin = modelFromFrames(tf, 'linear', { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 3.5, nRadial: 6 }), ridge: 1e-6 }, frames);
  fitLinearModel(lin.model, lin.data, lin.graphs, { energyWeight: 1, forceWeight: 1, stressWeight: 0.1 });
  out.push({ name: 'linear', saved: lin.model.save() });
  lin.model.dispose();
  return out;
}

describe('fast inference physics', async () => {
  const all = await models();
  const frame = siFrames()[3]; // an AIMD snapshot of a 63-atom Si cell with a vacancy (periodic images within the cutoff)

  for (const { name, saved } of all) {
    it(`${name}: forces = -dE/dx and stress = (1/V) dE/dε by central differences`, () => {
      const calc = fastModelCalculator(saved)!;
      const sys: AtomicSystem = { ...frame, positionsA: frame.positionsA.slice() };
      calc.reset();
      const r = calc.compute(sys, { forces: true, stress: true });
      const F = r.forcesEvPerA!.slice(), S = r.stressEvPerA3!.slice();
      const nf = numericForces(calc, sys, 1e-5), ns = numericStress(calc, sys, 1e-6);
      let dF = 0, dS = 0;
      for (let k = 0; k < F.length; k++) dF = Math.max(dF, Math.abs(F[k] - nf[k]));
      for (let k = 0; k < 9; k++) dS = Math.max(dS, Math.abs(S[k] - ns[k]));
      console.log(`[${name} ${calc.kernel}] |F - F_fd| max ${dF.toExponential(2)} eV/Å (max |F| ${Math.max(...Array.from(F, Math.abs)).toFixed(3)}), |σ - σ_fd| max ${dS.toExponential(2)} eV/Å³`);
      expect(dF).toBeLessThan(3e-8);
      expect(dS).toBeLessThan(1e-8);
    });
  }

  it('equivariance: rotations, reflections, translations, permutations (float64 tolerances)', () => {
    for (const { saved } of all) {
      const d = assertEquivariant(fastModelCalculator(saved)!, frame, { trials: 2, tolerance: { energyEvPerAtom: 1e-12, relative: 1e-10, forceEvPerA: 1e-12, stressEvPerA3: 1e-13 } });
      expect(d.forces).toBeLessThan(1e-10);
    }
  });

  it('the Verlet list kept between calls equals a fresh build (atoms moving within and beyond the skin)', () => {
    const { saved } = all[0];
    const kept = fastModelCalculator(saved, { skinA: 0.6 })!;
    const rng = createRng(3);
    const sys: AtomicSystem = { ...frame, positionsA: frame.positionsA.slice() };
    for (let step = 0; step < 12; step++) {
      for (let k = 0; k < sys.positionsA.length; k++) sys.positionsA[k] += 0.06 * rng.normal();
      const a = kept.compute(sys, { forces: true, stress: true, energies: true });
      const fresh = fastModelCalculator(saved, { skinA: 0.6 })!.compute(sys, { forces: true, stress: true, energies: true });
      expect(Math.abs(a.energyEv - fresh.energyEv)).toBeLessThan(1e-10);
      expect(maxRelativeError(a.forcesEvPerA!, fresh.forcesEvPerA!)).toBeLessThan(1e-12);
      expect(maxRelativeError(a.stressEvPerA3!, fresh.stressEvPerA3!)).toBeLessThan(1e-12);
    }
    expect(kept.neighborListBuilds).toBeGreaterThan(1);
    expect(kept.neighborListBuilds).toBeLessThan(12);
  });

  it('output arrays passed in `out` are reused (no allocation per MD step)', () => {
    const calc = fastModelCalculator(all[0].saved)!;
    const out = { energyEv: 0, forcesEvPerA: new Float64Array(3 * frame.numbers.length), stressEvPerA3: new Float64Array(9) };
    const r = calc.compute(frame, { forces: true, stress: true }, out);
    expect(r.forcesEvPerA).toBe(out.forcesEvPerA);
    expect(r.stressEvPerA3).toBe(out.stressEvPerA3);
  });

  it('NVE with the fast path conserves energy (linear model of Si, 64 atoms, 300 K, 1 fs, 400 steps)', () => {
    const { saved } = all[2];
    const calc = fastModelCalculator(saved, { skinA: 0.3 })!;
    const sys = diamondSilicon(2, { rattleA: 0.02, seed: 5 });
    const masses = new Float64Array(64).fill(28.0855);
    const integ = velocityVerlet(calc, { dtFs: 1 });
    const state = integ.init({ ...sys, massesAmu: masses, velocitiesAPerFs: maxwellBoltzmannVelocities(masses, 300, createRng(9)) });
    const times: number[] = [], energies: number[] = [];
    for (let s = 0; s < 400; s++) {
      integ.step(state);
      times.push(state.timeFs);
      energies.push(state.conservedEnergyEv);
    }
    const fit = fitDrift(times, energies, 64);
    const spread = (Math.max(...energies) - Math.min(...energies)) / 64;
    console.log(`[NVE linear Si 64 atoms] drift ${fit.slopeMevPerAtomPerPs.toFixed(4)} ± ${fit.slopeStdErrCorrectedMevPerAtomPerPs.toFixed(4)} meV/atom/ps, fluctuation ${fit.rmsFluctuationMevPerAtom.toFixed(4)} meV/atom, max-min ${(spread * 1e3).toFixed(4)} meV/atom, ${calc.neighborListBuilds} list builds`);
    expect(Math.abs(fit.slopeMevPerAtomPerPs)).toBeLessThan(1);
    expect(spread).toBeLessThan(2e-3);
    expect(calc.neighborListBuilds).toBeGreaterThan(1); // the list was rebuilt on the way
  });
});
