// Conservation audit: are the forces the negative gradient of the energy and the stress its strain
// derivative? Only then is the total energy conserved in MD and are relaxations and elastic
// constants consistent (models that predict forces directly, "direct force" heads, fail this).
//   - forces: for unit directions d in 3N-space (F/|F| first, then random ones), the projected
//     force F·d (eV/Å) against -dE/dh of E(x + h d), by the fourth-order central difference
//       f'(0) ≈ [8 (f(h) - f(-h)) - (f(2h) - f(-2h))] / (12 h)                          (1)
//     (Abramowitz & Stegun 25.3.6); a directional derivative costs 4 energies, so the check is
//     cheap for any N (ASE's calculator tests use the same idea, ase/calculators/test.py).
//   - stress: σ_ab = (1/V) ∂E/∂ε_ab under the homogeneous strain r -> r·(I + ε) (ε symmetric,
//     ASE sign, positive = tensile), each of the 6 components by (1).
// The structure is first rattled (Gaussian displacements, rattleA) and strained (strainRattle),
// seeded, so that forces and stress are not zero by symmetry; set both to 0 to check it as given.
// Errors: absolute max |F·d - (-dE/dh)| over directions (eV/Å) and relative to |F| (the largest
// |F·d| can be); stress max over components (GPa) and relative to max|σ|. Flag when an error
// exceeds tol_abs + tol_rel × scale. The finite-difference error of (1) is O(h⁴) plus rounding
// ε·|E|/h: float32 models need a larger step (stepA ≈ 1e-2 Å) to stay above their noise.
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { cellVolumeA3 } from '../atoms/frame';
import { createRng, type Rng } from '../space/rng';
import { GPA_EV_PER_A3 } from '../units';
import { checkAborted, fmt, freshEnergy, maxOrNull, type AuditReportBase, type AuditRunOptions } from './report';
import { copySystem, isPeriodic3, maxAbsValue, strainSystem, toVoigt, VOIGT_LABELS, voigtStrain } from './transforms';

export interface ConservationOptions extends AuditRunOptions {
  /** Directions per structure: F/|F| and then random ones. Default 6. */
  directions?: number;
  /** Displacement step along a unit direction, Å. Default 1e-3. */
  stepA?: number;
  /** Strain step for the stress check. Default 1e-4. */
  strainStep?: number;
  /** Standard deviation of the random displacements applied first, Å. Default 0.02. */
  rattleA?: number;
  /** Largest component of the random symmetric strain applied first (periodic). Default 0.005. */
  strainRattle?: number;
  seed?: number;
  /** Absolute force tolerance, eV/Å. Default 1e-3. */
  forceTolEvPerA?: number;
  /** Relative force tolerance (of |F|). Default 1e-3. */
  forceRelTol?: number;
  /** Absolute stress tolerance, GPa. Default 1e-3. */
  stressTolGpa?: number;
  /** Relative stress tolerance (of max|σ|). Default 1e-3. */
  stressRelTol?: number;
}

export interface StructureConservation {
  index: number;
  atoms: number;
  /** |F| over all 3N components of the (rattled) structure, eV/Å. */
  force_norm_ev_per_a: number | null;
  /** F·d for each direction, eV/Å. */
  projected_force_ev_per_a: number[];
  /** -dE/dh for each direction, eV/Å. */
  numeric_projected_force_ev_per_a: number[];
  force_error_ev_per_a: number | null;
  force_relative_error: number | null;
  /** Voigt xx, yy, zz, yz, xz, xy, GPa (null without stress). */
  stress_gpa: number[] | null;
  numeric_stress_gpa: number[] | null;
  stress_error_gpa: number | null;
  stress_relative_error: number | null;
}

export interface ConservationReport extends AuditReportBase {
  audit: 'conservation';
  step_a: number;
  strain_step: number;
  rattle_a: number;
  strain_rattle: number;
  seed: number;
  max_force_error_ev_per_a: number | null;
  max_force_relative_error: number | null;
  max_stress_error_gpa: number | null;
  max_stress_relative_error: number | null;
  structures: StructureConservation[];
}

/** Fourth-order central difference (1) of f at 0 with step h. */
export function centralDerivative(f: (t: number) => number, h: number): number {
  return (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
}

/** A random unit vector of length n (Gaussian components, normalised). */
function randomUnit(rng: Rng, n: number): Float64Array {
  const d = Float64Array.from({ length: n }, () => rng.normal());
  let s = 0;
  for (const v of d) s += v * v;
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < n; k++) d[k] *= inv;
  return d;
}

/** The structure rattled by Gaussian displacements and, when periodic, a random symmetric strain. */
export function perturbedStructure(sys: AtomicSystem, rng: Rng, rattleA: number, strainRattle: number): AtomicSystem {
  let s = copySystem(sys);
  if (strainRattle > 0 && isPeriodic3(s)) {
    const eps = new Float64Array(9);
    for (let a = 0; a < 3; a++) {
      for (let b = a; b < 3; b++) {
        const v = rng.uniform(-strainRattle, strainRattle);
        eps[3 * a + b] = v;
        eps[3 * b + a] = v;
      }
    }
    s = strainSystem(s, eps);
  }
  if (rattleA > 0) for (let q = 0; q < s.positionsA.length; q++) s.positionsA[q] += rattleA * rng.normal();
  return s;
}

/** Stress by strain derivatives of the energy, Voigt [6], eV/Å³ (ASE sign). */
export function numericStressVoigt(calc: Calculator, sys: AtomicSystem, strainStep = 1e-4): number[] {
  if (!isPeriodic3(sys)) throw new Error('numericStressVoigt: needs a cell periodic along all three axes');
  const vol = cellVolumeA3(sys.cellA);
  return [0, 1, 2, 3, 4, 5].map((j) => {
    const unit = voigtStrain(j, 1);
    // a shear strain with ε_ab = ε_ba = t/2 has dE/dt = V σ_ab (transforms.ts voigtStrain)
    return centralDerivative((t) => freshEnergy(calc, strainSystem(sys, unit.map((e) => e * t))), strainStep) / vol;
  });
}

/** The conservation audit over a set of structures. */
export function conservationAudit(calc: Calculator, systems: readonly AtomicSystem[], options: ConservationOptions = {}): ConservationReport {
  if (systems.length === 0) throw new Error('conservation audit: no structures given');
  const nDir = options.directions ?? 6;
  const h = options.stepA ?? 1e-3;
  const hs = options.strainStep ?? 1e-4;
  const rattle = options.rattleA ?? 0.02;
  const strainRattle = options.strainRattle ?? 0.005;
  const seed = options.seed ?? 1;
  if (!(h > 0) || !(hs > 0)) throw new Error('conservation audit: stepA and strainStep must be > 0');
  const th = {
    force_abs_ev_per_a: options.forceTolEvPerA ?? 1e-3,
    force_rel: options.forceRelTol ?? 1e-3,
    stress_abs_gpa: options.stressTolGpa ?? 1e-3,
    stress_rel: options.stressRelTol ?? 1e-3,
  };
  const hasForces = calc.implementedProperties.includes('forces');
  const hasStress = calc.implementedProperties.includes('stress');
  const rng = createRng(seed);
  const flags: string[] = [];
  const notes: string[] = [];
  const structures: StructureConservation[] = [];

  systems.forEach((input, index) => {
    checkAborted(options.signal);
    const sys = perturbedStructure(input, rng, rattle, strainRattle);
    const n3 = sys.positionsA.length;
    const stress = hasStress && isPeriodic3(sys);
    calc.reset?.();
    const r = calc.compute(sys, { forces: hasForces, stress });
    const F = r.forcesEvPerA?.slice();
    const S = r.stressEvPerA3?.slice();
    const rec: StructureConservation = {
      index, atoms: sys.numbers.length,
      force_norm_ev_per_a: null, projected_force_ev_per_a: [], numeric_projected_force_ev_per_a: [],
      force_error_ev_per_a: null, force_relative_error: null,
      stress_gpa: null, numeric_stress_gpa: null, stress_error_gpa: null, stress_relative_error: null,
    };
    if (F) {
      let norm = 0;
      for (const v of F) norm += v * v;
      norm = Math.sqrt(norm);
      let err = 0;
      const moved = copySystem(sys);
      for (let t = 0; t < nDir; t++) {
        // the first direction is F/|F| itself, the most sensitive one to a wrongly scaled force
        const d = t === 0 && norm > 0 ? F.map((v) => v / norm) : randomUnit(rng, n3);
        let proj = 0;
        for (let k = 0; k < n3; k++) proj += F[k] * d[k];
        const numeric = -centralDerivative((s) => {
          for (let k = 0; k < n3; k++) moved.positionsA[k] = sys.positionsA[k] + s * d[k];
          return freshEnergy(calc, moved);
        }, h);
        rec.projected_force_ev_per_a.push(proj);
        rec.numeric_projected_force_ev_per_a.push(numeric);
        const e = Math.abs(proj - numeric);
        if (!(e <= err)) err = e;
      }
      rec.force_norm_ev_per_a = norm;
      rec.force_error_ev_per_a = err;
      rec.force_relative_error = norm > 0 ? err / norm : err === 0 ? 0 : Infinity;
      if (!(err <= th.force_abs_ev_per_a + th.force_rel * norm)) {
        flags.push(`structure ${index}: forces are not -dE/dx: max |F·d + dE/dh| = ${fmt(err)} eV/Å over ${nDir} directions, ${fmt(rec.force_relative_error)} of |F| = ${fmt(norm)} eV/Å`);
      }
    }
    if (S) {
      const ours = toVoigt(S).map((v) => v / GPA_EV_PER_A3);
      const numeric = numericStressVoigt(calc, sys, hs).map((v) => v / GPA_EV_PER_A3);
      let err = 0;
      ours.forEach((v, j) => (err = Math.max(err, Math.abs(v - numeric[j]))));
      // the 3x3 stress must also be symmetric
      const asym = Math.max(Math.abs(S[1] - S[3]), Math.abs(S[2] - S[6]), Math.abs(S[5] - S[7])) / GPA_EV_PER_A3;
      err = Math.max(err, asym);
      const scale = maxAbsValue(numeric);
      rec.stress_gpa = ours;
      rec.numeric_stress_gpa = numeric;
      rec.stress_error_gpa = err;
      rec.stress_relative_error = scale > 0 ? err / scale : err === 0 ? 0 : Infinity;
      if (!(err <= th.stress_abs_gpa + th.stress_rel * scale)) {
        const worst = ours.map((v, j) => Math.abs(v - numeric[j])).reduce((w, v, j, a) => (v > a[w] ? j : w), 0);
        flags.push(`structure ${index}: stress is not (1/V) dE/dε: max error ${fmt(err)} GPa (worst ${VOIGT_LABELS[worst]}: ${fmt(ours[worst])} vs ${fmt(numeric[worst])} GPa)${asym > th.stress_abs_gpa ? `, asymmetric by ${fmt(asym)} GPa` : ''}`);
      }
    }
    structures.push(rec);
    options.onProgress?.(index + 1, systems.length);
  });
  if (!hasForces) notes.push('the calculator has no forces: force conservation not tested');
  if (!hasStress) notes.push('the calculator has no stress: stress conservation not tested');
  else if (!systems.some(isPeriodic3)) notes.push('no structure periodic along three axes: stress not tested');
  return {
    audit: 'conservation',
    calculator: calc.name,
    verdict: flags.length ? 'flag' : 'pass',
    thresholds: th,
    flags,
    notes,
    step_a: h,
    strain_step: hs,
    rattle_a: rattle,
    strain_rattle: strainRattle,
    seed,
    max_force_error_ev_per_a: maxOrNull(structures.map((s) => s.force_error_ev_per_a)),
    max_force_relative_error: maxOrNull(structures.map((s) => s.force_relative_error)),
    max_stress_error_gpa: maxOrNull(structures.map((s) => s.stress_error_gpa)),
    max_stress_relative_error: maxOrNull(structures.map((s) => s.stress_relative_error)),
    structures,
  };
}
