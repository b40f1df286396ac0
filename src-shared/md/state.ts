// The MD state and what every integrator shares (JAX-MD jax_md/simulate.py style: an integrator is
// a pair of functions `init(system) -> state` and `step(state) -> state`).
//
// Differences from JAX-MD, on purpose: the state is a plain object of flat Float64Arrays that
// `step` updates IN PLACE and returns (no allocation per step: forces are written into the
// calculator's `out` arrays, which are the state's own arrays), and every state carries the
// conserved quantity of its ensemble so a drift of it can be measured (md/drift.ts).
//
// Units: positions Å, velocities Å/fs, forces eV/Å, masses amu, time fs, energies eV.
// Newton: a = F / (m · AMU_EV_FS2_PER_A2) in Å/fs². Kinetic energy K = ½ Σ m v² · AMU_EV_FS2_PER_A2.
//
// Conserved quantity (`conservedEnergyEv`) = potential + kinetic + `reservoirEnergyEv`, where the
// reservoir term is the integrator's bookkeeping: 0 for NVE; the accumulated heat the thermostat
// took out for Langevin / Bussi (Bussi, Donadio & Parrinello 2007, "effective energy"); the chain
// energy Σ Q v_ξ²/2 + N_f kT ξ₁ + kT Σ ξ_k for Nosé-Hoover chains; P₀V plus the barostat's
// work for stochastic cell rescaling. Any drift of it is integration error.
import type { AtomicSystem, CalcResult, Calculator } from '../calculators/calculator';
import { massAmu } from '../atoms/elements';
import { AMU_EV_FS2_PER_A2, KB_EV_PER_K } from '../units';

/** Input to an integrator's init: a structure, optionally with masses and velocities. */
export interface MdSystem extends AtomicSystem {
  /** [N] amu; default from the element table. */
  massesAmu?: Float64Array;
  /** [3N] Å/fs; default zero. */
  velocitiesAPerFs?: Float64Array;
}

/** Nosé-Hoover chain variables (md/noseHooverChain.ts). */
export interface ChainState {
  /** [M] thermostat positions ξ_k (dimensionless). */
  positions: Float64Array;
  /** [M] thermostat velocities v_ξk = dξ/dt, 1/fs. */
  velocitiesPerFs: Float64Array;
  /** [M] thermostat masses Q_k, eV fs². */
  massesEvFs2: Float64Array;
}

export interface MdState extends AtomicSystem {
  numbers: Int32Array;
  /** [3N] Å, unwrapped (never wrapped by the integrators). */
  positionsA: Float64Array;
  /** [9] cell rows (Å), or null in free space. Changed in place by barostats. */
  cellA: Float64Array | null;
  /** [3N] Å/fs. */
  velocitiesAPerFs: Float64Array;
  /** [3N] eV/Å at the current positions. */
  forcesEvPerA: Float64Array;
  /** [N] amu. */
  massesAmu: Float64Array;
  /** [9] eV/Å³ potential (virial) stress at the current positions, ASE sign; null unless computed. */
  stressEvPerA3: Float64Array | null;
  timeFs: number;
  step: number;
  potentialEnergyEv: number;
  kineticEnergyEv: number;
  /** 3N − 3 when the centre-of-mass momentum is removed (and kept zero), else 3N. */
  degreesOfFreedom: number;
  /** Thermostat / barostat bookkeeping: conservedEnergyEv − potentialEnergyEv − kineticEnergyEv. */
  reservoirEnergyEv: number;
  /** The ensemble's conserved quantity (see the header comment). */
  conservedEnergyEv: number;
  /** Present for Nosé-Hoover chains. */
  chain?: ChainState;
}

export interface Integrator {
  /** Short description with the parameters, for logs and the UI. */
  readonly name: string;
  readonly dtFs: number;
  /** Copy the system into a fresh state (inputs are never aliased) and compute forces. */
  init(system: MdSystem): MdState;
  /** Advance one time step in place; returns the same state object. */
  step(state: MdState): MdState;
}

/** Options every integrator accepts. */
export interface CommonMdOptions {
  dtFs: number;
  /**
   * Remove the centre-of-mass velocity at init (and keep it zero where the thermostat could
   * change it); temperature then counts 3N − 3 degrees of freedom. Default true.
   */
  zeroMomentum?: boolean;
  /** Compute the stress every step (state.stressEvPerA3), for pressure output. Default false. */
  computeStress?: boolean;
}

/** K = ½ Σ m v², eV. */
export function kineticEnergyEv(massesAmu: ArrayLike<number>, velocitiesAPerFs: ArrayLike<number>): number {
  let k = 0;
  const n = massesAmu.length;
  for (let i = 0; i < n; i++) {
    const vx = velocitiesAPerFs[3 * i], vy = velocitiesAPerFs[3 * i + 1], vz = velocitiesAPerFs[3 * i + 2];
    k += massesAmu[i] * (vx * vx + vy * vy + vz * vz);
  }
  return 0.5 * AMU_EV_FS2_PER_A2 * k;
}

/** T = 2K / (N_f k_B), K. */
export function temperatureFromKineticK(kineticEv: number, degreesOfFreedom: number): number {
  return degreesOfFreedom > 0 ? (2 * kineticEv) / (degreesOfFreedom * KB_EV_PER_K) : 0;
}

/** Subtract the centre-of-mass velocity in place (mass-weighted): total momentum becomes zero. */
export function removeComVelocity(massesAmu: ArrayLike<number>, velocitiesAPerFs: Float64Array): void {
  const n = massesAmu.length;
  let px = 0, py = 0, pz = 0, m = 0;
  for (let i = 0; i < n; i++) {
    const mi = massesAmu[i];
    px += mi * velocitiesAPerFs[3 * i];
    py += mi * velocitiesAPerFs[3 * i + 1];
    pz += mi * velocitiesAPerFs[3 * i + 2];
    m += mi;
  }
  if (!(m > 0)) return;
  px /= m; py /= m; pz /= m;
  for (let i = 0; i < n; i++) {
    velocitiesAPerFs[3 * i] -= px;
    velocitiesAPerFs[3 * i + 1] -= py;
    velocitiesAPerFs[3 * i + 2] -= pz;
  }
}

/** Total momentum [3], amu Å/fs. */
export function totalMomentum(massesAmu: ArrayLike<number>, velocitiesAPerFs: ArrayLike<number>): [number, number, number] {
  let px = 0, py = 0, pz = 0;
  for (let i = 0; i < massesAmu.length; i++) {
    px += massesAmu[i] * velocitiesAPerFs[3 * i];
    py += massesAmu[i] * velocitiesAPerFs[3 * i + 1];
    pz += massesAmu[i] * velocitiesAPerFs[3 * i + 2];
  }
  return [px, py, pz];
}

/** Degrees of freedom for N atoms with or without the centre-of-mass momentum removed. */
export function degreesOfFreedomFor(nAtoms: number, zeroMomentum: boolean): number {
  return zeroMomentum && nAtoms > 1 ? 3 * nAtoms - 3 : 3 * nAtoms;
}

/**
 * A reusable force call: writes energy, forces (and stress when `withStress`) into the state's own
 * arrays through the calculator's `out` argument, so the MD loop allocates nothing.
 */
export function forceEvaluator(calc: Calculator, withStress: boolean): (state: MdState) => void {
  const out: CalcResult = { energyEv: 0 };
  const req = { forces: true, stress: withStress };
  return (state) => {
    out.forcesEvPerA = state.forcesEvPerA;
    out.stressEvPerA3 = state.stressEvPerA3 ?? undefined;
    const r = calc.compute(state, req, out);
    if (r.forcesEvPerA !== state.forcesEvPerA) {
      if (!r.forcesEvPerA) throw new Error(`${calc.name}: no forces returned`);
      state.forcesEvPerA.set(r.forcesEvPerA);
    }
    if (withStress) {
      if (!r.stressEvPerA3) throw new Error(`${calc.name}: no stress returned (needed for pressure)`);
      if (!state.stressEvPerA3) state.stressEvPerA3 = new Float64Array(9);
      if (r.stressEvPerA3 !== state.stressEvPerA3) state.stressEvPerA3.set(r.stressEvPerA3);
    }
    state.potentialEnergyEv = r.energyEv;
  };
}

/**
 * Build the initial state shared by all integrators: copies the inputs, fills default masses and
 * zero velocities, removes the COM velocity when asked, computes forces (and stress).
 */
export function initialState(system: MdSystem, evaluate: (s: MdState) => void, zeroMomentum: boolean): MdState {
  const n = system.numbers.length;
  if (system.positionsA.length !== 3 * n) throw new Error('MD init: positionsA must have length 3N');
  const masses = system.massesAmu ? Float64Array.from(system.massesAmu) : Float64Array.from(system.numbers, (z) => massAmu(z));
  if (masses.length !== n) throw new Error('MD init: massesAmu must have length N');
  for (let i = 0; i < n; i++) if (!(masses[i] > 0)) throw new Error(`MD init: atom ${i} has mass ${masses[i]} amu`);
  const v = system.velocitiesAPerFs ? Float64Array.from(system.velocitiesAPerFs) : new Float64Array(3 * n);
  if (v.length !== 3 * n) throw new Error('MD init: velocitiesAPerFs must have length 3N');
  if (zeroMomentum) removeComVelocity(masses, v);
  const state: MdState = {
    numbers: Int32Array.from(system.numbers),
    positionsA: Float64Array.from(system.positionsA),
    cellA: system.cellA ? Float64Array.from(system.cellA) : null,
    pbc: [system.pbc[0], system.pbc[1], system.pbc[2]],
    velocitiesAPerFs: v,
    forcesEvPerA: new Float64Array(3 * n),
    massesAmu: masses,
    stressEvPerA3: null,
    timeFs: 0,
    step: 0,
    potentialEnergyEv: 0,
    kineticEnergyEv: kineticEnergyEv(masses, v),
    degreesOfFreedom: degreesOfFreedomFor(n, zeroMomentum),
    reservoirEnergyEv: 0,
    conservedEnergyEv: 0,
  };
  evaluate(state);
  state.conservedEnergyEv = state.potentialEnergyEv + state.kineticEnergyEv;
  return state;
}

/** [N] 1 / (m · AMU_EV_FS2_PER_A2): multiply a force (eV/Å) to get an acceleration (Å/fs²). */
export function inverseMasses(massesAmu: ArrayLike<number>): Float64Array {
  return Float64Array.from(massesAmu as ArrayLike<number>, (m) => 1 / (m * AMU_EV_FS2_PER_A2));
}

/** v += h · F / m for all atoms (a velocity-Verlet "B" half kick with h = dt/2). */
export function kick(state: MdState, invMass: Float64Array, hFs: number): void {
  const v = state.velocitiesAPerFs, f = state.forcesEvPerA;
  const n = invMass.length;
  for (let i = 0; i < n; i++) {
    const c = hFs * invMass[i];
    v[3 * i] += c * f[3 * i];
    v[3 * i + 1] += c * f[3 * i + 1];
    v[3 * i + 2] += c * f[3 * i + 2];
  }
}

/** x += h · v (a position "A" drift). */
export function drift(state: MdState, hFs: number): void {
  const x = state.positionsA, v = state.velocitiesAPerFs;
  for (let q = 0; q < x.length; q++) x[q] += hFs * v[q];
}

/** v *= s for all velocities. */
export function scaleVelocities(state: MdState, s: number): void {
  const v = state.velocitiesAPerFs;
  for (let q = 0; q < v.length; q++) v[q] *= s;
}

/** Close a step: conserved quantity from the current energies, time and step counter advanced. */
export function endStep(state: MdState, dtFs: number): MdState {
  state.conservedEnergyEv = state.potentialEnergyEv + state.kineticEnergyEv + state.reservoirEnergyEv;
  state.timeFs += dtFs;
  state.step++;
  return state;
}

/** Per-atom inverse masses cached on first use for a state (masses never change in a run). */
export function invMassOf(cache: WeakMap<MdState, Float64Array>, state: MdState): Float64Array {
  let m = cache.get(state);
  if (!m || m.length !== state.massesAmu.length) {
    m = inverseMasses(state.massesAmu);
    cache.set(state, m);
  }
  return m;
}
