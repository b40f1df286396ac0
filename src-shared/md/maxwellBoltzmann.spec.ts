// Maxwell-Boltzmann initial velocities: zero momentum, the right temperature (per-component
// variance k_B T / m for every mass), exact rescaling, and seeded reproducibility.
import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { AMU_EV_FS2_PER_A2, KB_EV_PER_K } from '../units';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { degreesOfFreedomFor, kineticEnergyEv, temperatureFromKineticK, totalMomentum } from './state';

const n = 6000;
// two species, argon and helium, to check the mass dependence
const masses = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 39.948 : 4.0026));

describe('maxwellBoltzmannVelocities', () => {
  it('has zero total momentum and the target temperature within statistical error', () => {
    const T = 300;
    const v = maxwellBoltzmannVelocities(masses, T, createRng(42));
    const p = totalMomentum(masses, v);
    expect(Math.max(...p.map(Math.abs))).toBeLessThan(1e-10);
    const t = temperatureFromKineticK(kineticEnergyEv(masses, v), degreesOfFreedomFor(n, true));
    // 2K/(N_f kT) ~ χ²_{N_f}/N_f: relative sd √(2/N_f) = 0.0105
    expect(Math.abs(t / T - 1)).toBeLessThan(4 * Math.sqrt(2 / (3 * n - 3)));
  });

  it('gives each species the variance k_B T / m per component', () => {
    const T = 500;
    const v = maxwellBoltzmannVelocities(masses, T, createRng(7), { zeroMomentum: false });
    for (const parity of [0, 1]) {
      let s2 = 0, c = 0;
      for (let i = parity; i < n; i += 2) for (let a = 0; a < 3; a++) {
        s2 += v[3 * i + a] ** 2;
        c++;
      }
      const expected = (KB_EV_PER_K * T) / (masses[parity] * AMU_EV_FS2_PER_A2);
      expect(Math.abs(s2 / c / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / c));
    }
  });

  it('can rescale to exactly the target temperature', () => {
    const v = maxwellBoltzmannVelocities(masses.subarray(0, 10), 77, createRng(1), { exactTemperature: true });
    const t = temperatureFromKineticK(kineticEnergyEv(masses.subarray(0, 10), v), 27);
    expect(t).toBeCloseTo(77, 10);
    const p = totalMomentum(masses.subarray(0, 10), v);
    expect(Math.max(...p.map(Math.abs))).toBeLessThan(1e-13);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = maxwellBoltzmannVelocities(masses, 300, createRng(123));
    const b = maxwellBoltzmannVelocities(masses, 300, createRng(123));
    const c = maxwellBoltzmannVelocities(masses, 300, createRng(124));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[0]).not.toBe(c[0]);
  });

  it('writes into `out` and gives zeros at 0 K', () => {
    const out = new Float64Array(30);
    const v = maxwellBoltzmannVelocities(masses.subarray(0, 10), 0, createRng(1), { out });
    expect(v).toBe(out);
    expect(Array.from(v).every((x) => x === 0)).toBe(true);
    expect(() => maxwellBoltzmannVelocities(masses, -1, createRng(1))).toThrow();
  });
});
