// Coulomb matrix (Rupp, Tkatchenko, Müller & von Lilienfeld, PRL 108, 058301 (2012), Eq. 2):
//
//   M_ii = ½ Z_i^2.4                    (a fit of the free-atom energy to Z, in Hartree)
//   M_ij = Z_i Z_j / |R_i - R_j|        (nuclear Coulomb repulsion, i ≠ j)
//
// in atomic units: Z in e, distances in Bohr (R[Bohr] = R[Å] / 0.529177…). This is the convention
// of the QM7 release: the README of ../shared/data/qm7_Rupp2012 checked every molecule's original
// `X` matrix against it (max relative difference 3e-6, float32 level). Using Å instead would scale
// the off-diagonal block by 0.529 relative to the diagonal and change what a kernel sees.
//
// Two permutation-invariant forms, both padded with zeros to the largest molecule (nMax atoms):
// - sorted: rows and columns permuted so that the row norms ‖M_i‖₂ decrease (Montavon et al.,
//   NIPS 25 (2012), §2; Hansen et al., JCTC 9, 3404 (2013), "sorted Coulomb matrix"), then the
//   lower triangle (with diagonal) of the nMax×nMax matrix, row by row: nMax(nMax+1)/2 numbers.
//   The order is discontinuous where two row norms cross; exactly equal norms of non-equivalent
//   atoms are broken by atom index, which makes the representation order-dependent there.
// - eigenvalue spectrum: the N eigenvalues of M sorted by decreasing absolute value, then zeros up
//   to nMax (Rupp 2012: "d(M, M') = (Σ_i |ε_i - ε'_i|²)^½ with ε the eigenvalues in order of
//   decreasing absolute value, the shorter padded with zeros"). Fully invariant (the spectrum
//   does not depend on the atom order) but lossy: different molecules can share a spectrum.
import { BOHR_A } from '../units';
import { sortByDecreasingMagnitude, symmetricEigenvalues } from './symmetricEigen';

/** Diagonal entry ½ Z^2.4 (Hartree). */
export function coulombDiagonal(z: number): number {
  return 0.5 * Math.pow(z, 2.4);
}

/**
 * Full Coulomb matrix of one structure, [N·N] row-major, atomic units.
 * @param numbers [N] atomic numbers
 * @param positionsA [3N] Å
 */
export function coulombMatrix(numbers: ArrayLike<number>, positionsA: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = numbers.length;
  const m = out ?? new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = coulombDiagonal(numbers[i]);
    for (let j = 0; j < i; j++) {
      const dx = positionsA[3 * i] - positionsA[3 * j];
      const dy = positionsA[3 * i + 1] - positionsA[3 * j + 1];
      const dz = positionsA[3 * i + 2] - positionsA[3 * j + 2];
      const rBohr = Math.sqrt(dx * dx + dy * dy + dz * dz) / BOHR_A;
      const v = rBohr > 0 ? (numbers[i] * numbers[j]) / rBohr : Infinity;
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  return m;
}

/** Atom order by decreasing row norm of M (stable: equal norms keep index order). */
export function rowNormOrder(m: Float64Array, n: number): number[] {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j] * m[i * n + j];
    norms[i] = Math.sqrt(s);
  }
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b);
}

/** Length of the packed sorted-CM vector for molecules of up to nMax atoms. */
export function sortedCoulombLength(nMax: number): number {
  return (nMax * (nMax + 1)) / 2;
}

/**
 * Row-norm-sorted Coulomb matrix, packed lower triangle of the zero-padded nMax×nMax matrix:
 * entry (i, j), j <= i, at i(i+1)/2 + j. [nMax(nMax+1)/2].
 */
export function sortedCoulombMatrix(numbers: ArrayLike<number>, positionsA: ArrayLike<number>, nMax: number, out?: Float64Array): Float64Array {
  const n = numbers.length;
  if (n > nMax) throw new Error(`sorted Coulomb matrix: structure has ${n} atoms, more than the ${nMax} it was sized for`);
  const len = sortedCoulombLength(nMax);
  const v = out ?? new Float64Array(len);
  v.fill(0, 0, len);
  const m = coulombMatrix(numbers, positionsA);
  const order = rowNormOrder(m, n);
  for (let i = 0; i < n; i++) {
    const oi = order[i];
    for (let j = 0; j <= i; j++) v[(i * (i + 1)) / 2 + j] = m[oi * n + order[j]];
  }
  return v;
}

/** Eigenvalues of M by decreasing |ε|, zero-padded to nMax. [nMax] */
export function coulombEigenvalues(numbers: ArrayLike<number>, positionsA: ArrayLike<number>, nMax: number, out?: Float64Array): Float64Array {
  const n = numbers.length;
  if (n > nMax) throw new Error(`Coulomb eigenvalues: structure has ${n} atoms, more than the ${nMax} it was sized for`);
  const v = out ?? new Float64Array(nMax);
  v.fill(0, 0, nMax);
  if (n === 0) return v;
  const ev = sortByDecreasingMagnitude(symmetricEigenvalues(coulombMatrix(numbers, positionsA), n));
  v.set(ev, 0);
  return v;
}
