// Velocity Verlet: against ASE 3.22's VelocityVerlet on the same Lennard-Jones argon
// (fixtures/md/ase_nve_lj_argon.json, made by scripts/fixtures/gen_md_ase.py), energy
// conservation (drift bound, fluctuation ∝ dt²), time reversibility and momentum conservation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLennardJones } from '../potentials/lennardJones';
import { createRng } from '../space/rng';
import { fitDrift } from './drift';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { totalMomentum, type MdState } from './state';
import { ARGON_LJ, fccLattice, testLennardJones } from './testPotentials';
import { velocityVerlet } from './velocityVerlet';

const FIXTURE = fileURLToPath(new URL('../../fixtures/md/ase_nve_lj_argon.json', import.meta.url));

interface AseFrame {
  step: number;
  positions: number[];
  velocities_A_per_fs: number[];
  potential_energy: number;
  kinetic_energy: number;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
};

/** 108-atom fcc argon crystal at about 40 K (MB velocities at 80 K, half goes into the potential). */
function argonCrystal(seed = 1) {
  const sys = fccLattice(5.26, [3, 3, 3]);
  const masses = new Float64Array(sys.numbers.length).fill(39.948);
  return { ...sys, massesAmu: masses, velocitiesAPerFs: maxwellBoltzmannVelocities(masses, 80, createRng(seed)) };
}

/** Run for totalFs, returning the conserved-energy series. */
function runNve(dtFs: number, totalFs: number) {
  const integ = velocityVerlet(testLennardJones(ARGON_LJ), { dtFs });
  const s = integ.init(argonCrystal());
  const t: number[] = [], e: number[] = [];
  for (let k = 0; k < Math.round(totalFs / dtFs); k++) {
    integ.step(s);
    t.push(s.timeFs);
    e.push(s.conservedEnergyEv);
  }
  return { state: s, fit: fitDrift(t, e, s.numbers.length) };
}

describe('velocity Verlet against ASE 3.22', () => {
  const data = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const init = data.initial;
  const calc = testLennardJones({ epsilonEv: data.lj.epsilon_eV, sigmaA: data.lj.sigma_A, cutoffA: data.lj.cutoff_A });
  const system = {
    numbers: Int32Array.from(init.numbers as number[]),
    positionsA: Float64Array.from(init.positions as number[]),
    cellA: Float64Array.from(init.cell as number[]),
    pbc: [true, true, true] as const,
    massesAmu: Float64Array.from(init.masses as number[]),
    velocitiesAPerFs: Float64Array.from(init.velocities_A_per_fs as number[]),
  };

  it('the test LJ gives ASE LennardJones(smooth=False) energy, forces and stress', () => {
    const r = calc.compute(system, { forces: true, stress: true });
    expect(Math.abs(r.energyEv - init.energy)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.forcesEvPerA!, init.forces)).toBeLessThan(1e-13);
    expect(maxAbsDiff(r.stressEvPerA3!, init.stress)).toBeLessThan(1e-15);
  });

  it('reproduces ASE positions and velocities after 200 steps of 5 fs (measured: 4e-15 Å)', () => {
    calc.reset?.();
    const integ = velocityVerlet(calc, { dtFs: data.dt_fs, zeroMomentum: false });
    const s = integ.init(system);
    for (const fr of data.frames as AseFrame[]) {
      while (s.step < fr.step) integ.step(s);
      expect(maxAbsDiff(s.positionsA, fr.positions), `positions at step ${fr.step}`).toBeLessThan(1e-11);
      expect(maxAbsDiff(s.velocitiesAPerFs, fr.velocities_A_per_fs), `velocities at step ${fr.step}`).toBeLessThan(1e-13);
      expect(Math.abs(s.potentialEnergyEv - fr.potential_energy)).toBeLessThan(1e-10);
      expect(Math.abs(s.kineticEnergyEv - fr.kinetic_energy)).toBeLessThan(1e-10);
    }
    expect(s.timeFs).toBeCloseTo(200 * data.dt_fs, 9);
  });

  it('the production Lennard-Jones (potentials/lennardJones.ts, shifted) gives the same trajectory', () => {
    const lj = createLennardJones({ epsilonEv: data.lj.epsilon_eV, sigmaA: data.lj.sigma_A, cutoffA: data.lj.cutoff_A, shift: true });
    const integ = velocityVerlet(lj, { dtFs: data.dt_fs, zeroMomentum: false });
    const s = integ.init(system);
    const last = (data.frames as AseFrame[]).at(-1)!;
    while (s.step < last.step) integ.step(s);
    expect(maxAbsDiff(s.positionsA, last.positions)).toBeLessThan(1e-10);
    expect(Math.abs(s.potentialEnergyEv - last.potential_energy)).toBeLessThan(1e-10);
  });
});

describe('velocity Verlet energy conservation (108-atom LJ argon crystal, ~40 K)', () => {
  // Same trajectory length (4 ps) at three time steps.
  const runs = new Map([8, 4, 2].map((dt) => [dt, runNve(dt, 4000)]));

  it('has no significant drift (|slope| < 1e-3 meV/atom/ps) at dt = 4 fs', () => {
    const { fit } = runs.get(4)!;
    expect(Math.abs(fit.slopeMevPerAtomPerPs)).toBeLessThan(1e-3);
    // and the fluctuation is small compared with kT (3.4 meV at 40 K)
    expect(fit.rmsFluctuationMevPerAtom).toBeLessThan(1e-3);
  });

  it('RMS energy fluctuation scales as dt² (halving dt divides it by ~4)', () => {
    const r84 = runs.get(8)!.fit.rmsFluctuationMevPerAtom / runs.get(4)!.fit.rmsFluctuationMevPerAtom;
    const r42 = runs.get(4)!.fit.rmsFluctuationMevPerAtom / runs.get(2)!.fit.rmsFluctuationMevPerAtom;
    // measured 3.93 and 3.79
    expect(r84).toBeGreaterThan(3.2);
    expect(r84).toBeLessThan(4.8);
    expect(r42).toBeGreaterThan(3.2);
    expect(r42).toBeLessThan(4.8);
  });

  it('keeps the total momentum at zero', () => {
    const { state } = runs.get(2)!;
    const p = totalMomentum(state.massesAmu, state.velocitiesAPerFs);
    // typical single-atom momentum: m v ~ 40 amu × 0.01 Å/fs
    expect(Math.max(...p.map(Math.abs))).toBeLessThan(1e-12);
  });
});

describe('velocity Verlet is time reversible', () => {
  it('returns to the initial positions after N steps forward, velocity reversal and N steps', () => {
    const integ = velocityVerlet(testLennardJones(ARGON_LJ), { dtFs: 5 });
    const s: MdState = integ.init(argonCrystal(3));
    const x0 = s.positionsA.slice();
    const v0 = s.velocitiesAPerFs.slice();
    for (let k = 0; k < 400; k++) integ.step(s);
    expect(maxAbsDiff(s.positionsA, x0)).toBeGreaterThan(0.1);
    for (let q = 0; q < s.velocitiesAPerFs.length; q++) s.velocitiesAPerFs[q] = -s.velocitiesAPerFs[q];
    for (let k = 0; k < 400; k++) integ.step(s);
    expect(maxAbsDiff(s.positionsA, x0)).toBeLessThan(1e-9);
    expect(maxAbsDiff(s.velocitiesAPerFs, v0.map((v) => -v))).toBeLessThan(1e-11);
  });

  it('moves a free particle ballistically (no forces)', () => {
    const zero = testLennardJones({ epsilonEv: 0, sigmaA: 1, cutoffA: 1 });
    const integ = velocityVerlet(zero, { dtFs: 0.5, zeroMomentum: false });
    const s = integ.init({
      numbers: new Int32Array([18]),
      positionsA: new Float64Array([1, 2, 3]),
      cellA: null,
      pbc: [false, false, false],
      velocitiesAPerFs: new Float64Array([0.01, -0.02, 0.03]),
    });
    for (let k = 0; k < 100; k++) integ.step(s);
    expect(s.positionsA[0]).toBeCloseTo(1.5, 12);
    expect(s.positionsA[1]).toBeCloseTo(1, 12);
    expect(s.positionsA[2]).toBeCloseTo(4.5, 12);
    expect(s.degreesOfFreedom).toBe(3);
  });
});
