// Small dense linear algebra on 6x6 elastic matrices (Voigt order xx, yy, zz, yz, xz, xy, GPa) and
// the polycrystalline averages derived from them.
//
// Voigt (uniform strain, upper bound) and Reuss (uniform stress, lower bound) averages, with
// S = C⁻¹ the compliance matrix (W. Voigt, Lehrbuch der Kristallphysik, 1928; A. Reuss,
// ZAMM 9, 49 (1929); formulas as in de Jong et al., Sci. Data 2, 150009 (2015)):
//   K_V = [(C11 + C22 + C33) + 2 (C12 + C23 + C31)] / 9
//   G_V = [(C11 + C22 + C33) - (C12 + C23 + C31) + 3 (C44 + C55 + C66)] / 15
//   1/K_R = (S11 + S22 + S33) + 2 (S12 + S23 + S31)
//   15/G_R = 4 (S11 + S22 + S33) - 4 (S12 + S23 + S31) + 3 (S44 + S55 + S66)
// Hill's estimate is the arithmetic mean (R. Hill, Proc. Phys. Soc. A 65, 349 (1952)):
//   K_H = (K_V + K_R)/2,  G_H = (G_V + G_R)/2,  E = 9KG/(3K + G),  ν = (3K - 2G)/(2(3K + G)).
// Universal anisotropy A_U = 5 G_V/G_R + K_V/K_R - 6 >= 0 (Ranganathan & Ostoja-Starzewski,
// PRL 101, 055504 (2008)); cubic Zener ratio A = 2 C44/(C11 - C12).
// Born stability: a crystal is mechanically stable at zero stress iff C is positive definite
// (Born & Huang 1954; Mouhat & Coudert, PRB 90, 224104 (2014)), i.e. all eigenvalues > 0
// (cyclic Jacobi rotations, Golub & Van Loan §8.5).

export type Matrix6 = number[][];

export function zeros6(): Matrix6 {
  return Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
}

/** ½ (C + Cᵀ). */
export function symmetrize6(C: Matrix6): Matrix6 {
  return C.map((row, i) => row.map((v, j) => 0.5 * (v + C[j][i])));
}

/** max_ij |C_ij - C_ji|. */
export function maxAsymmetry(C: Matrix6): number {
  let m = 0;
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) m = Math.max(m, Math.abs(C[i][j] - C[j][i]));
  return m;
}

/** max_ij |C_ij|. */
export function maxAbs6(C: Matrix6): number {
  let m = 0;
  for (const row of C) for (const v of row) m = Math.max(m, Math.abs(v));
  return m;
}

/** C⁻¹ by Gauss-Jordan elimination with partial pivoting, or null when (numerically) singular. */
export function invert6(C: Matrix6): Matrix6 | null {
  const n = C.length;
  const a = C.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  const scale = maxAbs6(C);
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[p][col])) p = r;
    if (!(Math.abs(a[p][col]) > 1e-12 * scale)) return null;
    [a[col], a[p]] = [a[p], a[col]];
    const inv = 1 / a[col][col];
    for (let k = 0; k < 2 * n; k++) a[col][k] *= inv;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f !== 0) for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[col][k];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Eigenvalues (ascending) of a symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigenvalues(M: Matrix6): number[] {
  const n = M.length;
  const a = M.map((row) => row.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30 * (1 + maxAbs6(a) ** 2)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]).sort((x, y) => x - y);
}

export interface PolycrystalModuli {
  bulk_modulus_voigt_gpa: number;
  bulk_modulus_reuss_gpa: number | null;
  bulk_modulus_hill_gpa: number;
  shear_modulus_voigt_gpa: number;
  shear_modulus_reuss_gpa: number | null;
  shear_modulus_hill_gpa: number;
  youngs_modulus_gpa: number;
  poisson_ratio: number;
  universal_anisotropy: number | null;
}

/** Voigt, Reuss and Hill moduli of a (symmetric) C in GPa. Reuss is null when C is singular. */
export function voigtReussHill(C: Matrix6): PolycrystalModuli {
  const KV = (C[0][0] + C[1][1] + C[2][2] + 2 * (C[0][1] + C[1][2] + C[2][0])) / 9;
  const GV = (C[0][0] + C[1][1] + C[2][2] - (C[0][1] + C[1][2] + C[2][0]) + 3 * (C[3][3] + C[4][4] + C[5][5])) / 15;
  const S = invert6(C);
  const KR = S ? 1 / (S[0][0] + S[1][1] + S[2][2] + 2 * (S[0][1] + S[1][2] + S[2][0])) : null;
  const GR = S ? 15 / (4 * (S[0][0] + S[1][1] + S[2][2]) - 4 * (S[0][1] + S[1][2] + S[2][0]) + 3 * (S[3][3] + S[4][4] + S[5][5])) : null;
  const KH = KR === null ? KV : 0.5 * (KV + KR);
  const GH = GR === null ? GV : 0.5 * (GV + GR);
  return {
    bulk_modulus_voigt_gpa: KV,
    bulk_modulus_reuss_gpa: KR,
    bulk_modulus_hill_gpa: KH,
    shear_modulus_voigt_gpa: GV,
    shear_modulus_reuss_gpa: GR,
    shear_modulus_hill_gpa: GH,
    youngs_modulus_gpa: (9 * KH * GH) / (3 * KH + GH),
    poisson_ratio: (3 * KH - 2 * GH) / (2 * (3 * KH + GH)),
    universal_anisotropy: KR !== null && GR !== null ? (5 * GV) / GR + KV / KR - 6 : null,
  };
}

export interface CubicSummary {
  /** Averages over the equivalent components: (C11+C22+C33)/3, (C12+C13+C23)/3, (C44+C55+C66)/3. */
  C11_GPa: number;
  C12_GPa: number;
  C44_GPa: number;
  /** 2 C44 / (C11 - C12); 1 for an isotropic solid. */
  zener_anisotropy: number;
  /** C12 - C44: zero for central pair potentials (Cauchy relation), positive for most metals. */
  cauchy_pressure_gpa: number;
  /** Largest deviation from the cubic pattern, GPa. */
  max_deviation_gpa: number;
}

/**
 * The cubic summary when C has cubic symmetry in the Cartesian frame (cube edges along x, y, z):
 * C11 = C22 = C33, C12 = C13 = C23, C44 = C55 = C66, all other entries 0, within
 * tolRel × max|C|. Null otherwise (a cubic crystal in another orientation is reported as not cubic).
 */
export function cubicSummary(C: Matrix6, tolRel = 0.01): CubicSummary | null {
  const c11 = (C[0][0] + C[1][1] + C[2][2]) / 3;
  const c12 = (C[0][1] + C[0][2] + C[1][2] + C[1][0] + C[2][0] + C[2][1]) / 6;
  const c44 = (C[3][3] + C[4][4] + C[5][5]) / 3;
  let dev = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      let expected = 0;
      if (i === j) expected = i < 3 ? c11 : c44;
      else if (i < 3 && j < 3) expected = c12;
      dev = Math.max(dev, Math.abs(C[i][j] - expected));
    }
  }
  if (!(dev <= tolRel * maxAbs6(C))) return null;
  return { C11_GPa: c11, C12_GPa: c12, C44_GPa: c44, zener_anisotropy: (2 * c44) / (c11 - c12), cauchy_pressure_gpa: c12 - c44, max_deviation_gpa: dev };
}

/**
 * Zero-strain limit of central-difference estimates c(δ_k) = c₀ + b δ_k² + O(δ⁴) by least squares
 * over the magnitudes (Richardson-style; with one magnitude, c(δ) itself).
 */
export function zeroStrainLimit(magnitudes: readonly number[], values: readonly number[]): number {
  const m = magnitudes.length;
  if (m === 1) return values[0];
  const x = magnitudes.map((d) => d * d);
  const mx = x.reduce((s, v) => s + v, 0) / m;
  const my = values.reduce((s, v) => s + v, 0) / m;
  let sxx = 0, sxy = 0;
  for (let k = 0; k < m; k++) {
    sxx += (x[k] - mx) ** 2;
    sxy += (x[k] - mx) * (values[k] - my);
  }
  return sxx > 0 ? my - (sxy / sxx) * mx : my;
}
