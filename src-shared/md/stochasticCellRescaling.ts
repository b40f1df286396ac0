// NPT with the stochastic cell rescaling barostat (Bernetti & Bussi, J. Chem. Phys. 153, 114107
// (2020), "Pressure control using stochastic cell rescaling"), isotropic, combined with the Bussi
// velocity-rescaling thermostat (md/bussi.ts).
//
// The barostat is a first-order (overdamped) stochastic equation for the volume, with positions
// scaled by (V'/V)^{1/3} and velocities by its inverse. In λ = √V the noise is additive
// (paper, isotropic case written in λ; reference SimpleMD implementation, "T" scheme):
//   dλ = (D/k_BT) f_λ dt + √(2D) dW,   D = k_BT β_T / (4 τ_p),
//   f_λ = −2λ (P₀ − P_int − k_BT/(2V)),   P_int = 2K/(3V) − tr(σ_pot)/3,
// β_T the (estimated) isothermal compressibility and τ_p the relaxation time: only β_T/τ_p matters
// for the dynamics, and a wrong β_T changes the relaxation speed, not the sampled ensemble. The
// stationary distribution is the isothermal-isobaric one, so ⟨P_int⟩ = P₀ and the volume
// fluctuations are right (unlike Berendsen).
//
// One step (Trotter-like, as in the authors' SimpleMD "T" implementation with velocity scaling):
//   Bussi(dt/2); v += (dt/2)F/m;
//   draw dλ from f_λ at (x, v); s = ((λ+dλ)/λ)^{2/3};
//   x ← s x + ((s + 1/s)/2) dt v;  v ← v/s;  cell ← s cell;  forces and stress at the new x;
//   v += (dt/2)F/m; Bussi(dt/2).
// Effective energy (conserved quantity) = E_pot + E_kin + P₀V + thermostat heat + barostat work,
// the barostat work per step being the overdamped-Langevin "shadow" heat
//   ½ dλ (f + f') + ¼ (D/k_BT) dt (f'² − f²) − ½ k_BT ln(V'/V)
// (f' evaluated after the move), which makes the sum drift only by discretisation error.
// Only isotropic coupling is implemented; anisotropic/triclinic SCR (Del Tatto, Raiteri, Bernetti &
// Bussi 2022) is not.
import type { Calculator } from '../calculators/calculator';
import { cellVolumeA3 } from '../atoms/frame';
import type { Rng } from '../space/rng';
import { GPA_EV_PER_A3, KB_EV_PER_K } from '../units';
import { bussiRescale } from './bussi';
import {
  endStep,
  forceEvaluator,
  initialState,
  invMassOf,
  kick,
  kineticEnergyEv,
  type CommonMdOptions,
  type Integrator,
  type MdState,
} from './state';

export interface StochasticCellRescalingOptions extends CommonMdOptions {
  temperatureK: number;
  /** Bussi thermostat relaxation time, fs. */
  thermostatTauFs: number;
  /** Target pressure P₀, GPa. */
  pressureGpa: number;
  /** Barostat relaxation time τ_p, fs (e.g. 1000 fs). */
  barostatTauFs: number;
  /**
   * Estimated isothermal compressibility β_T in 1/GPa (e.g. 0.01 for a metal, ~0.5-2 for liquid
   * argon, 0.45 for water). Only β_T/τ_p enters the dynamics. Default 0.01.
   */
  compressibilityPerGpa?: number;
  rng: Rng;
}

export function stochasticCellRescaling(calc: Calculator, options: StochasticCellRescalingOptions): Integrator {
  const { dtFs: dt, temperatureK, thermostatTauFs, barostatTauFs, rng } = options;
  if (!(dt > 0)) throw new Error(`stochasticCellRescaling: dtFs must be > 0, got ${dt}`);
  if (!(temperatureK > 0)) throw new Error(`stochasticCellRescaling: temperatureK must be > 0, got ${temperatureK}`);
  if (!(barostatTauFs > 0)) throw new Error(`stochasticCellRescaling: barostatTauFs must be > 0, got ${barostatTauFs}`);
  if (!(thermostatTauFs >= 0)) throw new Error(`stochasticCellRescaling: thermostatTauFs must be >= 0`);
  const compressibility = options.compressibilityPerGpa ?? 0.01;
  if (!(compressibility > 0)) throw new Error('stochasticCellRescaling: compressibilityPerGpa must be > 0');
  const p0 = options.pressureGpa * GPA_EV_PER_A3;
  const kT = KB_EV_PER_K * temperatureK;
  const betaT = compressibility / GPA_EV_PER_A3; // Å³/eV
  const diff = (kT * betaT) / (4 * barostatTauFs); // Å³/fs
  const evaluate = forceEvaluator(calc, true);
  const invMass = new WeakMap<MdState, Float64Array>();

  /** f_λ = −2λ(P₀ − P_int − kT/(2V)) at the current state (uses state.kineticEnergyEv). */
  function lambdaForce(state: MdState, vol: number): number {
    const s = state.stressEvPerA3!;
    const pInt = (2 * state.kineticEnergyEv) / (3 * vol) - (s[0] + s[4] + s[8]) / 3;
    return -2 * Math.sqrt(vol) * (p0 - pInt - kT / (2 * vol));
  }

  return {
    name: `NPT stochastic cell rescaling (dt=${dt} fs, T=${temperatureK} K, P=${options.pressureGpa} GPa, τ_p=${barostatTauFs} fs)`,
    dtFs: dt,
    init(system) {
      if (!system.cellA || !(system.pbc[0] && system.pbc[1] && system.pbc[2])) {
        throw new Error('stochasticCellRescaling: needs a cell periodic along all three axes');
      }
      const state = initialState(system, evaluate, options.zeroMomentum ?? true);
      state.reservoirEnergyEv = p0 * cellVolumeA3(state.cellA);
      state.conservedEnergyEv = state.potentialEnergyEv + state.kineticEnergyEv + state.reservoirEnergyEv;
      return state;
    },
    step(state) {
      const cell = state.cellA;
      if (!cell || !state.stressEvPerA3) throw new Error('stochasticCellRescaling: state has no cell or stress (init it with this integrator)');
      const im = invMassOf(invMass, state);
      const x = state.positionsA, v = state.velocitiesAPerFs;
      bussiRescale(state, rng, temperatureK, thermostatTauFs, 0.5 * dt);
      kick(state, im, 0.5 * dt);

      // barostat move from the forces on λ at (x, v(t + dt/2))
      state.kineticEnergyEv = kineticEnergyEv(state.massesAmu, v);
      const vol = cellVolumeA3(cell);
      const lambda = Math.sqrt(vol);
      const f = lambdaForce(state, vol);
      const dLambda = (diff / kT) * f * dt + Math.sqrt(2 * diff * dt) * rng.normal();
      if (!(lambda + dLambda > 0)) throw new Error('stochasticCellRescaling: volume move collapsed the cell (time step or β_T/τ_p too large)');
      const s = Math.pow(1 + dLambda / lambda, 2 / 3);
      const r2 = 0.5 * (s + 1 / s) * dt;
      for (let q = 0; q < x.length; q++) {
        x[q] = s * x[q] + r2 * v[q];
        v[q] /= s;
      }
      for (let k = 0; k < 9; k++) cell[k] *= s;
      evaluate(state);
      state.kineticEnergyEv = kineticEnergyEv(state.massesAmu, v);
      const vol1 = cellVolumeA3(cell);
      const f1 = lambdaForce(state, vol1);
      state.reservoirEnergyEv +=
        0.5 * dLambda * (f + f1) + 0.25 * (diff / kT) * dt * (f1 * f1 - f * f) - 0.5 * kT * Math.log(vol1 / vol) + p0 * (vol1 - vol);

      kick(state, im, 0.5 * dt);
      bussiRescale(state, rng, temperatureK, thermostatTauFs, 0.5 * dt);
      return endStep(state, dt);
    },
  };
}
