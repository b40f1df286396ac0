// Nosé-Hoover chain thermostat (Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992)),
// integrated with the Trotter factorisation of Martyna, Tuckerman, Tobias & Klein, Mol. Phys.
// 87, 1117 (1996) ("MTK"): exp(iL dt) ≈ NHC(dt/2) · VelocityVerlet(dt) · NHC(dt/2), where each
// NHC(dt/2) is split into n_c substeps with Suzuki-Yoshida weights w_j (order 1, 3 or 5).
//
// Equations of motion, chain length M, thermostat "positions" ξ_k and velocities v_k = dξ_k/dt:
//   dv/dt = F/m − v₁ v,   dv₁/dt = G₁ − v₂ v₁, ..., dv_M/dt = G_M,
//   G₁ = (2K − N_f k_B T)/Q₁,   G_k = (Q_{k−1} v_{k−1}² − k_B T)/Q_k,
// with masses Q₁ = N_f k_B T τ², Q_k = k_B T τ² (MTK 1996; JAX-MD simulate.nvt_nose_hoover uses
// the same choice, τ ~ 100 dt). One substep of length δ updates, in this order (a palindrome):
// v_M by δ/2; v_{M−1} … v₁ each as "scale by e^{−v_{k+1} δ/4}, kick δ/2 G_k, scale";
// all ξ_k += δ v_k; particle velocities scaled by e^{−v₁ δ}; then v₁ … v_M in reverse.
//
// Conserved quantity: E_pot + E_kin + Σ_k Q_k v_k²/2 + N_f k_B T ξ₁ + k_B T Σ_{k≥2} ξ_k.
// Deterministic and time-reversible; it samples the canonical ensemble when the dynamics is
// ergodic (chains of 3 or more cure the non-ergodicity of a single Nosé-Hoover thermostat for
// most systems, though not for a set of identical harmonic oscillators).
import type { Calculator } from '../calculators/calculator';
import { KB_EV_PER_K } from '../units';
import {
  drift,
  endStep,
  forceEvaluator,
  initialState,
  invMassOf,
  kick,
  kineticEnergyEv,
  scaleVelocities,
  type ChainState,
  type CommonMdOptions,
  type Integrator,
  type MdState,
} from './state';

export interface NoseHooverChainOptions extends CommonMdOptions {
  temperatureK: number;
  /** Thermostat period τ in fs (sets the chain masses). Default 100 dt. */
  tauFs?: number;
  /** Chain length M, default 3. */
  chainLength?: number;
  /** Substeps n_c per half step, default 1. */
  chainSteps?: number;
  /** Suzuki-Yoshida order: 1 (no splitting), 3 or 5. Default 1 (3 is a good choice for stiff chains). */
  suzukiYoshidaOrder?: 1 | 3 | 5;
}

/** Suzuki-Yoshida weights (Yoshida, Phys. Lett. A 150, 262 (1990); MTK 1996 Table). */
export function suzukiYoshidaWeights(order: 1 | 3 | 5): number[] {
  if (order === 1) return [1];
  if (order === 3) {
    const w = 1 / (2 - Math.cbrt(2));
    return [w, 1 - 2 * w, w];
  }
  if (order === 5) {
    const w = 1 / (4 - Math.cbrt(4));
    return [w, w, 1 - 4 * w, w, w];
  }
  throw new Error(`suzukiYoshidaWeights: order must be 1, 3 or 5, got ${order}`);
}

/** Σ Q v²/2 + N_f kT ξ₁ + kT Σ_{k≥2} ξ_k, eV. */
export function chainEnergyEv(chain: ChainState, degreesOfFreedom: number, temperatureK: number): number {
  const kT = KB_EV_PER_K * temperatureK;
  let e = 0;
  for (let k = 0; k < chain.positions.length; k++) {
    e += 0.5 * chain.massesEvFs2[k] * chain.velocitiesPerFs[k] ** 2;
    e += (k === 0 ? degreesOfFreedom * kT : kT) * chain.positions[k];
  }
  return e;
}

export function noseHooverChain(calc: Calculator, options: NoseHooverChainOptions): Integrator {
  const { dtFs: dt, temperatureK } = options;
  if (!(dt > 0)) throw new Error(`noseHooverChain: dtFs must be > 0, got ${dt}`);
  if (!(temperatureK > 0)) throw new Error(`noseHooverChain: temperatureK must be > 0, got ${temperatureK}`);
  const tau = options.tauFs ?? 100 * dt;
  const M = options.chainLength ?? 3;
  const nc = options.chainSteps ?? 1;
  if (!(tau > 0) || !(M >= 1) || !(nc >= 1)) throw new Error('noseHooverChain: need tauFs > 0, chainLength >= 1, chainSteps >= 1');
  const weights = suzukiYoshidaWeights(options.suzukiYoshidaOrder ?? 1);
  const kT = KB_EV_PER_K * temperatureK;
  const evaluate = forceEvaluator(calc, options.computeStress ?? false);
  const invMass = new WeakMap<MdState, Float64Array>();

  /** G_k: the "force" on thermostat k (1/fs²), given the current particle kinetic energy. */
  function chainForce(k: number, Q: Float64Array, vx: Float64Array, kineticEv: number, nf: number): number {
    return k === 0 ? (2 * kineticEv - nf * kT) / Q[0] : (Q[k - 1] * vx[k - 1] * vx[k - 1] - kT) / Q[k];
  }

  /** exp(iL_NHC h): propagate the chain over h and scale the particle velocities. */
  function chainHalfStep(state: MdState, h: number): void {
    const ch = state.chain!;
    const xi = ch.positions, vx = ch.velocitiesPerFs, Q = ch.massesEvFs2;
    const nf = state.degreesOfFreedom;
    const k0 = kineticEnergyEv(state.massesAmu, state.velocitiesAPerFs);
    let scale = 1;
    for (let j = 0; j < weights.length; j++) {
      const d = (weights[j] * h) / nc;
      for (let s = 0; s < nc; s++) {
        // backward sweep: v_M, then v_{M-1} ... v_1
        vx[M - 1] += 0.5 * d * chainForce(M - 1, Q, vx, k0 * scale * scale, nf);
        for (let k = M - 2; k >= 0; k--) {
          const e = Math.exp(-0.25 * d * vx[k + 1]);
          vx[k] = (vx[k] * e + 0.5 * d * chainForce(k, Q, vx, k0 * scale * scale, nf)) * e;
        }
        for (let k = 0; k < M; k++) xi[k] += d * vx[k];
        scale *= Math.exp(-d * vx[0]);
        // forward sweep: v_1 ... v_{M-1}, then v_M
        for (let k = 0; k < M - 1; k++) {
          const e = Math.exp(-0.25 * d * vx[k + 1]);
          vx[k] = (vx[k] * e + 0.5 * d * chainForce(k, Q, vx, k0 * scale * scale, nf)) * e;
        }
        vx[M - 1] += 0.5 * d * chainForce(M - 1, Q, vx, k0 * scale * scale, nf);
      }
    }
    scaleVelocities(state, scale);
    state.kineticEnergyEv = k0 * scale * scale;
  }

  return {
    name: `Nosé-Hoover chain (dt=${dt} fs, T=${temperatureK} K, τ=${tau} fs, M=${M})`,
    dtFs: dt,
    init(system) {
      const state = initialState(system, evaluate, options.zeroMomentum ?? true);
      const Q = new Float64Array(M).fill(kT * tau * tau);
      Q[0] *= state.degreesOfFreedom;
      // the chain starts at rest at ξ = 0: its energy, and so the reservoir term, is 0
      state.chain = { positions: new Float64Array(M), velocitiesPerFs: new Float64Array(M), massesEvFs2: Q };
      return state;
    },
    step(state) {
      if (!state.chain) throw new Error('noseHooverChain: state has no chain (init it with this integrator)');
      const im = invMassOf(invMass, state);
      chainHalfStep(state, 0.5 * dt);
      kick(state, im, 0.5 * dt);
      drift(state, dt);
      evaluate(state);
      kick(state, im, 0.5 * dt);
      chainHalfStep(state, 0.5 * dt);
      state.reservoirEnergyEv = chainEnergyEv(state.chain, state.degreesOfFreedom, temperatureK);
      return endStep(state, dt);
    },
  };
}
