// Size-extensivity audit: the energy of independent parts adds up. For a calculator built from
// local contributions with a finite cutoff (classical potentials, message-passing or descriptor
// models), E(A ∪ B) = E(A) + E(B) exactly once A and B are farther apart than the cutoff, and a
// periodic crystal repeated n×m×k times has n·m·k times the energy, the same forces on every
// replica and the same stress. Violations point at global normalisations (dividing by N, batch
// statistics), a minimum-image bug in small cells, or long-range terms (which are genuinely not
// extensive; the report says so instead of hiding it).
//   - molecules and clusters (no periodic axis): A = structure i, B = structure i+1 (a structure
//     paired with itself when only one is given), placed with a gap between their bounding boxes;
//     error |E(AB) - E(A) - E(B)| / N_AB, and the forces of AB against those of A and B alone;
//   - periodic structures (and slabs along their periodic axes): supercells n×m×k; error
//     |E(n×m×k) - nmk·E| / N_super, forces of every replica against the primitive forces, stress.
import type { AtomicSystem, CalcResult, Calculator } from '../calculators/calculator';
import { GPA_EV_PER_A3 } from '../units';
import { checkAborted, fmt, maxOrNull, type AuditReportBase, type AuditRunOptions } from './report';
import { copySystem, isPeriodic3, isPeriodicAny, maxAbsDifference, supercellSystem } from './transforms';

export interface ExtensivityOptions extends AuditRunOptions {
  /**
   * Gap between the bounding boxes of A and B, Å. Default: the calculator's cutoff + 5 Å when the
   * cutoff is finite, else 100 Å (a long-range calculator is then reported, not excused).
   */
  gapA?: number;
  /** Supercells of periodic structures. Default 2x1x1, 1x2x1, 1x1x2, 2x2x2. */
  supercells?: readonly (readonly [number, number, number])[];
  /** Skip supercells larger than this many atoms. Default 5000. */
  maxAtoms?: number;
  /** Flag above this |ΔE| per atom, meV/atom. Default 0.01. */
  energyTolMevPerAtom?: number;
  /** Flag above this force difference, eV/Å. Default 1e-3. */
  forceTolEvPerA?: number;
  /** Flag above this stress difference, GPa. Default 1e-3. */
  stressTolGpa?: number;
}

export interface ExtensivityCheck {
  kind: 'separated' | 'supercell';
  /** Indices of the structures involved (A, B for 'separated'). */
  structures: number[];
  /** n, m, k for 'supercell', null otherwise. */
  repeats: [number, number, number] | null;
  /** Atoms in the combined system. */
  atoms: number;
  energy_whole_ev: number;
  /** E(A) + E(B), or nmk·E. */
  energy_parts_ev: number;
  energy_error_mev_per_atom: number;
  force_error_ev_per_a: number | null;
  stress_error_gpa: number | null;
}

export interface ExtensivityReport extends AuditReportBase {
  audit: 'extensivity';
  gap_a: number;
  max_energy_error_mev_per_atom: number | null;
  max_force_error_ev_per_a: number | null;
  max_stress_error_gpa: number | null;
  checks: ExtensivityCheck[];
  skipped: string[];
}

const DEFAULT_SUPERCELLS: readonly (readonly [number, number, number])[] = [[2, 1, 1], [1, 2, 1], [1, 1, 2], [2, 2, 2]];

function computeFresh(calc: Calculator, sys: AtomicSystem, stress: boolean): CalcResult {
  calc.reset?.();
  const forces = calc.implementedProperties.includes('forces');
  const s = stress && calc.implementedProperties.includes('stress') && isPeriodic3(sys);
  const r = calc.compute(sys, { forces, stress: s });
  return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA?.slice(), stressEvPerA3: r.stressEvPerA3?.slice() };
}

function bounds(x: Float64Array): { lo: number[]; hi: number[] } {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let q = 0; q < x.length; q++) {
    lo[q % 3] = Math.min(lo[q % 3], x[q]);
    hi[q % 3] = Math.max(hi[q % 3], x[q]);
  }
  return { lo, hi };
}

/** A and B in free space, B shifted along x so that a gap of `gapA` separates the bounding boxes. */
export function separatedPair(a: AtomicSystem, b: AtomicSystem, gapA: number): AtomicSystem {
  const na = a.numbers.length, nb = b.numbers.length;
  const ba = bounds(a.positionsA), bb = bounds(b.positionsA);
  const shift = [ba.hi[0] + gapA - bb.lo[0], 0.5 * (ba.lo[1] + ba.hi[1] - bb.lo[1] - bb.hi[1]), 0.5 * (ba.lo[2] + ba.hi[2] - bb.lo[2] - bb.hi[2])];
  const numbers = new Int32Array(na + nb);
  numbers.set(a.numbers);
  numbers.set(b.numbers, na);
  const pos = new Float64Array(3 * (na + nb));
  pos.set(a.positionsA);
  for (let q = 0; q < 3 * nb; q++) pos[3 * na + q] = b.positionsA[q] + shift[q % 3];
  return { numbers, positionsA: pos, cellA: null, pbc: [false, false, false] };
}

const freeCopy = (s: AtomicSystem): AtomicSystem => ({ ...copySystem(s), cellA: null, pbc: [false, false, false] });

/** The size-extensivity audit over a set of structures. */
export function extensivityAudit(calc: Calculator, systems: readonly AtomicSystem[], options: ExtensivityOptions = {}): ExtensivityReport {
  if (systems.length === 0) throw new Error('extensivity audit: no structures given');
  const gap = options.gapA ?? (Number.isFinite(calc.cutoffA) ? Math.max(0, calc.cutoffA) + 5 : 100);
  if (!(gap > 0)) throw new Error(`extensivity audit: gapA must be > 0 Å, got ${gap}`);
  const th = {
    energy_mev_per_atom: options.energyTolMevPerAtom ?? 0.01,
    force_ev_per_a: options.forceTolEvPerA ?? 1e-3,
    stress_gpa: options.stressTolGpa ?? 1e-3,
  };
  const maxAtoms = options.maxAtoms ?? 5000;
  const supercells = options.supercells ?? DEFAULT_SUPERCELLS;
  const checks: ExtensivityCheck[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  const molecules = systems.map((s, i) => ({ s, i })).filter(({ s }) => !isPeriodicAny(s));
  const periodic = systems.map((s, i) => ({ s, i })).filter(({ s }) => isPeriodicAny(s));
  const total = molecules.length + periodic.length;
  let done = 0;

  molecules.forEach(({ s: a, i }, k) => {
    checkAborted(options.signal);
    const { s: b, i: j } = molecules[(k + 1) % molecules.length];
    const A = freeCopy(a), B = freeCopy(b);
    const AB = separatedPair(A, B, gap);
    const n = AB.numbers.length;
    const ra = computeFresh(calc, A, false), rb = computeFresh(calc, B, false), rab = computeFresh(calc, AB, false);
    let forceErr: number | null = null;
    if (ra.forcesEvPerA && rb.forcesEvPerA && rab.forcesEvPerA) {
      const na3 = 3 * A.numbers.length;
      forceErr = Math.max(maxAbsDifference(rab.forcesEvPerA.subarray(0, na3), ra.forcesEvPerA), maxAbsDifference(rab.forcesEvPerA.subarray(na3), rb.forcesEvPerA));
    }
    const parts = ra.energyEv + rb.energyEv;
    checks.push({
      kind: 'separated', structures: [i, j], repeats: null, atoms: n,
      energy_whole_ev: rab.energyEv, energy_parts_ev: parts,
      energy_error_mev_per_atom: (1000 * Math.abs(rab.energyEv - parts)) / n,
      force_error_ev_per_a: forceErr, stress_error_gpa: null,
    });
    options.onProgress?.(++done, total);
  });

  for (const { s, i } of periodic) {
    checkAborted(options.signal);
    const base = computeFresh(calc, s, true);
    const n0 = s.numbers.length;
    const seen = new Set<string>();
    for (const reps of supercells) {
      // repeat along periodic axes only (a slab keeps 1 along its open axis)
      const r: [number, number, number] = [s.pbc[0] ? reps[0] : 1, s.pbc[1] ? reps[1] : 1, s.pbc[2] ? reps[2] : 1];
      const key = r.join('x');
      if (seen.has(key) || r[0] * r[1] * r[2] === 1) continue;
      seen.add(key);
      const m = r[0] * r[1] * r[2];
      if (n0 * m > maxAtoms) {
        skipped.push(`structure ${i} ${key}: ${n0 * m} atoms > maxAtoms ${maxAtoms}`);
        continue;
      }
      const big = supercellSystem(s, r);
      const rb = computeFresh(calc, big, true);
      let forceErr: number | null = null;
      if (base.forcesEvPerA && rb.forcesEvPerA) {
        forceErr = 0;
        for (let rep = 0; rep < m; rep++) forceErr = Math.max(forceErr, maxAbsDifference(rb.forcesEvPerA.subarray(rep * 3 * n0, (rep + 1) * 3 * n0), base.forcesEvPerA));
      }
      const stressErr = base.stressEvPerA3 && rb.stressEvPerA3 ? maxAbsDifference(rb.stressEvPerA3, base.stressEvPerA3) / GPA_EV_PER_A3 : null;
      checks.push({
        kind: 'supercell', structures: [i], repeats: r, atoms: n0 * m,
        energy_whole_ev: rb.energyEv, energy_parts_ev: m * base.energyEv,
        energy_error_mev_per_atom: (1000 * Math.abs(rb.energyEv - m * base.energyEv)) / (n0 * m),
        force_error_ev_per_a: forceErr, stress_error_gpa: stressErr,
      });
    }
    options.onProgress?.(++done, total);
  }

  const flags: string[] = [];
  const describe = (c: ExtensivityCheck) =>
    c.kind === 'separated' ? `structures ${c.structures[0]} and ${c.structures[1]} ${gap} Å apart` : `structure ${c.structures[0]} as a ${c.repeats!.join('x')} supercell`;
  for (const c of checks) {
    const what = c.kind === 'separated' ? 'E(A and B apart) - E(A) - E(B)' : `E(${c.repeats!.join('x')}) - ${c.repeats![0] * c.repeats![1] * c.repeats![2]}·E`;
    if (!(c.energy_error_mev_per_atom <= th.energy_mev_per_atom)) flags.push(`${describe(c)}: ${what} = ${fmt(c.energy_error_mev_per_atom)} meV/atom (threshold ${fmt(th.energy_mev_per_atom)})`);
    if (c.force_error_ev_per_a !== null && !(c.force_error_ev_per_a <= th.force_ev_per_a)) flags.push(`${describe(c)}: forces differ from those of the parts by ${fmt(c.force_error_ev_per_a)} eV/Å (threshold ${fmt(th.force_ev_per_a)})`);
    if (c.stress_error_gpa !== null && !(c.stress_error_gpa <= th.stress_gpa)) flags.push(`${describe(c)}: stress differs by ${fmt(c.stress_error_gpa)} GPa (threshold ${fmt(th.stress_gpa)})`);
  }
  if (!Number.isFinite(calc.cutoffA)) notes.push(`the calculator has no finite cutoff; parts were placed ${gap} Å apart`);
  if (molecules.length === 0) notes.push('no non-periodic structure: E(A and B apart) vs E(A) + E(B) not tested');
  if (periodic.length === 0) notes.push('no periodic structure: supercells not tested');
  return {
    audit: 'extensivity',
    calculator: calc.name,
    verdict: flags.length ? 'flag' : 'pass',
    thresholds: th,
    flags,
    notes,
    gap_a: gap,
    max_energy_error_mev_per_atom: maxOrNull(checks.map((c) => c.energy_error_mev_per_atom)),
    max_force_error_ev_per_a: maxOrNull(checks.map((c) => c.force_error_ev_per_a)),
    max_stress_error_gpa: maxOrNull(checks.map((c) => c.stress_error_gpa)),
    checks,
    skipped,
  };
}
