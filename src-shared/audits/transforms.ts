// Geometric operations on an AtomicSystem that the physics audits apply: orthogonal maps (proper
// rotations and improper ones, i.e. reflections), translations, permutations of like atoms,
// integer unimodular cell re-choices, supercells and homogeneous strains.
//
// Convention (ASE's, as in space/cell.ts): positions and cell vectors are ROW vectors, and a
// linear map acts as r -> r·M (M row-major [9]). For an orthogonal M, an exactly equivariant
// calculator gives
//   E(x·M) = E(x),   F(x·M) = F(x)·M,   σ(x·M) = Mᵀ σ(x) M                                    (1)
// (forces are vectors; the stress is a rank-2 tensor; the column-vector form is Q = Mᵀ, σ' = QσQᵀ).
// A cell re-choice keeps the lattice and changes its basis: cell' = U·cell with U an integer
// matrix of determinant 1, atoms wrapped into the new cell; E, F and σ are unchanged (Minkowski
// reduction, ASE ase/geometry/minkowski_reduction.py, is the same idea used the other way).
// A homogeneous strain ε (symmetric) maps r -> r·(I + ε); Voigt order is xx, yy, zz, yz, xz, xy
// with engineering shears ε₄ = 2ε_yz, ε₅ = 2ε_xz, ε₆ = 2ε_xy (Nye, Physical Properties of
// Crystals, 1957).
import type { AtomicSystem } from '../calculators/calculator';
import { determinant3, wrapPositions } from '../space/cell';
import type { Rng } from '../space/rng';

/** Voigt index -> Cartesian pair: xx, yy, zz, yz, xz, xy. */
export const VOIGT_PAIRS: readonly (readonly [number, number])[] = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];
export const VOIGT_LABELS = ['xx', 'yy', 'zz', 'yz', 'xz', 'xy'] as const;

export const IDENTITY3: Readonly<Float64Array> = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** A deep copy with fresh arrays. */
export function copySystem(sys: AtomicSystem): AtomicSystem {
  return {
    numbers: Int32Array.from(sys.numbers),
    positionsA: Float64Array.from(sys.positionsA),
    cellA: sys.cellA ? Float64Array.from(sys.cellA) : null,
    pbc: [sys.pbc[0], sys.pbc[1], sys.pbc[2]],
  };
}

/** True when the system has a cell and is periodic along all three axes. */
export function isPeriodic3(sys: AtomicSystem): boolean {
  return !!sys.cellA && sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
}

/** True when some axis is periodic (and there is a cell). */
export function isPeriodicAny(sys: AtomicSystem): boolean {
  return !!sys.cellA && (sys.pbc[0] || sys.pbc[1] || sys.pbc[2]);
}

/** Rows of `v` [3K] times M: out[3k+c] = Σ_a v[3k+a] M[3a+c]. */
export function rowsTimes(v: ArrayLike<number>, M: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  for (let q = 0; q < v.length; q += 3) {
    const x = v[q], y = v[q + 1], z = v[q + 2];
    out[q] = x * M[0] + y * M[3] + z * M[6];
    out[q + 1] = x * M[1] + y * M[4] + z * M[7];
    out[q + 2] = x * M[2] + y * M[5] + z * M[8];
  }
  return out;
}

/** a·b for row-major [9] matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  return out;
}

/** Mᵀ S M: how a stress transforms when the system maps by r -> r·M (M orthogonal), eq. (1). */
export function congruent(S: ArrayLike<number>, M: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let c = 0; c < 3; c++) for (let d = 0; d < 3; d++) s += M[3 * c + a] * S[3 * c + d] * M[3 * d + b];
      out[3 * a + b] = s;
    }
  }
  return out;
}

/** The system mapped by r -> r·M (positions and cell rows). */
export function mapSystem(sys: AtomicSystem, M: ArrayLike<number>): AtomicSystem {
  return { ...copySystem(sys), positionsA: rowsTimes(sys.positionsA, M), cellA: sys.cellA ? rowsTimes(sys.cellA, M) : null };
}

/** Positions moved by t [3] Å; with `wrap`, atoms are put back into the cell along periodic axes. */
export function translateSystem(sys: AtomicSystem, tA: ArrayLike<number>, wrap = true): AtomicSystem {
  const out = copySystem(sys);
  const x = out.positionsA;
  for (let q = 0; q < x.length; q += 3) {
    x[q] += tA[0];
    x[q + 1] += tA[1];
    x[q + 2] += tA[2];
  }
  if (wrap && isPeriodicAny(out)) wrapPositions(x, x, out.cellA!, out.pbc);
  return out;
}

/** New atom k is old atom perm[k] (positions and atomic numbers follow). */
export function permuteSystem(sys: AtomicSystem, perm: ArrayLike<number>): AtomicSystem {
  const n = sys.numbers.length;
  const out = copySystem(sys);
  for (let k = 0; k < n; k++) {
    const p = perm[k];
    out.numbers[k] = sys.numbers[p];
    out.positionsA[3 * k] = sys.positionsA[3 * p];
    out.positionsA[3 * k + 1] = sys.positionsA[3 * p + 1];
    out.positionsA[3 * k + 2] = sys.positionsA[3 * p + 2];
  }
  return out;
}

/** Rows of a per-atom array [N·width] permuted like permuteSystem. */
export function permuteRows(v: ArrayLike<number>, perm: ArrayLike<number>, width = 3): Float64Array {
  const out = new Float64Array(v.length);
  for (let k = 0; k < perm.length; k++) for (let c = 0; c < width; c++) out[width * k + c] = v[width * perm[k] + c];
  return out;
}

/**
 * A random permutation that only exchanges atoms of the same element (numbers[perm[k]] ===
 * numbers[k]): the species list is unchanged, like atoms swap places (Fisher-Yates per element).
 */
export function randomLikeAtomPermutation(numbers: ArrayLike<number>, rng: Rng): Int32Array {
  const n = numbers.length;
  const perm = Int32Array.from({ length: n }, (_, k) => k);
  const groups = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const g = groups.get(numbers[k]);
    if (g) g.push(k);
    else groups.set(numbers[k], [k]);
  }
  for (const idx of groups.values()) {
    const shuffled = idx.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    idx.forEach((k, t) => (perm[k] = shuffled[t]));
  }
  return perm;
}

/** Uniform random rotation [9] (det +1) from a random unit quaternion (Shoemake 1992). */
export function randomRotation(rng: Rng): Float64Array {
  const u1 = rng.next(), u2 = rng.next() * 2 * Math.PI, u3 = rng.next() * 2 * Math.PI;
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  const w = a * Math.sin(u2), x = a * Math.cos(u2), y = b * Math.sin(u3), z = b * Math.cos(u3);
  return new Float64Array([
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ]);
}

/**
 * A random improper orthogonal matrix (det -1): a random rotation times the reflection
 * I - 2 n nᵀ through the plane normal to a random unit vector n.
 */
export function randomReflection(rng: Rng): Float64Array {
  let nx = 0, ny = 0, nz = 0, norm = 0;
  while (!(norm > 1e-3)) {
    nx = rng.normal(); ny = rng.normal(); nz = rng.normal();
    norm = Math.hypot(nx, ny, nz);
  }
  nx /= norm; ny /= norm; nz /= norm;
  const H = new Float64Array([1 - 2 * nx * nx, -2 * nx * ny, -2 * nx * nz, -2 * ny * nx, 1 - 2 * ny * ny, -2 * ny * nz, -2 * nz * nx, -2 * nz * ny, 1 - 2 * nz * nz]);
  return matMul(randomRotation(rng), H);
}

/** Rotation angle (degrees) of an orthogonal matrix's proper part (det·M). */
export function rotationAngleDeg(M: ArrayLike<number>): number {
  const s = determinant3(M) < 0 ? -1 : 1;
  const tr = s * (M[0] + M[4] + M[8]);
  return (Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2))) * 180) / Math.PI;
}

/**
 * A random integer matrix U [9] with det U = +1 that mixes periodic rows only (non-periodic rows
 * stay unit rows): `steps` elementary operations row_r += k·row_c, |k| <= maxCoefficient, among
 * periodic rows, plus a cyclic relabelling of the periodic axes when all three are periodic.
 * Returns the identity when fewer than two axes are periodic.
 */
export function randomUnimodular(rng: Rng, pbc: readonly [boolean, boolean, boolean], steps = 3, maxCoefficient = 1): Float64Array {
  const U = Float64Array.from(IDENTITY3);
  const per = [0, 1, 2].filter((k) => pbc[k]);
  if (per.length < 2) return U;
  for (let t = 0; t < steps; t++) {
    const r = per[rng.int(per.length)];
    const others = per.filter((c) => c !== r);
    const c = others[rng.int(others.length)];
    const k = (rng.int(maxCoefficient) + 1) * (rng.next() < 0.5 ? -1 : 1);
    for (let q = 0; q < 3; q++) U[3 * r + q] += k * U[3 * c + q];
  }
  if (per.length === 3 && rng.next() < 0.5) {
    // cyclic relabelling a,b,c -> b,c,a keeps det = +1
    const P = new Float64Array([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    return matMul(P, U);
  }
  return U;
}

/**
 * The same crystal described by the cell U·cell (U integer, det ±1, mixing periodic rows only),
 * atoms wrapped into the new cell along periodic axes. Atom order is unchanged.
 */
export function rechooseCell(sys: AtomicSystem, U: ArrayLike<number>): AtomicSystem {
  if (!sys.cellA) throw new Error('rechooseCell: the system has no cell');
  const det = determinant3(U);
  if (Math.abs(Math.abs(det) - 1) > 1e-12 || Array.from(U).some((u) => u !== Math.round(u))) {
    throw new Error('rechooseCell: U must be an integer matrix with determinant ±1');
  }
  const out = copySystem(sys);
  out.cellA = matMul(U, sys.cellA);
  wrapPositions(out.positionsA, out.positionsA, out.cellA, out.pbc);
  return out;
}

/** The system repeated na × nb × nc times (periodic axes only), atoms ordered replica by replica. */
export function supercellSystem(sys: AtomicSystem, reps: readonly [number, number, number]): AtomicSystem {
  if (!sys.cellA) throw new Error('supercellSystem: the system has no cell');
  const c = sys.cellA;
  const [na, nb, nc] = reps;
  for (let k = 0; k < 3; k++) {
    if (!Number.isInteger(reps[k]) || reps[k] < 1) throw new Error(`supercellSystem: repeats must be positive integers, got ${reps.join('x')}`);
    if (reps[k] > 1 && !sys.pbc[k]) throw new Error(`supercellSystem: axis ${k} is not periodic and cannot be repeated`);
  }
  const n = sys.numbers.length;
  const reps3 = na * nb * nc;
  const numbers = new Int32Array(n * reps3);
  const pos = new Float64Array(3 * n * reps3);
  let t = 0;
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      for (let k = 0; k < nc; k++) {
        for (let a = 0; a < n; a++) {
          numbers[t] = sys.numbers[a];
          for (let q = 0; q < 3; q++) pos[3 * t + q] = sys.positionsA[3 * a + q] + i * c[q] + j * c[3 + q] + k * c[6 + q];
          t++;
        }
      }
    }
  }
  const cell = new Float64Array(9);
  for (let q = 0; q < 3; q++) {
    cell[q] = na * c[q];
    cell[3 + q] = nb * c[3 + q];
    cell[6 + q] = nc * c[6 + q];
  }
  return { numbers, positionsA: pos, cellA: cell, pbc: [sys.pbc[0], sys.pbc[1], sys.pbc[2]] };
}

/** Symmetric strain tensor [9] for Voigt component j (0..5) of magnitude δ (engineering shear). */
export function voigtStrain(j: number, delta: number): Float64Array {
  const eps = new Float64Array(9);
  const [a, b] = VOIGT_PAIRS[j];
  if (a === b) eps[4 * a] = delta;
  else {
    eps[3 * a + b] = delta / 2;
    eps[3 * b + a] = delta / 2;
  }
  return eps;
}

/** The system under the homogeneous strain r -> r·(I + ε), ε [9] (positions and cell). */
export function strainSystem(sys: AtomicSystem, eps: ArrayLike<number>): AtomicSystem {
  const F = new Float64Array(9);
  for (let q = 0; q < 9; q++) F[q] = eps[q] + IDENTITY3[q];
  return mapSystem(sys, F);
}

/** [9] row-major tensor -> Voigt [6] (xx, yy, zz, yz, xz, xy), symmetrising the shears. */
export function toVoigt(S: ArrayLike<number>): number[] {
  return VOIGT_PAIRS.map(([a, b]) => (a === b ? S[4 * a] : 0.5 * (S[3 * a + b] + S[3 * b + a])));
}

/** max_k |a_k - b_k|. NaN counts as the worst. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** max_k |a_k|. */
export function maxAbsValue(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]);
    if (!(d <= m)) m = d;
  }
  return m;
}
