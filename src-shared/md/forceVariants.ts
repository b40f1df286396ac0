// Force variants: Calculator wrappers that keep the wrapped (reference) calculator's ENERGY but
// hand MD different forces, to show what force errors do to energy conservation (drift study,
// md/driftStudy.ts). With E = E_pot,ref + E_kin and Newton driven by F_var, along the trajectory
//   dE/dt = Σ_i v_i · (F_var,i − F_ref,i)          (the injected power; its integral W(t)),
// so any force that is not −∇E_pot,ref pumps energy in or out at the rate the variant sets,
// independently of the time step (Bussi-style bookkeeping of a thermostat's work, here of an error).
//
//  - noisyForcesCalculator: F_ref + ξ, ξ_iα ~ N(0, σ²) fresh at every call (white in time).
//    Velocity Verlet applies each force for one step, so the noise is a velocity kick of
//    RMS σ·dt/m per step: the expected heating is Σ_i 3σ²dt/(2m_i) per fs (Langevin's fluctuation
//    term without its friction), i.e. ∝ σ² dt. It DOES shrink linearly with dt at fixed σ (the
//    same per-step error integrates to less impulse) — unlike a systematic force error.
//  - linearForceBiasCalculator: F_i → M F_i with a fixed 3×3 matrix M for every atom. Not the
//    gradient of any energy unless M ∝ I (the closed-loop work ∮ M F·dx ≠ 0; forceVariants.spec.ts).
//    Two presets, with very different energy balances:
//      * rotatedForcesCalculator (M = rotation by θ about an axis): no energy is conserved; in
//        degenerate vibrational modes the force circulates (like ẑ×x acting on an oscillator) and
//        pumps energy at a rate set by the dynamics, NOT by dt: a force-error drift.
//      * anisotropicForceScalingCalculator (M = diag(1+ε, 1, 1)): non-conservative as a force field,
//        yet m ẍ = (1+ε) F_x is Newton with an x-mass m/(1+ε), so NVE exactly conserves
//        E' = E_pot + K_x/(1+ε) + K_y + K_z. E_pot + E_kin then only relaxes by ~ε K_x (a
//        bounded step, no secular drift). A lesson: a closed-loop work ≠ 0 is necessary for drift,
//        not sufficient.
//  - directForcesCalculator: energy from a conservative calculator, forces from another one (a
//    direct-force head, ml/models/directForces.ts). The injected power is v·(F_direct − F_cons):
//    its systematic, position-dependent part heats or cools at a dt-independent rate.
//
// Each wrapper remembers the reference forces of its last call (`referenceForcesEvPerA`), so the
// drift study can accumulate the injected work without a second reference call. Stress and
// per-atom energies are the reference's (they follow the energy, which is unchanged).
import type { AtomicSystem, CalcRequest, CalcResult, Calculator } from '../calculators/calculator';
import { createRng } from '../space/rng';
import { AMU_EV_FS2_PER_A2 } from '../units';

export type ForceVariantKind = 'noise' | 'bias' | 'direct';

export interface ForceVariantCalculator extends Calculator {
  readonly variantKind: ForceVariantKind;
  /** The calculator whose energy (and stress) this one reports. */
  readonly reference: Calculator;
  /** [3N] eV/Å: the reference's forces at the last call that asked for forces (null before). */
  readonly referenceForcesEvPerA: Float64Array | null;
}

/**
 * The shared wrapper: the reference computes energy (and forces into a private buffer); `modify`
 * writes the variant's forces into `out` given the reference forces.
 */
function wrap(
  reference: Calculator,
  kind: ForceVariantKind,
  name: string,
  modify: (system: AtomicSystem, refForcesEvPerA: Float64Array, outForcesEvPerA: Float64Array) => void,
  onReset?: () => void,
): ForceVariantCalculator {
  const refOut: CalcResult = { energyEv: 0 };
  let refForces: Float64Array | null = null;
  return {
    name,
    variantKind: kind,
    reference,
    implementedProperties: reference.implementedProperties,
    cutoffA: reference.cutoffA,
    get referenceForcesEvPerA() {
      return refForces;
    },
    compute(system: AtomicSystem, request: CalcRequest = {}, out: CalcResult = { energyEv: 0 }): CalcResult {
      if (!request.forces) return reference.compute(system, request, out);
      const n3 = system.positionsA.length;
      if (!refForces || refForces.length !== n3) refForces = new Float64Array(n3);
      refOut.forcesEvPerA = refForces;
      refOut.stressEvPerA3 = out.stressEvPerA3;
      refOut.energiesEv = out.energiesEv;
      const r = reference.compute(system, request, refOut);
      if (!r.forcesEvPerA) throw new Error(`${reference.name}: no forces returned`);
      if (r.forcesEvPerA !== refForces) refForces.set(r.forcesEvPerA);
      const f = out.forcesEvPerA && out.forcesEvPerA.length === n3 && out.forcesEvPerA !== refForces ? out.forcesEvPerA : new Float64Array(n3);
      modify(system, refForces, f);
      out.energyEv = r.energyEv;
      out.forcesEvPerA = f;
      out.stressEvPerA3 = r.stressEvPerA3;
      out.energiesEv = r.energiesEv;
      return out;
    },
    reset() {
      refForces = null;
      reference.reset?.();
      onReset?.();
    },
  };
}

export interface ForceNoiseOptions {
  /** RMS of each Cartesian noise component, eV/Å. */
  sigmaEvPerA: number;
  seed: number;
}

/** F_ref + Gaussian white noise (fresh every call; `reset()` restarts the seeded stream). */
export function noisyForcesCalculator(reference: Calculator, o: ForceNoiseOptions): ForceVariantCalculator {
  if (!(o.sigmaEvPerA >= 0)) throw new Error(`noisyForcesCalculator: sigmaEvPerA must be >= 0, got ${o.sigmaEvPerA}`);
  let rng = createRng(o.seed);
  const sigma = o.sigmaEvPerA;
  return wrap(
    reference,
    'noise',
    `${reference.name} + force noise (σ=${sigma} eV/Å)`,
    (_sys, ref, out) => {
      for (let q = 0; q < ref.length; q++) out[q] = ref[q] + sigma * rng.normal();
    },
    () => {
      rng = createRng(o.seed);
    },
  );
}

/**
 * Expected heating of NVE velocity Verlet by white force noise, eV/fs for the whole system:
 * each force call adds an independent velocity kick dt·ξ_i/m_i, so ⟨ΔK⟩ per step is
 * Σ_i 3σ²dt²/(2 m_i) and the rate is Σ_i 3σ²dt/(2 m_i) (∝ σ² dt).
 */
export function expectedNoiseHeatingEvPerFs(massesAmu: ArrayLike<number>, sigmaEvPerA: number, dtFs: number): number {
  let invM = 0;
  for (let i = 0; i < massesAmu.length; i++) invM += 1 / (massesAmu[i] * AMU_EV_FS2_PER_A2);
  return 1.5 * sigmaEvPerA * sigmaEvPerA * dtFs * invM;
}

/**
 * F_i → M F_i for every atom, M a fixed row-major 3×3 matrix (not a gradient unless M ∝ I).
 * @param matrix [9] row-major, dimensionless
 */
export function linearForceBiasCalculator(reference: Calculator, matrix: ArrayLike<number>, label?: string): ForceVariantCalculator {
  if (matrix.length !== 9) throw new Error('linearForceBiasCalculator: matrix must have 9 entries (row-major 3×3)');
  const m = Float64Array.from(matrix);
  return wrap(reference, 'bias', `${reference.name} + ${label ?? `force bias M=[${Array.from(m).join(',')}]`}`, (_sys, ref, out) => {
    for (let i = 0; i < ref.length; i += 3) {
      const fx = ref[i], fy = ref[i + 1], fz = ref[i + 2];
      out[i] = m[0] * fx + m[1] * fy + m[2] * fz;
      out[i + 1] = m[3] * fx + m[4] * fy + m[5] * fz;
      out[i + 2] = m[6] * fx + m[7] * fy + m[8] * fz;
    }
  });
}

/** Rotation matrix [9] (row-major) by angleRad about a unit-normalised axis (Rodrigues). */
export function rotationMatrix(axis: readonly [number, number, number], angleRad: number): Float64Array {
  const nrm = Math.hypot(axis[0], axis[1], axis[2]);
  if (!(nrm > 0)) throw new Error('rotationMatrix: axis must be non-zero');
  const [x, y, z] = [axis[0] / nrm, axis[1] / nrm, axis[2] / nrm];
  const c = Math.cos(angleRad), s = Math.sin(angleRad), t = 1 - c;
  return new Float64Array([t * x * x + c, t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c, t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c]);
}

export interface ForceRotationOptions {
  /**
   * Relative force error 2 sin(θ/2) (θ the rotation angle), e.g. 0.05: |F_var − F_ref| equals
   * fraction × the force component perpendicular to the axis (≈ 0.82 × fraction × |F| on average).
   */
  fraction: number;
  /** Rotation axis, default [1, 1, 1] (generic for cubic crystals). */
  axis?: readonly [number, number, number];
}

/** Every atom's force rotated by the same small angle: a systematic, non-conservative error. */
export function rotatedForcesCalculator(reference: Calculator, o: ForceRotationOptions): ForceVariantCalculator {
  if (!(o.fraction >= 0 && o.fraction <= 2)) throw new Error(`rotatedForcesCalculator: fraction must be in [0, 2], got ${o.fraction}`);
  const theta = 2 * Math.asin(o.fraction / 2);
  const axis = o.axis ?? [1, 1, 1];
  return linearForceBiasCalculator(reference, rotationMatrix(axis, theta), `forces rotated ${theta.toPrecision(3)} rad about [${axis.join(',')}] (|ΔF|/|F|=${o.fraction})`);
}

/** x force components × (1 + fractionX): non-conservative, but NVE conserves E_pot + K_x/(1+ε) + K_y + K_z. */
export function anisotropicForceScalingCalculator(reference: Calculator, fractionX: number): ForceVariantCalculator {
  if (!(fractionX > -1)) throw new Error(`anisotropicForceScalingCalculator: fractionX must be > -1, got ${fractionX}`);
  return linearForceBiasCalculator(reference, [1 + fractionX, 0, 0, 0, 1, 0, 0, 0, 1], `x forces × ${1 + fractionX}`);
}

/**
 * Energy (stress, per-atom energies) from `energyCalc`, forces from `forceCalc` (e.g. a model's
 * direct-force head). Both are evaluated at every call: the reference forces are needed for the
 * injected-work bookkeeping.
 */
export function directForcesCalculator(energyCalc: Calculator, forceCalc: Calculator): ForceVariantCalculator {
  const fOut: CalcResult = { energyEv: 0 };
  const base = wrap(energyCalc, 'direct', `energy: ${energyCalc.name}; forces: ${forceCalc.name}`, (sys, _ref, out) => {
    fOut.forcesEvPerA = out;
    const r = forceCalc.compute(sys, { forces: true }, fOut);
    if (!r.forcesEvPerA) throw new Error(`${forceCalc.name}: no forces returned`);
    if (r.forcesEvPerA !== out) out.set(r.forcesEvPerA);
  });
  return {
    ...base,
    get referenceForcesEvPerA() {
      return base.referenceForcesEvPerA;
    },
    cutoffA: Math.max(energyCalc.cutoffA, forceCalc.cutoffA),
    reset() {
      base.reset?.();
      forceCalc.reset?.();
    },
  };
}
