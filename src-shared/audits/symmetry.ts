// Symmetry audit: is a calculator invariant (energy) and equivariant (forces, stress) under the
// operations that leave the physics unchanged? For every structure it applies random
//   - proper rotations and improper ones (rotation × reflection, det -1): E(x·M) = E(x),
//     F(x·M) = F(x)·M, σ(x·M) = Mᵀσ(x)M (transforms.ts eq. (1));
//   - translations (atoms wrapped back into the cell when periodic): E, F, σ unchanged;
//   - permutations of like atoms: E and σ unchanged, forces permuted with the atoms;
//   - cell re-choices of periodic systems (cell' = U·cell, U integer with det 1, atoms wrapped):
//     the same crystal, so E, F, σ unchanged;
// and reports |ΔE| per atom (meV/atom), the force equivariance error max|F(gx) - g·F(x)| (eV/Å)
// and the stress equivariance error max|σ(gx) - g·σ(x)| (GPa). This is the reusable
// `assert_equivariant` of e3nn/MACE (GUIDE §2) for any Calculator: `checkEquivariance` checks one
// structure and is what tests of a new model call; `symmetryAudit` runs it over a set.
// Exact symmetries hold to rounding for float64 classical potentials (~1e-12); float32 models
// show ~1e-6 relative noise, hence the default thresholds below.
import type { AtomicSystem, CalcResult, Calculator } from '../calculators/calculator';
import type { Rng } from '../space/rng';
import { createRng } from '../space/rng';
import { GPA_EV_PER_A3 } from '../units';
import { checkAborted, fmt, maxOrNull, type AuditReportBase, type AuditRunOptions } from './report';
import {
  congruent,
  IDENTITY3,
  isPeriodic3,
  isPeriodicAny,
  mapSystem,
  maxAbsDifference,
  permuteRows,
  permuteSystem,
  randomLikeAtomPermutation,
  randomReflection,
  randomRotation,
  randomUnimodular,
  rechooseCell,
  rotationAngleDeg,
  rowsTimes,
  translateSystem,
} from './transforms';

export type SymmetryKind = 'rotation' | 'reflection' | 'translation' | 'permutation' | 'cell_rechoice';
export const SYMMETRY_KINDS: readonly SymmetryKind[] = ['rotation', 'reflection', 'translation', 'permutation', 'cell_rechoice'];

/**
 * One operation g: the transformed system is permute(map(x, M), perm) (then wrapped), and an
 * equivariant calculator gives F(gx) = permuteRows(F(x)·M, perm), σ(gx) = Mᵀσ(x)M.
 */
export interface SymmetryOperation {
  kind: SymmetryKind;
  label: string;
  /** Orthogonal M [9] (r -> r·M); identity except for rotations and reflections. */
  matrix: Float64Array;
  /** [N] new atom k is old atom perm[k]; null = unchanged order. */
  permutation: Int32Array | null;
  apply(sys: AtomicSystem): AtomicSystem;
}

export interface SymmetryCounts {
  /** Proper rotations per structure. Default 2. */
  rotations?: number;
  /** Improper rotations (rotation × reflection). Default 1. */
  reflections?: number;
  /** Translations. Default 1. */
  translations?: number;
  /** Permutations of like atoms (structures with > 1 atom of some element). Default 1. */
  permutations?: number;
  /** Cell re-choices (periodic along at least two axes). Default 2. */
  cellRechoices?: number;
}

export interface SymmetryThresholds {
  /** Flag when |ΔE|/N exceeds this, meV/atom. Default 0.01. */
  energyTolMevPerAtom?: number;
  /** Flag when the force equivariance error exceeds this, eV/Å. Default 1e-3. */
  forceTolEvPerA?: number;
  /** Flag when the stress equivariance error exceeds this, GPa. Default 1e-3. */
  stressTolGpa?: number;
}

export interface EquivarianceCheck {
  kind: SymmetryKind;
  label: string;
  energy_error_mev_per_atom: number;
  /** null when the calculator has no forces. */
  force_error_ev_per_a: number | null;
  /** null without stress (non-periodic structure, or the calculator has none). */
  stress_error_gpa: number | null;
}

export interface KindSummary {
  checks: number;
  max_energy_error_mev_per_atom: number | null;
  max_force_error_ev_per_a: number | null;
  max_stress_error_gpa: number | null;
}

export interface StructureSymmetry {
  index: number;
  atoms: number;
  periodic: boolean;
  checks: EquivarianceCheck[];
}

export interface SymmetryReport extends AuditReportBase {
  audit: 'symmetry';
  seed: number;
  max_energy_error_mev_per_atom: number | null;
  max_force_error_ev_per_a: number | null;
  max_stress_error_gpa: number | null;
  by_kind: Record<SymmetryKind, KindSummary>;
  structures: StructureSymmetry[];
}

const fmtVec = (v: ArrayLike<number>) => `(${Array.from(v, (x) => x.toFixed(3)).join(', ')})`;

/** Random symmetry operations suited to `sys` (cell re-choices only when periodic). */
export function randomSymmetryOperations(sys: AtomicSystem, rng: Rng, counts: SymmetryCounts = {}): SymmetryOperation[] {
  const ops: SymmetryOperation[] = [];
  const orth = (kind: 'rotation' | 'reflection', M: Float64Array): SymmetryOperation => ({
    kind,
    label: `${kind === 'rotation' ? 'rotation' : 'improper rotation (reflection)'} by ${rotationAngleDeg(M).toFixed(1)}°, det ${kind === 'rotation' ? '+1' : '-1'}`,
    matrix: M,
    permutation: null,
    apply: (s) => mapSystem(s, M),
  });
  for (let t = 0; t < (counts.rotations ?? 2); t++) ops.push(orth('rotation', randomRotation(rng)));
  for (let t = 0; t < (counts.reflections ?? 1); t++) ops.push(orth('reflection', randomReflection(rng)));
  for (let t = 0; t < (counts.translations ?? 1); t++) {
    const v = Float64Array.from([rng.uniform(-7, 7), rng.uniform(-7, 7), rng.uniform(-7, 7)]);
    ops.push({
      kind: 'translation',
      label: `translation by ${fmtVec(v)} Å${isPeriodicAny(sys) ? ', atoms wrapped' : ''}`,
      matrix: Float64Array.from(IDENTITY3),
      permutation: null,
      apply: (s) => translateSystem(s, v, true),
    });
  }
  const perElement = new Map<number, number>();
  for (const z of sys.numbers) perElement.set(z, (perElement.get(z) ?? 0) + 1);
  if ([...perElement.values()].some((c) => c > 1)) {
    for (let t = 0; t < (counts.permutations ?? 1); t++) {
      const perm = randomLikeAtomPermutation(sys.numbers, rng);
      let moved = 0;
      perm.forEach((p, k) => (moved += p !== k ? 1 : 0));
      ops.push({ kind: 'permutation', label: `permutation of like atoms (${moved} of ${perm.length} moved)`, matrix: Float64Array.from(IDENTITY3), permutation: perm, apply: (s) => permuteSystem(s, perm) });
    }
  }
  if (sys.cellA && sys.pbc.filter(Boolean).length >= 2) {
    for (let t = 0; t < (counts.cellRechoices ?? 2); t++) {
      const U = randomUnimodular(rng, sys.pbc, 3 + t, 1 + t);
      ops.push({
        kind: 'cell_rechoice',
        label: `cell re-choice U = [${Array.from(U).join(' ')}] (det 1), atoms wrapped`,
        matrix: Float64Array.from(IDENTITY3),
        permutation: null,
        apply: (s) => rechooseCell(s, U),
      });
    }
  }
  return ops;
}

function requestFor(calc: Calculator, sys: AtomicSystem) {
  return {
    forces: calc.implementedProperties.includes('forces'),
    stress: calc.implementedProperties.includes('stress') && isPeriodic3(sys),
  };
}

function computeFresh(calc: Calculator, sys: AtomicSystem, req: { forces: boolean; stress: boolean }): CalcResult {
  calc.reset?.();
  const r = calc.compute(sys, req);
  return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA?.slice(), stressEvPerA3: r.stressEvPerA3?.slice() };
}

/** Errors of one operation against the reference result of the untransformed structure. */
export function equivarianceErrorsOf(calc: Calculator, sys: AtomicSystem, op: SymmetryOperation, reference?: CalcResult): EquivarianceCheck {
  const req = requestFor(calc, sys);
  const ref = reference ?? computeFresh(calc, sys, req);
  const moved = computeFresh(calc, op.apply(sys), req);
  const n = sys.numbers.length;
  let forceErr: number | null = null;
  if (req.forces && ref.forcesEvPerA && moved.forcesEvPerA) {
    let expected = rowsTimes(ref.forcesEvPerA, op.matrix);
    if (op.permutation) expected = permuteRows(expected, op.permutation);
    forceErr = maxAbsDifference(moved.forcesEvPerA, expected);
  }
  let stressErr: number | null = null;
  if (req.stress && ref.stressEvPerA3 && moved.stressEvPerA3) {
    stressErr = maxAbsDifference(moved.stressEvPerA3, congruent(ref.stressEvPerA3, op.matrix)) / GPA_EV_PER_A3;
  }
  return {
    kind: op.kind,
    label: op.label,
    energy_error_mev_per_atom: (1000 * Math.abs(moved.energyEv - ref.energyEv)) / Math.max(1, n),
    force_error_ev_per_a: forceErr,
    stress_error_gpa: stressErr,
  };
}

export interface CheckEquivarianceOptions extends SymmetryCounts, SymmetryThresholds {
  /** Seed of the random operations. Default 1. */
  seed?: number;
  /** Use these operations instead of random ones. */
  operations?: SymmetryOperation[];
}

/**
 * The reusable equivariance check of one structure: every operation's errors, and whether any
 * exceeds the thresholds. Tests of a new model call this (expect(r.pass).toBe(true)).
 */
export function checkEquivariance(calc: Calculator, sys: AtomicSystem, options: CheckEquivarianceOptions = {}): { pass: boolean; checks: EquivarianceCheck[] } {
  const th = resolveThresholds(options);
  const ops = options.operations ?? randomSymmetryOperations(sys, createRng(options.seed ?? 1), options);
  const ref = computeFresh(calc, sys, requestFor(calc, sys));
  const checks = ops.map((op) => equivarianceErrorsOf(calc, sys, op, ref));
  const pass = checks.every((c) => exceeded(c, th).length === 0);
  return { pass, checks };
}

function resolveThresholds(o: SymmetryThresholds) {
  return {
    energy_mev_per_atom: o.energyTolMevPerAtom ?? 0.01,
    force_ev_per_a: o.forceTolEvPerA ?? 1e-3,
    stress_gpa: o.stressTolGpa ?? 1e-3,
  };
}

/** Which quantities of a check exceed the thresholds (NaN counts as exceeding). */
function exceeded(c: EquivarianceCheck, th: ReturnType<typeof resolveThresholds>): ('energy' | 'forces' | 'stress')[] {
  const out: ('energy' | 'forces' | 'stress')[] = [];
  if (!(c.energy_error_mev_per_atom <= th.energy_mev_per_atom)) out.push('energy');
  if (c.force_error_ev_per_a !== null && !(c.force_error_ev_per_a <= th.force_ev_per_a)) out.push('forces');
  if (c.stress_error_gpa !== null && !(c.stress_error_gpa <= th.stress_gpa)) out.push('stress');
  return out;
}

export interface SymmetryAuditOptions extends SymmetryCounts, SymmetryThresholds, AuditRunOptions {
  /** Seed of the random operations. Default 1. */
  seed?: number;
}

/** The symmetry audit over a set of structures. */
export function symmetryAudit(calc: Calculator, systems: readonly AtomicSystem[], options: SymmetryAuditOptions = {}): SymmetryReport {
  if (systems.length === 0) throw new Error('symmetry audit: no structures given');
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const th = resolveThresholds(options);
  const structures: StructureSymmetry[] = [];
  const flags: string[] = [];
  const notes: string[] = [];
  systems.forEach((sys, index) => {
    checkAborted(options.signal);
    const ops = randomSymmetryOperations(sys, rng, options);
    const ref = computeFresh(calc, sys, requestFor(calc, sys));
    const checks = ops.map((op) => equivarianceErrorsOf(calc, sys, op, ref));
    structures.push({ index, atoms: sys.numbers.length, periodic: isPeriodicAny(sys), checks });
    options.onProgress?.(index + 1, systems.length);
  });
  const byKind = {} as Record<SymmetryKind, KindSummary>;
  for (const kind of SYMMETRY_KINDS) {
    const cs = structures.flatMap((s) => s.checks.filter((c) => c.kind === kind).map((c) => ({ s, c })));
    byKind[kind] = {
      checks: cs.length,
      max_energy_error_mev_per_atom: maxOrNull(cs.map(({ c }) => c.energy_error_mev_per_atom)),
      max_force_error_ev_per_a: maxOrNull(cs.map(({ c }) => c.force_error_ev_per_a)),
      max_stress_error_gpa: maxOrNull(cs.map(({ c }) => c.stress_error_gpa)),
    };
    // one flag per kind and quantity, naming the worst case
    const worst = (pick: (c: EquivarianceCheck) => number | null) =>
      cs.reduce<{ s: StructureSymmetry; c: EquivarianceCheck } | null>((w, x) => {
        const v = pick(x.c);
        if (v === null) return w;
        const wv = w ? pick(w.c) : null;
        return wv === null || !(v <= wv) ? x : w;
      }, null);
    const quantities = [
      ['energy', (c: EquivarianceCheck) => c.energy_error_mev_per_atom, th.energy_mev_per_atom, 'meV/atom', 'energy changes by'],
      ['forces', (c: EquivarianceCheck) => c.force_error_ev_per_a, th.force_ev_per_a, 'eV/Å', 'forces deviate from the transformed forces by'],
      ['stress', (c: EquivarianceCheck) => c.stress_error_gpa, th.stress_gpa, 'GPa', 'stress deviates from the transformed stress by'],
    ] as const;
    for (const [, pick, tol, unit, what] of quantities) {
      const w = worst(pick);
      const v = w ? pick(w.c) : null;
      if (w && v !== null && !(v <= tol)) flags.push(`${kind}: ${what} ${fmt(v)} ${unit} (threshold ${fmt(tol)}) in structure ${w.s.index}, ${w.c.label}`);
    }
  }
  if (byKind.cell_rechoice.checks === 0 && systems.some((s) => isPeriodicAny(s))) notes.push('no cell re-choice was possible (fewer than two periodic axes)');
  if (!systems.some((s) => isPeriodicAny(s))) notes.push('no periodic structure: cell re-choices not tested');
  if (!calc.implementedProperties.includes('stress')) notes.push('the calculator has no stress: stress equivariance not tested');
  const all = structures.flatMap((s) => s.checks);
  return {
    audit: 'symmetry',
    calculator: calc.name,
    verdict: flags.length ? 'flag' : 'pass',
    thresholds: th,
    flags,
    notes,
    seed,
    max_energy_error_mev_per_atom: maxOrNull(all.map((c) => c.energy_error_mev_per_atom)),
    max_force_error_ev_per_a: maxOrNull(all.map((c) => c.force_error_ev_per_a)),
    max_stress_error_gpa: maxOrNull(all.map((c) => c.stress_error_gpa)),
    by_kind: byKind,
    structures,
  };
}
