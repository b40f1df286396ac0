// Instantaneous observables of an MD state.
//  - Temperature T = 2K / (N_f k_B), N_f = state.degreesOfFreedom (3N − 3 when the COM momentum
//    is removed).
//  - Stress including the ideal-gas (kinetic) part, ASE sign (Atoms.get_stress(include_ideal_gas=
//    True)): σ = σ_pot − (1/V) Σ_i m_i v_i ⊗ v_i, with σ_pot = (1/V) ∂E/∂ε from the calculator.
//  - Pressure P = −tr(σ)/3 = −tr(σ_pot)/3 + 2K/(3V) (virial theorem; = −tr(σ_pot)/3 + N k_B T/V for
//    N_f = 3N). Reported in GPa at the boundary; eV/Å³ inside.
import { cellVolumeA3 } from '../atoms/frame';
import { AMU_EV_FS2_PER_A2, evPerA3ToGpa } from '../units';
import { temperatureFromKineticK, type MdState } from './state';

/** Instantaneous temperature, K. */
export function temperatureK(state: MdState): number {
  return temperatureFromKineticK(state.kineticEnergyEv, state.degreesOfFreedom);
}

/** Cell volume, Å³ (0 in free space). */
export function volumeA3(state: MdState): number {
  return cellVolumeA3(state.cellA);
}

/**
 * Full instantaneous stress [9] eV/Å³ (potential + kinetic), ASE sign, into `out`.
 * Needs state.stressEvPerA3 (integrators compute it with `computeStress`, NPT always).
 */
export function instantaneousStressEvPerA3(state: MdState, out: Float64Array = new Float64Array(9)): Float64Array {
  const vol = volumeA3(state);
  if (!state.stressEvPerA3 || !(vol > 0)) throw new Error('instantaneousStress: needs a periodic cell and the potential stress (computeStress)');
  out.set(state.stressEvPerA3);
  const v = state.velocitiesAPerFs, m = state.massesAmu;
  for (let i = 0; i < m.length; i++) {
    const c = (m[i] * AMU_EV_FS2_PER_A2) / vol;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[3 * a + b] -= c * v[3 * i + a] * v[3 * i + b];
  }
  return out;
}

/** P = −tr(σ_pot)/3 + 2K/(3V), eV/Å³. */
export function pressureEvPerA3(state: MdState): number {
  const vol = volumeA3(state);
  if (!state.stressEvPerA3 || !(vol > 0)) throw new Error('pressure: needs a periodic cell and the potential stress (computeStress)');
  const s = state.stressEvPerA3;
  return -(s[0] + s[4] + s[8]) / 3 + (2 * state.kineticEnergyEv) / (3 * vol);
}

/** Pressure in GPa (see pressureEvPerA3). */
export function pressureGpa(state: MdState): number {
  return evPerA3ToGpa(pressureEvPerA3(state));
}

/** A flat record of the usual per-step observables (units in the keys), for logs and the UI. */
export interface MdObservables {
  step: number;
  timeFs: number;
  potentialEnergyEv: number;
  kineticEnergyEv: number;
  conservedEnergyEv: number;
  temperatureK: number;
  /** null without a periodic cell and stress. */
  pressureGpa: number | null;
  volumeA3: number;
}

export function observe(state: MdState): MdObservables {
  const vol = volumeA3(state);
  return {
    step: state.step,
    timeFs: state.timeFs,
    potentialEnergyEv: state.potentialEnergyEv,
    kineticEnergyEv: state.kineticEnergyEv,
    conservedEnergyEv: state.conservedEnergyEv,
    temperatureK: temperatureK(state),
    pressureGpa: state.stressEvPerA3 && vol > 0 ? pressureGpa(state) : null,
    volumeA3: vol,
  };
}
