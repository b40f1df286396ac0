// Maxwell-Boltzmann initial velocities: each Cartesian component v_iα ~ N(0, k_B T / m_i)
// (the canonical momentum distribution; ASE ase/md/velocitydistribution.py
// MaxwellBoltzmannDistribution, Stationary, force_temperature). Drawn from an explicit seeded
// generator, so the same seed gives the same velocities on every platform.
//
// With `zeroMomentum` (default) the centre-of-mass velocity is subtracted afterwards; the
// remaining 3N − 3 degrees of freedom are still exactly canonical (subtracting the COM velocity is
// the orthogonal projection in mass-weighted coordinates), so the expected kinetic energy is
// (3N − 3) k_B T / 2 and the temperature is measured with N_f = 3N − 3. With `exactTemperature`
// the velocities are then scaled so that the instantaneous temperature is exactly T.
import type { Rng } from '../space/rng';
import { AMU_EV_FS2_PER_A2, KB_EV_PER_K } from '../units';
import { degreesOfFreedomFor, kineticEnergyEv, removeComVelocity, temperatureFromKineticK } from './state';

export interface MaxwellBoltzmannOptions {
  /** Subtract the centre-of-mass velocity (default true). */
  zeroMomentum?: boolean;
  /** Rescale to exactly temperatureK (default false). */
  exactTemperature?: boolean;
  /** [3N] array to write into (allocated when absent). */
  out?: Float64Array;
}

/**
 * [3N] velocities in Å/fs for masses [N] amu at temperatureK, from `rng`.
 */
export function maxwellBoltzmannVelocities(
  massesAmu: ArrayLike<number>,
  temperatureK: number,
  rng: Rng,
  options: MaxwellBoltzmannOptions = {},
): Float64Array {
  if (!(temperatureK >= 0)) throw new Error(`maxwellBoltzmannVelocities: temperatureK must be >= 0, got ${temperatureK}`);
  const n = massesAmu.length;
  const v = options.out ?? new Float64Array(3 * n);
  if (v.length !== 3 * n) throw new Error('maxwellBoltzmannVelocities: out must have length 3N');
  const kT = KB_EV_PER_K * temperatureK;
  for (let i = 0; i < n; i++) {
    const sd = Math.sqrt(kT / (massesAmu[i] * AMU_EV_FS2_PER_A2));
    v[3 * i] = sd * rng.normal();
    v[3 * i + 1] = sd * rng.normal();
    v[3 * i + 2] = sd * rng.normal();
  }
  const zero = options.zeroMomentum ?? true;
  if (zero) removeComVelocity(massesAmu, v);
  if (options.exactTemperature && temperatureK > 0) {
    const t = temperatureFromKineticK(kineticEnergyEv(massesAmu, v), degreesOfFreedomFor(n, zero));
    if (t > 0) {
      const s = Math.sqrt(temperatureK / t);
      for (let q = 0; q < 3 * n; q++) v[q] *= s;
    }
  }
  return v;
}
