// Langevin dynamics with the BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res. Express
// 2013, 34; "Rational construction of stochastic numerical methods for molecular sampling"):
//   B: v += (dt/2) F/m          A: x += (dt/2) v
//   O: v ← c v + √((1 − c²) k_B T / m) ξ,   c = exp(−γ dt),  ξ ~ N(0, 1)   (exact OU solution)
//   A: x += (dt/2) v            [forces]     B: v += (dt/2) F/m
// The O step samples the Ornstein-Uhlenbeck process exactly, so the configurational distribution
// has only O(dt²) error (exact for harmonic potentials); γ is the friction in 1/fs (JAX-MD
// simulate.nvt_langevin uses the same splitting; ASE's Langevin uses a different scheme).
//
// Conserved quantity ("effective energy", Bussi & Parrinello, Phys. Rev. E 75, 056707 (2007)):
// E_pot + E_kin + Σ (K before O − K after O). The thermostat's heat is tracked exactly, so what
// drifts is only the discretisation ("shadow") work of the deterministic part.
//
// Momentum: the O step alone would random-walk the total momentum. With `zeroMomentum` (default)
// the COM velocity is removed after each O step; since the B and A steps conserve momentum and
// the projection is orthogonal in mass-weighted coordinates, the other 3N − 3 degrees of freedom
// are sampled exactly as before (ASE Langevin fixcm=True does the same).
import type { Calculator } from '../calculators/calculator';
import type { Rng } from '../space/rng';
import { AMU_EV_FS2_PER_A2, KB_EV_PER_K } from '../units';
import {
  drift,
  endStep,
  forceEvaluator,
  initialState,
  invMassOf,
  kick,
  kineticEnergyEv,
  removeComVelocity,
  type CommonMdOptions,
  type Integrator,
  type MdState,
} from './state';

export interface LangevinOptions extends CommonMdOptions {
  temperatureK: number;
  /** Friction γ in 1/fs (e.g. 0.01 = 1/(100 fs)). */
  frictionPerFs: number;
  rng: Rng;
}

export function langevin(calc: Calculator, options: LangevinOptions): Integrator {
  const { dtFs: dt, temperatureK, frictionPerFs: gamma, rng } = options;
  if (!(dt > 0)) throw new Error(`langevin: dtFs must be > 0, got ${dt}`);
  if (!(gamma >= 0)) throw new Error(`langevin: frictionPerFs must be >= 0, got ${gamma}`);
  if (!(temperatureK >= 0)) throw new Error(`langevin: temperatureK must be >= 0, got ${temperatureK}`);
  const zeroMomentum = options.zeroMomentum ?? true;
  const evaluate = forceEvaluator(calc, options.computeStress ?? false);
  const invMass = new WeakMap<MdState, Float64Array>();
  const c1 = Math.exp(-gamma * dt);
  const c2 = Math.sqrt(1 - c1 * c1);
  const kT = KB_EV_PER_K * temperatureK;
  const sdCache = new WeakMap<MdState, Float64Array>();

  function sdOf(state: MdState): Float64Array {
    let s = sdCache.get(state);
    if (!s) {
      s = Float64Array.from(state.massesAmu, (m) => c2 * Math.sqrt(kT / (m * AMU_EV_FS2_PER_A2)));
      sdCache.set(state, s);
    }
    return s;
  }

  return {
    name: `Langevin BAOAB (dt=${dt} fs, T=${temperatureK} K, γ=${gamma} 1/fs)`,
    dtFs: dt,
    init: (system) => initialState(system, evaluate, zeroMomentum),
    step(state) {
      const im = invMassOf(invMass, state);
      const sd = sdOf(state);
      const v = state.velocitiesAPerFs;
      kick(state, im, 0.5 * dt);
      drift(state, 0.5 * dt);
      const kBefore = kineticEnergyEv(state.massesAmu, v);
      for (let i = 0; i < sd.length; i++) {
        const s = sd[i];
        v[3 * i] = c1 * v[3 * i] + s * rng.normal();
        v[3 * i + 1] = c1 * v[3 * i + 1] + s * rng.normal();
        v[3 * i + 2] = c1 * v[3 * i + 2] + s * rng.normal();
      }
      if (zeroMomentum) removeComVelocity(state.massesAmu, v);
      state.reservoirEnergyEv += kBefore - kineticEnergyEv(state.massesAmu, v);
      drift(state, 0.5 * dt);
      evaluate(state);
      kick(state, im, 0.5 * dt);
      state.kineticEnergyEv = kineticEnergyEv(state.massesAmu, v);
      return endStep(state, dt);
    },
  };
}
