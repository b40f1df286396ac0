// From EAM file tables to the spline tables the EAM calculator evaluates, exactly as LAMMPS does
// it (src/MANYBODY/pair_eam.cpp: file2array() and interpolate(); pair_eam_alloy.cpp: file2array()),
// so energies and forces agree with LAMMPS to rounding.
//
// funcfl: the tables are put on one grid with nr = round((Nr-1)·dr / dr), nrho likewise (one fewer
// point than the file), by 4-point Lagrange interpolation of the file values; the pair term is
// built from the effective charges as r·phi(r) = 27.2 · 0.529 · Z_i(r) Z_j(r) (Hartree·Bohr in
// eV·Å, the rounded constants LAMMPS uses; Foiles, Baskes & Daw, PRB 33, 7983 (1986)).
// setfl: the file's tables are used as they are (r·phi(r) given directly).
//
// Each table f_1..f_n (1-based, as in LAMMPS) becomes 7 coefficients per knot m: c6 = f_m,
// c5 = the slope (one-sided at the ends, 2-point at m = 2 and n-1, 4-point central elsewhere:
// [(f_{m-2} - f_{m+2}) + 8 (f_{m+1} - f_{m-1})] / 12), c4 and c3 from a cubic Hermite segment
// to the next knot; c2, c1, c0 are the derivative's coefficients divided by the spacing. With
// p ∈ [0, 1] the fraction within segment m:
//   f(p) = ((c3 p + c4) p + c5) p + c6,    f'(p) = (c0 p + c1) p + c2    (per unit of x).
import { atomicNumber, symbolOf } from '../atoms/elements';
import type { EamFile, EamFuncfl } from './eamFile';

/** Spline stride: 7 coefficients per knot. */
export const EAM_STRIDE = 7;

export interface EamTables {
  /** Element symbols in species order. */
  symbols: string[];
  atomicNumbers: number[];
  massesAmu: number[];
  nrho: number;
  drho: number;
  nr: number;
  drA: number;
  /** Largest tabulated density, (Nrho - 1)·drho; beyond it F is continued linearly. */
  rhomax: number;
  cutoffA: number;
  /** [nFunctions * (nrho+1) * 7] embedding-function splines. */
  frhoSpline: Float64Array;
  /** [nFunctions * (nr+1) * 7] density splines. */
  rhorSpline: Float64Array;
  /** [nPairs * (nr+1) * 7] r·phi(r) splines. */
  z2rSpline: Float64Array;
  /** [T] float offset into frhoSpline of species t's embedding function. */
  type2frho: Int32Array;
  /** [T*T] float offset into rhorSpline for (i, j): the density function of species i (LAMMPS type2rhor[i][j] = map[i]). */
  type2rhor: Int32Array;
  /** [T*T] float offset into z2rSpline for the pair (i, j). */
  type2z2r: Int32Array;
}

/** LAMMPS PairEAM::interpolate: table f[1..n] (f[0] unused) -> spline [(n+1)*7] written at `base`. */
export function interpolateSpline(n: number, delta: number, f: Float64Array, spline: Float64Array, base = 0): void {
  const S = (m: number, k: number) => base + m * EAM_STRIDE + k;
  for (let m = 1; m <= n; m++) spline[S(m, 6)] = f[m];
  spline[S(1, 5)] = spline[S(2, 6)] - spline[S(1, 6)];
  spline[S(2, 5)] = 0.5 * (spline[S(3, 6)] - spline[S(1, 6)]);
  spline[S(n - 1, 5)] = 0.5 * (spline[S(n, 6)] - spline[S(n - 2, 6)]);
  spline[S(n, 5)] = spline[S(n, 6)] - spline[S(n - 1, 6)];
  for (let m = 3; m <= n - 2; m++) {
    spline[S(m, 5)] = (spline[S(m - 2, 6)] - spline[S(m + 2, 6)] + 8.0 * (spline[S(m + 1, 6)] - spline[S(m - 1, 6)])) / 12.0;
  }
  for (let m = 1; m <= n - 1; m++) {
    spline[S(m, 4)] = 3.0 * (spline[S(m + 1, 6)] - spline[S(m, 6)]) - 2.0 * spline[S(m, 5)] - spline[S(m + 1, 5)];
    spline[S(m, 3)] = spline[S(m, 5)] + spline[S(m + 1, 5)] - 2.0 * (spline[S(m + 1, 6)] - spline[S(m, 6)]);
  }
  spline[S(n, 4)] = 0.0;
  spline[S(n, 3)] = 0.0;
  for (let m = 1; m <= n; m++) {
    spline[S(m, 2)] = spline[S(m, 5)] / delta;
    spline[S(m, 1)] = (2.0 * spline[S(m, 4)]) / delta;
    spline[S(m, 0)] = (3.0 * spline[S(m, 3)]) / delta;
  }
}

/** 1-based copy [n+1] of a 0-based table (LAMMPS keeps file tables 1-based). */
function oneBased(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length + 1);
  out.set(a, 1);
  return out;
}

/**
 * LAMMPS funcfl regridding: value at x = (m-1)·delta of a 1-based file table with spacing
 * fileDelta and fileN points, by 4-point Lagrange interpolation (file2array).
 */
function regrid(file1: Float64Array, fileN: number, fileDelta: number, n: number, delta: number): Float64Array {
  const sixth = 1.0 / 6.0;
  const out = new Float64Array(n + 1);
  for (let m = 1; m <= n; m++) {
    const r = (m - 1) * delta;
    let p = r / fileDelta + 1.0;
    let k = Math.trunc(p);
    k = Math.min(k, fileN - 2);
    k = Math.max(k, 2);
    p -= k;
    p = Math.min(p, 2.0);
    const cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
    const cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    const cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    const cof4 = sixth * p * (p * p - 1.0);
    out[m] = cof1 * file1[k - 1] + cof2 * file1[k] + cof3 * file1[k + 1] + cof4 * file1[k + 2];
  }
  return out;
}

function funcflTables(f: EamFuncfl): EamTables {
  const symbol = symbolOf(f.atomicNumber);
  if (!(f.atomicNumber >= 1 && f.atomicNumber <= 118)) {
    throw new Error(`eam: the funcfl file gives Z = ${f.atomicNumber} on line 2, which is not an element; Atomforge maps atoms to it by Z`);
  }
  const dr = f.drA, drho = f.drho;
  const rmax = (f.nr - 1) * f.drA;
  const rhomax = (f.nrho - 1) * f.drho;
  const nr = Math.trunc(rmax / dr + 0.5);
  const nrho = Math.trunc(rhomax / drho + 0.5);
  const frho = regrid(oneBased(f.frho), f.nrho, f.drho, nrho, drho);
  const rhor = regrid(oneBased(f.rhor), f.nr, f.drA, nr, dr);
  const zr = regrid(oneBased(f.zr), f.nr, f.drA, nr, dr);
  const z2r = new Float64Array(nr + 1);
  for (let m = 1; m <= nr; m++) z2r[m] = 27.2 * 0.529 * zr[m] * zr[m];
  const frhoSpline = new Float64Array((nrho + 1) * EAM_STRIDE);
  const rhorSpline = new Float64Array((nr + 1) * EAM_STRIDE);
  const z2rSpline = new Float64Array((nr + 1) * EAM_STRIDE);
  interpolateSpline(nrho, drho, frho, frhoSpline);
  interpolateSpline(nr, dr, rhor, rhorSpline);
  interpolateSpline(nr, dr, z2r, z2rSpline);
  return {
    symbols: [symbol],
    atomicNumbers: [f.atomicNumber],
    massesAmu: [f.massAmu],
    nrho, drho, nr, drA: dr, rhomax, cutoffA: f.cutoffA,
    frhoSpline, rhorSpline, z2rSpline,
    type2frho: Int32Array.of(0),
    type2rhor: Int32Array.of(0),
    type2z2r: Int32Array.of(0),
  };
}

/** Spline tables for a parsed EAM file (LAMMPS file2array + array2spline). */
export function eamTables(file: EamFile): EamTables {
  if (file.format === 'funcfl') return funcflTables(file);
  const nEl = file.elements.length;
  const { nrho, drho, nr, drA } = file;
  if (nrho < 5 || nr < 5) throw new Error('eam: tables need at least 5 points');
  const rhomax = (nrho - 1) * drho;
  const frhoStride = (nrho + 1) * EAM_STRIDE, rStride = (nr + 1) * EAM_STRIDE;
  const frhoSpline = new Float64Array(nEl * frhoStride);
  const rhorSpline = new Float64Array(nEl * rStride);
  const nPairs = (nEl * (nEl + 1)) / 2;
  const z2rSpline = new Float64Array(nPairs * rStride);
  file.elements.forEach((el, i) => {
    interpolateSpline(nrho, drho, oneBased(el.frho), frhoSpline, i * frhoStride);
    interpolateSpline(nr, drA, oneBased(el.rhor), rhorSpline, i * rStride);
  });
  for (let n = 0; n < nPairs; n++) interpolateSpline(nr, drA, oneBased(file.z2r[n]), z2rSpline, n * rStride);
  const type2frho = new Int32Array(nEl), type2rhor = new Int32Array(nEl * nEl), type2z2r = new Int32Array(nEl * nEl);
  for (let i = 0; i < nEl; i++) {
    type2frho[i] = i * frhoStride;
    for (let j = 0; j < nEl; j++) {
      type2rhor[i * nEl + j] = i * rStride;
      const irow = Math.max(i, j), icol = Math.min(i, j);
      type2z2r[i * nEl + j] = ((irow * (irow + 1)) / 2 + icol) * rStride;
    }
  }
  return {
    symbols: file.elements.map((e) => e.symbol),
    atomicNumbers: file.elements.map((e) => atomicNumber(e.symbol)),
    massesAmu: file.elements.map((e) => e.massAmu),
    nrho, drho, nr, drA, rhomax, cutoffA: file.cutoffA,
    frhoSpline, rhorSpline, z2rSpline, type2frho, type2rhor, type2z2r,
  };
}
