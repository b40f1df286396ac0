// Observables: the ideal-gas law for the kinetic pressure, P = −tr(σ)/3 for the full
// instantaneous stress, and temperature with 3N − 3 degrees of freedom.
import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { GPA_EV_PER_A3, KB_EV_PER_K } from '../units';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { instantaneousStressEvPerA3, observe, pressureGpa, temperatureK } from './observables';
import { ARGON_LJ, fccLattice, testLennardJones } from './testPotentials';
import { velocityVerlet } from './velocityVerlet';

describe('observables', () => {
  it('an ideal gas obeys P V = (2/3) K and the stress is −(1/V) Σ m v⊗v', () => {
    const rng = createRng(1);
    const n = 200;
    const cell = new Float64Array([30, 0, 0, 0, 30, 0, 0, 0, 30]);
    const masses = new Float64Array(n).fill(39.948);
    const noForces = testLennardJones({ epsilonEv: 0, sigmaA: 1, cutoffA: 2 });
    const integ = velocityVerlet(noForces, { dtFs: 1, computeStress: true });
    const s = integ.init({
      numbers: new Int32Array(n).fill(18),
      positionsA: Float64Array.from({ length: 3 * n }, () => 30 * rng.next()),
      cellA: cell,
      pbc: [true, true, true],
      massesAmu: masses,
      velocitiesAPerFs: maxwellBoltzmannVelocities(masses, 300, rng, { exactTemperature: true }),
    });
    expect(temperatureK(s)).toBeCloseTo(300, 9);
    expect(s.degreesOfFreedom).toBe(3 * n - 3);
    const vol = 27000;
    expect(pressureGpa(s) * GPA_EV_PER_A3).toBeCloseTo(((3 * n - 3) * KB_EV_PER_K * 300) / (3 * vol), 15);
    const sigma = instantaneousStressEvPerA3(s);
    expect(-(sigma[0] + sigma[4] + sigma[8]) / 3 / GPA_EV_PER_A3).toBeCloseTo(pressureGpa(s), 12);
    expect(sigma[1]).toBeCloseTo(sigma[3], 15);
  });

  it('observe() reports pressure only when the stress is computed', () => {
    const sys = fccLattice(5.26, [2, 2, 2]);
    const a = velocityVerlet(testLennardJones(ARGON_LJ), { dtFs: 2 }).init(sys);
    expect(observe(a).pressureGpa).toBeNull();
    const b = velocityVerlet(testLennardJones(ARGON_LJ), { dtFs: 2, computeStress: true }).init(sys);
    const o = observe(b);
    expect(o.pressureGpa).not.toBeNull();
    expect(o.volumeA3).toBeCloseTo(10.52 ** 3, 9);
    expect(() => pressureGpa(a)).toThrow(/computeStress/);
  });
});
