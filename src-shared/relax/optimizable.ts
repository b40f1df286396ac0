// What an optimiser moves: a flat vector of generalised coordinates X [3M] (rows of 3) with an
// energy and generalised forces −∂E/∂X. Two kinds:
//  - atomsOptimizable: X = positions (Å), forces = the calculator's forces.
//  - cellFilter: ASE's UnitCellFilter (ase/constraints.py, ase 3.22; Tadmor et al., Phys. Rev. B
//    59, 235 (1999) for the deformation-gradient idea). The cell is C = C₀ Fᵀ (rows are lattice
//    vectors) for a deformation gradient F, atoms are r_i = F u_i, and X = [u_1 … u_N, c·F]
//    (3 extra rows, c = cellFactor, default N as in ASE so cell and atom "forces" are comparable).
//    The enthalpy H = E + P₀V has generalised forces
//      −∂H/∂u_i = Fᵀ f_i                          (f_i the atomic forces; a row: f_i F)
//      −∂H/∂(cF) = −V (σ + P₀ I) F⁻ᵀ / c            (σ the stress, ASE sign: positive = tensile)
//    from dE = V σ : (δF F⁻¹) for a homogeneous deformation. At a zero of these forces the atoms
//    are relaxed and σ = −P₀ I. `hydrostatic` keeps the cell shape (only the trace of the cell force
//    acts, F stays a multiple of I), `fixedVolume` removes the trace.
import type { AtomicSystem, CalcResult, Calculator } from '../calculators/calculator';
import { determinant3, invert3 } from '../space/cell';
import { GPA_EV_PER_A3 } from '../units';

export interface Evaluation {
  /** Potential energy E, eV. */
  energyEv: number;
  /** What the optimiser minimises: E, or the enthalpy E + P₀V with a cell filter, eV. */
  objectiveEv: number;
  /** Max |f_i| over atoms (the real atomic forces), eV/Å. */
  fmaxEvPerA: number;
  /**
   * Max |σ_ab + P₀ δ_ab| over the components the filter relaxes, eV/Å³ (only the pressure part
   * when hydrostatic, only the deviatoric part at fixed volume; 0 without a cell filter).
   */
  maxStressEvPerA3: number;
}

export interface Optimizable {
  /** Length of X (3 × rows). */
  readonly size: number;
  /** Current X into out [size]. */
  getX(out: Float64Array): void;
  /** Move to X [size] (positions, and the cell with a filter). */
  setX(x: Float64Array): void;
  /** Energy and generalised forces [size] (written into `forces`) at the current X. */
  evaluate(forces: Float64Array): Evaluation;
  /** The underlying structure (positions and cell are updated in place by setX). */
  readonly system: AtomicSystem;
  /** Last stress computed, [9] eV/Å³, or null. */
  readonly stressEvPerA3: Float64Array | null;
}

function maxAtomForce(f: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = f[3 * i] ** 2 + f[3 * i + 1] ** 2 + f[3 * i + 2] ** 2;
    if (s > m) m = s;
  }
  return Math.sqrt(m);
}

function copySystem(system: AtomicSystem): AtomicSystem {
  return {
    numbers: Int32Array.from(system.numbers),
    positionsA: Float64Array.from(system.positionsA),
    cellA: system.cellA ? Float64Array.from(system.cellA) : null,
    pbc: [system.pbc[0], system.pbc[1], system.pbc[2]],
  };
}

/** Positions only. The system is copied; read the result from `.system`. */
export function atomsOptimizable(calc: Calculator, system: AtomicSystem): Optimizable {
  const sys = copySystem(system);
  const n = sys.numbers.length;
  const out: CalcResult = { energyEv: 0 };
  return {
    size: 3 * n,
    system: sys,
    stressEvPerA3: null,
    getX: (x) => x.set(sys.positionsA),
    setX: (x) => sys.positionsA.set(x),
    evaluate(forces) {
      out.forcesEvPerA = forces;
      const r = calc.compute(sys, { forces: true }, out);
      if (r.forcesEvPerA !== forces) forces.set(r.forcesEvPerA!);
      return { energyEv: r.energyEv, objectiveEv: r.energyEv, fmaxEvPerA: maxAtomForce(forces, n), maxStressEvPerA3: 0 };
    },
  };
}

export interface CellFilterOptions {
  /** Target (external) pressure P₀, GPa. Default 0. */
  pressureGpa?: number;
  /** Scale c of the cell degrees of freedom. Default N (ASE). */
  cellFactor?: number;
  /** Keep the cell shape: only isotropic scaling (ASE hydrostatic_strain). */
  hydrostatic?: boolean;
  /** Keep the volume: deviatoric cell changes only (ASE constant_volume). */
  fixedVolume?: boolean;
}

/** Positions and cell (ASE UnitCellFilter). The system is copied; read the result from `.system`. */
export function cellFilter(calc: Calculator, system: AtomicSystem, options: CellFilterOptions = {}): Optimizable {
  if (!system.cellA || !(system.pbc[0] && system.pbc[1] && system.pbc[2])) throw new Error('cellFilter: needs a cell periodic along all three axes');
  const sys = copySystem(system);
  const n = sys.numbers.length;
  const cell0 = Float64Array.from(sys.cellA!);
  const p0 = (options.pressureGpa ?? 0) * GPA_EV_PER_A3;
  const c = options.cellFactor ?? n;
  const F = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const Finv = new Float64Array(9);
  const fAtoms = new Float64Array(3 * n);
  const stress = new Float64Array(9);
  const out: CalcResult = { energyEv: 0 };
  const self: Optimizable = {
    size: 3 * (n + 3),
    system: sys,
    stressEvPerA3: stress,
    getX(x) {
      // u_i = F⁻¹ r_i  (as a row: r_i F⁻ᵀ)
      invert3(Finv, F);
      const r = sys.positionsA;
      for (let i = 0; i < n; i++) {
        const a = r[3 * i], b = r[3 * i + 1], d = r[3 * i + 2];
        for (let k = 0; k < 3; k++) x[3 * i + k] = Finv[3 * k] * a + Finv[3 * k + 1] * b + Finv[3 * k + 2] * d;
      }
      for (let q = 0; q < 9; q++) x[3 * n + q] = c * F[q];
    },
    setX(x) {
      for (let q = 0; q < 9; q++) F[q] = x[3 * n + q] / c;
      const r = sys.positionsA;
      for (let i = 0; i < n; i++) {
        const a = x[3 * i], b = x[3 * i + 1], d = x[3 * i + 2];
        for (let k = 0; k < 3; k++) r[3 * i + k] = F[3 * k] * a + F[3 * k + 1] * b + F[3 * k + 2] * d;
      }
      // C = C₀ Fᵀ: row j of C is F applied to row j of C₀
      const C = sys.cellA!;
      for (let j = 0; j < 3; j++) {
        const a = cell0[3 * j], b = cell0[3 * j + 1], d = cell0[3 * j + 2];
        for (let k = 0; k < 3; k++) C[3 * j + k] = F[3 * k] * a + F[3 * k + 1] * b + F[3 * k + 2] * d;
      }
    },
    evaluate(forces) {
      out.forcesEvPerA = fAtoms;
      out.stressEvPerA3 = stress;
      const r = calc.compute(sys, { forces: true, stress: true }, out);
      if (r.forcesEvPerA !== fAtoms) fAtoms.set(r.forcesEvPerA!);
      if (!r.stressEvPerA3) throw new Error(`${calc.name}: no stress (needed to relax the cell)`);
      if (r.stressEvPerA3 !== stress) stress.set(r.stressEvPerA3);
      const vol = Math.abs(determinant3(sys.cellA!));
      // atoms: row f_i F
      for (let i = 0; i < n; i++) {
        const a = fAtoms[3 * i], b = fAtoms[3 * i + 1], d = fAtoms[3 * i + 2];
        for (let k = 0; k < 3; k++) forces[3 * i + k] = a * F[k] + b * F[3 + k] + d * F[6 + k];
      }
      // cell: −V (σ + P₀ I) F⁻ᵀ / c
      invert3(Finv, F);
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          let g = 0;
          for (let k = 0; k < 3; k++) g += (stress[3 * a + k] + (a === k ? p0 : 0)) * Finv[3 * b + k];
          forces[3 * n + 3 * a + b] = (-vol * g) / c;
        }
      }
      // residual stress σ + P₀ I, restricted to what this filter can relax
      const trS = (stress[0] + stress[4] + stress[8]) / 3 + p0;
      let maxS = 0;
      for (let q = 0; q < 9; q++) {
        const diag = q % 4 === 0;
        const sab = options.hydrostatic ? (diag ? trS : 0) : stress[q] + (diag ? p0 : 0) - (options.fixedVolume && diag ? trS : 0);
        if (Math.abs(sab) > maxS) maxS = Math.abs(sab);
      }
      if (options.hydrostatic || options.fixedVolume) {
        const o = 3 * n;
        const tr = (forces[o] + forces[o + 4] + forces[o + 8]) / 3;
        if (options.hydrostatic) {
          for (let q = 0; q < 9; q++) forces[o + q] = q % 4 === 0 ? tr : 0;
        } else {
          forces[o] -= tr; forces[o + 4] -= tr; forces[o + 8] -= tr;
        }
      }
      return { energyEv: r.energyEv, objectiveEv: r.energyEv + p0 * vol, fmaxEvPerA: maxAtomForce(fAtoms, n), maxStressEvPerA3: maxS };
    },
  };
  return self;
}
