// Helpers for testing calculators against reference numbers and physical invariances (pure: the
// spec files read the fixtures and pass the parsed JSON in).
//
// Reference criterion (used for the LAMMPS fixtures, fixtures/potentials/*.json): for every
// component k of a quantity, |ours_k - ref_k| <= tol · max(|ref_k|, scale), where scale is
//   energy:            Σ_i |e_i| (LAMMPS per-atom energies; >= |E|, so a total that nearly cancels
//                      is judged against the size of its parts)
//   forces:            RMS of the reference force components
//   per-atom energies: RMS of the reference per-atom energies
//   stress:            RMS of the 9 reference stress components.
// `relativeDeviation` returns max_k |Δ_k| / max(|ref_k|, scale), to compare with tol.
import { supercellSystem } from '../audits/transforms';
import type { AtomicSystem, CalcResult } from '../calculators/calculator';
import { atomicNumber } from '../atoms/elements';

export interface ReferenceCase {
  name: string;
  description: string;
  spec: string;
  lammps_pair: string[];
  symbols: string[];
  /** [3N] Å */
  positions: number[];
  /** [9] Å */
  cell: number[];
  pbc: [boolean, boolean, boolean];
  energy: number;
  forces: number[];
  energies: number[];
  /** [9] eV/Å³, ASE sign */
  stress: number[];
  pressure_bar: number[];
}

export interface ReferenceDocument {
  source: string;
  lammps: string;
  nktv2p: number;
  cases: ReferenceCase[];
}

export function systemOf(c: ReferenceCase): AtomicSystem {
  return {
    numbers: Int32Array.from(c.symbols.map((s) => atomicNumber(s))),
    positionsA: Float64Array.from(c.positions),
    cellA: Float64Array.from(c.cell),
    pbc: [c.pbc[0], c.pbc[1], c.pbc[2]],
  };
}

const rms = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * a[k];
  return Math.sqrt(s / Math.max(1, a.length));
};

/** max_k |ours_k - ref_k| / max(|ref_k|, scale). */
export function relativeDeviation(ours: ArrayLike<number>, ref: ArrayLike<number>, scale: number): number {
  if (ours.length !== ref.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < ref.length; k++) {
    const d = Math.abs(ours[k] - ref[k]) / Math.max(Math.abs(ref[k]), scale);
    if (!(d <= worst)) worst = d; // NaN propagates as the worst
  }
  return worst;
}

export interface Deviations {
  energy: number;
  forces: number;
  energies: number;
  stress: number;
}

/** Worst relative deviations of a result (with forces, energies, stress) from a reference case. */
export function deviationsFromReference(r: CalcResult, c: ReferenceCase): Deviations {
  const eScale = c.energies.reduce((s, e) => s + Math.abs(e), 0);
  return {
    energy: relativeDeviation([r.energyEv], [c.energy], eScale),
    forces: r.forcesEvPerA ? relativeDeviation(r.forcesEvPerA, c.forces, rms(c.forces)) : Infinity,
    energies: r.energiesEv ? relativeDeviation(r.energiesEv, c.energies, rms(c.energies)) : Infinity,
    stress: r.stressEvPerA3 ? relativeDeviation(r.stressEvPerA3, c.stress, rms(c.stress)) : Infinity,
  };
}

/** The system with positions and cell rotated: r -> r · R (rows), R a rotation [9]. */
export function rotateSystem(sys: AtomicSystem, R: ArrayLike<number>): AtomicSystem {
  const rot = (src: ArrayLike<number>) => {
    const out = new Float64Array(src.length);
    for (let a = 0; a < src.length; a += 3) {
      const x = src[a], y = src[a + 1], z = src[a + 2];
      out[a] = x * R[0] + y * R[3] + z * R[6];
      out[a + 1] = x * R[1] + y * R[4] + z * R[7];
      out[a + 2] = x * R[2] + y * R[5] + z * R[8];
    }
    return out;
  };
  return { ...sys, positionsA: rot(sys.positionsA), cellA: sys.cellA ? rot(sys.cellA) : null };
}

/** Rᵀ S R for row-major [9] matrices (how a stress transforms when the system rotates by r -> r·R). */
export function rotateTensor(S: ArrayLike<number>, R: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let c = 0; c < 3; c++) for (let d = 0; d < 3; d++) s += R[3 * c + a] * S[3 * c + d] * R[3 * d + b];
      out[3 * a + b] = s;
    }
  }
  return out;
}

/** The system repeated na × nb × nc times (supercell), atoms ordered cell by cell. */
export function supercell(sys: AtomicSystem, na: number, nb: number, nc: number): AtomicSystem {
  return supercellSystem(sys, [na, nb, nc]);
}

/** max |a - b| over components. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** max |a_k| over components. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}
