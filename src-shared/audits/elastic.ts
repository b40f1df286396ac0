// Elastic constants from stress-strain finite differences, for any calculator with a stress.
//
// Sign and definition. The calculator contract's stress is ASE's, σ = (1/V) ∂E/∂ε (positive =
// tensile). Expanding the energy of a stress-free crystal to second order in a small symmetric
// strain, E(ε) = E₀ + (V/2) Σ_ij C_ij ε_i ε_j (Voigt, engineering shears), gives σ_i = Σ_j C_ij ε_j,
// so
//   C_ij = ∂σ_i/∂ε_j ≈ [σ_i(+δ e_j) - σ_i(-δ e_j)] / (2δ)                                    (1)
// with NO minus sign. LAMMPS reports the pressure tensor p = -σ (positive = compressive), which is
// why its examples/ELASTIC script computes C = -Δp/Δε; both give C11 > 0 for a stable crystal, and
// the test against LAMMPS (fixtures/audits/elastic_cu_u3_lammps.json) checks the sign. Voigt order
// xx, yy, zz, yz, xz, xy; a shear strain j = yz applies ε_yz = ε_zy = δ/2 (engineering strain δ).
//
// Procedure (as LAMMPS examples/ELASTIC and matcalc/pymatgen's ElasticTensor fits):
//  1. relax the cell and the atoms to zero stress (relaxCell, default true), so that (1) gives the
//     elastic constants rather than pre-stress-dependent Birch coefficients;
//  2. for each Voigt direction j and each strain magnitude δ (default 0.25 %, 0.5 %, 1 %), strain
//     by ±δ, relax the internal coordinates with the cell fixed (skipped for a 1-atom cell, which
//     has none; this is what makes C44 of diamond-structure Si the relaxed, not the clamped-ion,
//     value) and read the stress;
//  3. C(δ) from (1) at each δ; the reported C is the δ² → 0 least-squares limit (elasticMath.ts
//     zeroStrainLimit), and the spread over δ is reported as a check of linearity.
// Then Voigt-Reuss-Hill moduli, Born stability (eigenvalues of C), the symmetry of C (C_ij = C_ji
// for a potential-energy surface) and a cubic summary when C has cubic form (elasticMath.ts).
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { cellVolumeA3 } from '../atoms/frame';
import { relax } from '../relax/relax';
import { GPA_EV_PER_A3 } from '../units';
import {
  cubicSummary,
  maxAbs6,
  maxAsymmetry,
  symmetricEigenvalues,
  symmetrize6,
  voigtReussHill,
  zeroStrainLimit,
  zeros6,
  type CubicSummary,
  type Matrix6,
  type PolycrystalModuli,
} from './elasticMath';
import { checkAborted, fmt, type AuditReportBase, type AuditRunOptions } from './report';
import { copySystem, isPeriodic3, strainSystem, toVoigt, VOIGT_LABELS, voigtStrain } from './transforms';

export interface ElasticOptions extends AuditRunOptions {
  /** Strain magnitudes δ (each applied as ±δ). Default [0.0025, 0.005, 0.01]. */
  strainMagnitudes?: readonly number[];
  /** Relax cell and atoms to zero stress first. Default true. */
  relaxCell?: boolean;
  /** Relax internal coordinates at each strain (cell fixed). Default: true when N > 1. */
  relaxInternal?: boolean;
  /** Optimiser for all relaxations. Default 'lbfgs'. */
  optimizer?: 'fire' | 'lbfgs';
  /** Force criterion of the relaxations, eV/Å. Default 1e-5. */
  fmaxEvPerA?: number;
  /** Residual stress criterion of the cell relaxation, GPa. Default 1e-4. */
  stressTolGpa?: number;
  /** Step limit of each relaxation. Default 3000. */
  maxSteps?: number;
  /** Report the δ² -> 0 limit (true, default) or C at the smallest δ. */
  extrapolate?: boolean;
  /** Flag when max|C_ij - C_ji| exceeds this fraction of max|C|. Default 0.01. */
  asymmetryTolRel?: number;
  /** Flag when C changes by more than this fraction of max|C| over the strain magnitudes. Default 0.05. */
  strainDependenceTolRel?: number;
  /** Cubic pattern tolerance, fraction of max|C|. Default 0.01. */
  cubicTolRel?: number;
  /** Flag when the reference structure's stress exceeds this, GPa. Default 0.05. */
  residualStressTolGpa?: number;
}

export interface ElasticReport extends AuditReportBase, PolycrystalModuli {
  audit: 'elastic';
  voigt_order: string[];
  /** 6x6 elastic constants, GPa, Voigt order xx, yy, zz, yz, xz, xy (rows: stress, columns: strain). */
  C_GPa: number[][];
  /** Hill average of the symmetrised C, GPa. */
  bulk_modulus_gpa: number;
  /** Hill average of the symmetrised C, GPa. */
  shear_modulus_gpa: number;
  /** Eigenvalues of the symmetrised C (ascending), GPa; all > 0 = mechanically stable. */
  eigenvalues_gpa: number[];
  mechanically_stable: boolean;
  max_asymmetry_gpa: number;
  cubic: CubicSummary | null;
  strain_magnitudes: number[];
  /** C(δ) for each magnitude, GPa. */
  C_by_strain_GPa: number[][][];
  /** max_ij over magnitudes of |C_ij(δ) - C_ij(δ')|, GPa. */
  max_strain_dependence_gpa: number;
  extrapolated: boolean;
  reference: {
    atoms: number;
    /** [9] rows a, b, c, Å, after the cell relaxation. */
    cell_a: number[];
    volume_a3: number;
    energy_ev: number;
    /** Voigt stress of the reference structure, GPa. */
    stress_gpa: number[];
    cell_relaxed: boolean;
    relax_converged: boolean | null;
    relax_steps: number | null;
  };
  internal_relaxation: {
    enabled: boolean;
    relaxations: number;
    all_converged: boolean;
    max_steps: number;
    max_fmax_ev_per_a: number;
  };
}

function stressVoigtGpa(calc: Calculator, sys: AtomicSystem): number[] {
  calc.reset?.();
  const r = calc.compute(sys, { stress: true });
  if (!r.stressEvPerA3) throw new Error(`elastic: ${calc.name} returned no stress`);
  return toVoigt(r.stressEvPerA3).map((v) => v / GPA_EV_PER_A3);
}

/** The elastic-constant audit of one periodic structure. */
export function elasticAudit(calc: Calculator, system: AtomicSystem, options: ElasticOptions = {}): ElasticReport {
  if (!isPeriodic3(system)) throw new Error('elastic: needs a crystal, periodic along all three axes with a cell');
  if (!calc.implementedProperties.includes('stress')) throw new Error(`elastic: ${calc.name} does not compute the stress`);
  const mags = [...(options.strainMagnitudes ?? [0.0025, 0.005, 0.01])].sort((a, b) => a - b);
  if (mags.length === 0 || mags.some((d) => !(d > 0 && d < 0.2))) throw new Error(`elastic: strain magnitudes must be in (0, 0.2), got ${mags.join(', ')}`);
  const n = system.numbers.length;
  const relaxCell = options.relaxCell ?? true;
  const relaxInternal = options.relaxInternal ?? n > 1;
  const optimizer = options.optimizer ?? 'lbfgs';
  const fmax = options.fmaxEvPerA ?? 1e-5;
  const stressTol = options.stressTolGpa ?? 1e-4;
  const maxSteps = options.maxSteps ?? 3000;
  const extrapolate = options.extrapolate ?? true;
  const th = {
    asymmetry_rel: options.asymmetryTolRel ?? 0.01,
    strain_dependence_rel: options.strainDependenceTolRel ?? 0.05,
    cubic_rel: options.cubicTolRel ?? 0.01,
    residual_stress_gpa: options.residualStressTolGpa ?? 0.05,
    relax_fmax_ev_per_a: fmax,
    cell_stress_tol_gpa: stressTol,
  };
  const total = 12 * mags.length + 1;
  let done = 0;
  const flags: string[] = [];
  const notes: string[] = [];

  // 1. reference structure
  let ref = copySystem(system);
  let relaxConverged: boolean | null = null;
  let relaxSteps: number | null = null;
  if (relaxCell) {
    const r = relax(calc, ref, { relaxCell: true, optimizer, fmaxEvPerA: fmax, stressTolGpa: stressTol, maxSteps, signal: options.signal });
    ref = copySystem(r.system);
    relaxConverged = r.converged;
    relaxSteps = r.steps;
    if (!r.converged) flags.push(`the cell relaxation did not converge in ${r.steps} steps (fmax ${fmt(r.fmaxEvPerA)} eV/Å, max stress ${fmt(r.maxStressGpa)} GPa)`);
  } else if (relaxInternal) {
    const r = relax(calc, ref, { optimizer, fmaxEvPerA: fmax, maxSteps, signal: options.signal });
    ref = copySystem(r.system);
    relaxConverged = r.converged;
    relaxSteps = r.steps;
    if (!r.converged) flags.push(`the relaxation of the reference positions did not converge in ${r.steps} steps`);
  }
  checkAborted(options.signal);
  options.onProgress?.(++done, total);
  calc.reset?.();
  const energy = calc.compute(ref, {}).energyEv;
  const stress0 = stressVoigtGpa(calc, ref);
  const residual = Math.max(...stress0.map(Math.abs));
  if (residual > th.residual_stress_gpa) {
    flags.push(`the reference structure is under stress (max |σ| = ${fmt(residual)} GPa): C then mixes in pre-stress terms; relax the cell first`);
  }

  // 2. strained structures
  let relaxations = 0, allConverged = true, maxRelaxSteps = 0, maxFmax = 0;
  const stressAt = (j: number, delta: number): number[] => {
    let s = strainSystem(ref, voigtStrain(j, delta));
    if (relaxInternal) {
      const r = relax(calc, s, { optimizer, fmaxEvPerA: fmax, maxSteps, signal: options.signal });
      s = r.system;
      relaxations++;
      allConverged &&= r.converged;
      maxRelaxSteps = Math.max(maxRelaxSteps, r.steps);
      maxFmax = Math.max(maxFmax, r.fmaxEvPerA);
    }
    const v = stressVoigtGpa(calc, s);
    checkAborted(options.signal);
    options.onProgress?.(++done, total);
    return v;
  };
  const byStrain: Matrix6[] = mags.map((delta) => {
    const C = zeros6();
    for (let j = 0; j < 6; j++) {
      const plus = stressAt(j, delta);
      const minus = stressAt(j, -delta);
      for (let i = 0; i < 6; i++) C[i][j] = (plus[i] - minus[i]) / (2 * delta);
    }
    return C;
  });
  if (!allConverged) flags.push(`${relaxations} internal relaxations: not all converged to fmax ${fmt(fmax)} eV/Å (worst ${fmt(maxFmax)} eV/Å); C may be off`);

  // 3. zero-strain limit and derived quantities
  const C: Matrix6 = zeros6();
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      C[i][j] = extrapolate ? zeroStrainLimit(mags, byStrain.map((m) => m[i][j])) : byStrain[0][i][j];
    }
  }
  let spread = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      const vals = byStrain.map((m) => m[i][j]);
      spread = Math.max(spread, Math.max(...vals) - Math.min(...vals));
    }
  }
  const scale = maxAbs6(C);
  const Csym = symmetrize6(C);
  const asym = maxAsymmetry(C);
  const moduli = voigtReussHill(Csym);
  const eig = symmetricEigenvalues(Csym);
  const stable = eig[0] > 0;
  const cubic = cubicSummary(Csym, th.cubic_rel);
  if (!(asym <= th.asymmetry_rel * scale)) {
    let wi = 0, wj = 1;
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (Math.abs(C[i][j] - C[j][i]) > Math.abs(C[wi][wj] - C[wj][wi])) [wi, wj] = [i, j];
    flags.push(`C is not symmetric: C${wi + 1}${wj + 1} = ${fmt(C[wi][wj])} vs C${wj + 1}${wi + 1} = ${fmt(C[wj][wi])} GPa (${VOIGT_LABELS[wi]}/${VOIGT_LABELS[wj]}); the stress may not derive from an energy`);
  }
  if (!(spread <= th.strain_dependence_rel * scale)) {
    flags.push(`C changes by ${fmt(spread)} GPa between strains ${mags.map((d) => `${d * 100}%`).join(', ')}: the response is not linear (rough energy surface or relaxation noise)`);
  }
  if (!stable) flags.push(`C is not positive definite (smallest eigenvalue ${fmt(eig[0])} GPa): mechanically unstable, or the reference is not a minimum`);
  if (n === 1 && !relaxInternal) notes.push('1-atom cell: no internal coordinates to relax');
  if (!cubic) notes.push('C does not have cubic form in the Cartesian frame: no cubic summary');

  return {
    audit: 'elastic',
    calculator: calc.name,
    verdict: flags.length ? 'flag' : 'pass',
    thresholds: th,
    flags,
    notes,
    voigt_order: [...VOIGT_LABELS],
    C_GPa: C,
    bulk_modulus_gpa: moduli.bulk_modulus_hill_gpa,
    shear_modulus_gpa: moduli.shear_modulus_hill_gpa,
    ...moduli,
    eigenvalues_gpa: eig,
    mechanically_stable: stable,
    max_asymmetry_gpa: asym,
    cubic,
    strain_magnitudes: mags,
    C_by_strain_GPa: byStrain,
    max_strain_dependence_gpa: spread,
    extrapolated: extrapolate && mags.length > 1,
    reference: {
      atoms: n,
      cell_a: Array.from(ref.cellA!),
      volume_a3: cellVolumeA3(ref.cellA),
      energy_ev: energy,
      stress_gpa: stress0,
      cell_relaxed: relaxCell,
      relax_converged: relaxConverged,
      relax_steps: relaxSteps,
    },
    internal_relaxation: { enabled: relaxInternal, relaxations, all_converged: allConverged, max_steps: maxRelaxSteps, max_fmax_ev_per_a: maxFmax },
  };
}
