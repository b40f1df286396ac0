// Stochastic velocity rescaling thermostat (Bussi, Donadio & Parrinello, J. Chem. Phys. 126,
// 014101 (2007), "Canonical sampling through velocity rescaling"). All velocities are multiplied
// by one factor α chosen so that the kinetic energy K follows the stochastic differential equation
//   dK = (K̄ − K) dt/τ + 2 √(K K̄ / N_f) dW/√τ,   K̄ = N_f k_B T / 2,
// whose stationary distribution is the canonical P(K) ∝ K^(N_f/2 − 1) e^(−K/k_BT). Over a time
// h the exact solution is (paper, appendix):
//   K' = K + (1 − c)(K̄ (R₁² + Σ_{i=2}^{N_f} R_i²)/N_f − K) + 2 R₁ √(c (1 − c) K K̄ / N_f),
// c = exp(−h/τ), R_i ~ N(0, 1). The sum of N_f − 1 squared Gaussians is drawn in O(1) as in the
// paper's appendix: 2·Gamma((N_f − 1)/2) (one extra R² when N_f − 1 is odd), with the gamma
// deviate of Marsaglia & Tsang (ACM TOMS 26, 363 (2000)), which is exact.
//
// Integration: half a thermostat step, velocity Verlet, half a thermostat step (the symmetric
// Trotter splitting used in the reference SimpleMD code of the authors). Conserved quantity
// ("effective energy", the paper's H̃): E_pot + E_kin + Σ (K before − K after) of every rescaling;
// the rescaling is exact, so H̃ drifts only by the Verlet integration error.
// The rescaling keeps a zero total momentum zero, so N_f = 3N − 3 with `zeroMomentum`.
import type { Calculator } from '../calculators/calculator';
import type { Rng } from '../space/rng';
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
  type CommonMdOptions,
  type Integrator,
  type MdState,
} from './state';

/** Gamma(shape, 1) deviate (Marsaglia & Tsang 2000; shape < 1 via the u^(1/a) boost). */
export function gammaDeviate(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new Error(`gammaDeviate: shape must be > 0, got ${shape}`);
  if (shape < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return gammaDeviate(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Σ_{i=1}^{n} R_i² for n independent standard normals (a χ²_n deviate), as in Bussi et al.'s appendix. */
export function sumOfSquaredGaussians(rng: Rng, n: number): number {
  if (n <= 0) return 0;
  if (n === 1) {
    const r = rng.normal();
    return r * r;
  }
  if (n % 2 === 0) return 2 * gammaDeviate(rng, n / 2);
  const r = rng.normal();
  return 2 * gammaDeviate(rng, (n - 1) / 2) + r * r;
}

/**
 * The exact propagation of the kinetic energy over a time hFs (the paper's appendix).
 * @param kineticEv current K, eV
 * @param targetEv K̄ = N_f k_B T / 2, eV
 * @param nDof N_f
 * @param tauFs relaxation time τ (fs); τ = 0 resamples K from the canonical distribution
 */
export function resampleKineticEnergy(rng: Rng, kineticEv: number, targetEv: number, nDof: number, hFs: number, tauFs: number): number {
  const c = tauFs > 0 ? Math.exp(-hFs / tauFs) : 0;
  const r1 = rng.normal();
  const sum = sumOfSquaredGaussians(rng, nDof - 1);
  return (
    kineticEv +
    (1 - c) * ((targetEv * (sum + r1 * r1)) / nDof - kineticEv) +
    2 * r1 * Math.sqrt((c * (1 - c) * kineticEv * targetEv) / nDof)
  );
}

/**
 * One Bussi rescaling over hFs applied to state's velocities in place. Updates
 * state.kineticEnergyEv and adds the heat (K before − K after) to state.reservoirEnergyEv.
 */
export function bussiRescale(state: MdState, rng: Rng, temperatureK: number, tauFs: number, hFs: number): void {
  const k = kineticEnergyEv(state.massesAmu, state.velocitiesAPerFs);
  const nf = state.degreesOfFreedom;
  if (!(k > 0) || nf <= 0) {
    // Nothing to rescale (all velocities zero): a global rescaling cannot heat a frozen system.
    state.kineticEnergyEv = k;
    return;
  }
  const target = 0.5 * nf * KB_EV_PER_K * temperatureK;
  let kNew = resampleKineticEnergy(rng, k, target, nf, hFs, tauFs);
  if (!(kNew >= 0)) kNew = 0; // cannot happen in exact arithmetic (K' is a sum of squares)
  scaleVelocities(state, Math.sqrt(kNew / k));
  state.kineticEnergyEv = kNew;
  state.reservoirEnergyEv += k - kNew;
}

export interface BussiOptions extends CommonMdOptions {
  temperatureK: number;
  /** Thermostat relaxation time τ in fs (e.g. 100 fs); 0 = resample every half step. */
  tauFs: number;
  rng: Rng;
}

export function bussi(calc: Calculator, options: BussiOptions): Integrator {
  const { dtFs: dt, temperatureK, tauFs, rng } = options;
  if (!(dt > 0)) throw new Error(`bussi: dtFs must be > 0, got ${dt}`);
  if (!(tauFs >= 0)) throw new Error(`bussi: tauFs must be >= 0, got ${tauFs}`);
  if (!(temperatureK >= 0)) throw new Error(`bussi: temperatureK must be >= 0, got ${temperatureK}`);
  const evaluate = forceEvaluator(calc, options.computeStress ?? false);
  const invMass = new WeakMap<MdState, Float64Array>();
  return {
    name: `Bussi CSVR (dt=${dt} fs, T=${temperatureK} K, τ=${tauFs} fs)`,
    dtFs: dt,
    init: (system) => initialState(system, evaluate, options.zeroMomentum ?? true),
    step(state) {
      const im = invMassOf(invMass, state);
      bussiRescale(state, rng, temperatureK, tauFs, 0.5 * dt);
      kick(state, im, 0.5 * dt);
      drift(state, dt);
      evaluate(state);
      kick(state, im, 0.5 * dt);
      bussiRescale(state, rng, temperatureK, tauFs, 0.5 * dt);
      return endStep(state, dt);
    },
  };
}
