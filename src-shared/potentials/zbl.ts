// Ziegler-Biersack-Littmark universal screened nuclear repulsion, with LAMMPS's switching function
// (`pair_style zbl inner outer`, src/pair_zbl.cpp):
//
//   E_ZBL(r) = (Z_i Z_j e² / 4πε0) / r · Σ_k c_k exp(-d_k r / a),   a = 0.46850 Å / (Z_i^0.23 + Z_j^0.23)
//   c = (0.18175, 0.50986, 0.28022, 0.02817), d = (3.19980, 0.94229, 0.40290, 0.20162)
//
// J. F. Ziegler, J. P. Biersack, U. Littmark, "The Stopping and Range of Ions in Matter", vol. 1,
// Pergamon (1985). Between `inner` and `outer` LAMMPS adds S(r) = A/3 t³ + B/4 t⁴ + C (t = r - inner)
// and adds C everywhere below `outer`, with A, B, C chosen so that E, E' and E'' vanish at `outer`:
//   A = (-3 E'(rc) + tc E''(rc)) / tc²,  B = (2 E'(rc) - tc E''(rc)) / tc³,
//   C = -E(rc) + tc/2 E'(rc) - tc²/12 E''(rc),   tc = outer - inner.
// The charges are the atomic numbers; every element is covered. e²/4πε0 is LAMMPS's metal-units
// constant qqr2e = 14.399645 eV·Å (CODATA 2014 gives 14.3996454784..., 3e-8 relative higher) so
// that energies agree with LAMMPS to 1e-8; pass `coulombEvA` to use another value.
import { symbolOf } from '../atoms/elements';
import { type ClassicalCalculator, DEFAULT_SKIN_A, requirePositive } from './calculatorKit';
import { createPairCalculator, type PairLoopArgs } from './pairCalculator';

/** LAMMPS `units metal` force->qqr2e (eV·Å per e²). */
export const LAMMPS_METAL_QQR2E = 14.399645;

// LAMMPS src/pair_zbl_const.h
const PZBL = 0.23, A0 = 0.4685;
const C1 = 0.02817, C2 = 0.28022, C3 = 0.50986, C4 = 0.18175;
const D1 = 0.20162, D2 = 0.4029, D3 = 0.94229, D4 = 3.1998;

export interface ZblOptions {
  /** Start of the switching region (Å), > 0. */
  innerA: number;
  /** Cutoff (Å), > inner. */
  outerA: number;
  /** e²/4πε0 in eV·Å, default LAMMPS's 14.399645. */
  coulombEvA?: number;
  /** Verlet skin (Å), default 1. */
  skinA?: number;
}

/** Coefficients of one element pair (LAMMPS set_coeff). */
interface ZblPair {
  d1a: number; d2a: number; d3a: number; d4a: number; zze: number;
  sw1: number; sw2: number; sw3: number; sw4: number; sw5: number;
}

function eZbl(r: number, p: ZblPair): number {
  const rinv = 1 / r;
  let sum = C1 * Math.exp(-p.d1a * r);
  sum += C2 * Math.exp(-p.d2a * r);
  sum += C3 * Math.exp(-p.d3a * r);
  sum += C4 * Math.exp(-p.d4a * r);
  return p.zze * sum * rinv;
}

function dZbl(r: number, p: ZblPair): number {
  const rinv = 1 / r;
  const e1 = Math.exp(-p.d1a * r), e2 = Math.exp(-p.d2a * r), e3 = Math.exp(-p.d3a * r), e4 = Math.exp(-p.d4a * r);
  let sum = C1 * e1;
  sum += C2 * e2;
  sum += C3 * e3;
  sum += C4 * e4;
  let sumP = -C1 * p.d1a * e1;
  sumP -= C2 * p.d2a * e2;
  sumP -= C3 * p.d3a * e3;
  sumP -= C4 * p.d4a * e4;
  return p.zze * (sumP - sum * rinv) * rinv;
}

function d2Zbl(r: number, p: ZblPair): number {
  const rinv = 1 / r;
  const e1 = Math.exp(-p.d1a * r), e2 = Math.exp(-p.d2a * r), e3 = Math.exp(-p.d3a * r), e4 = Math.exp(-p.d4a * r);
  let sum = C1 * e1;
  sum += C2 * e2;
  sum += C3 * e3;
  sum += C4 * e4;
  let sumP = C1 * e1 * p.d1a;
  sumP += C2 * e2 * p.d2a;
  sumP += C3 * e3 * p.d3a;
  sumP += C4 * e4 * p.d4a;
  let sumPP = C1 * e1 * p.d1a * p.d1a;
  sumPP += C2 * e2 * p.d2a * p.d2a;
  sumPP += C3 * e3 * p.d3a * p.d3a;
  sumPP += C4 * e4 * p.d4a * p.d4a;
  return p.zze * (sumPP + 2 * sumP * rinv + 2 * sum * rinv * rinv) * rinv;
}

/** LAMMPS PairZBL::set_coeff for charges zi, zj. */
export function zblPairCoefficients(zi: number, zj: number, innerA: number, outerA: number, coulombEvA = LAMMPS_METAL_QQR2E): ZblPair {
  const ainv = (Math.pow(zi, PZBL) + Math.pow(zj, PZBL)) / A0;
  const p: ZblPair = {
    d1a: D1 * ainv, d2a: D2 * ainv, d3a: D3 * ainv, d4a: D4 * ainv, zze: zi * zj * coulombEvA,
    sw1: 0, sw2: 0, sw3: 0, sw4: 0, sw5: 0,
  };
  const tc = outerA - innerA;
  const fc = eZbl(outerA, p), fcp = dZbl(outerA, p), fcpp = d2Zbl(outerA, p);
  const swa = (-3 * fcp + tc * fcpp) / (tc * tc);
  const swb = (2 * fcp - tc * fcpp) / (tc * tc * tc);
  const swc = -fc + (tc / 2) * fcp - ((tc * tc) / 12) * fcpp;
  p.sw1 = swa;
  p.sw2 = swb;
  p.sw3 = swa / 3;
  p.sw4 = swb / 4;
  p.sw5 = swc;
  return p;
}

interface ZblTables {
  d1a: Float64Array; d2a: Float64Array; d3a: Float64Array; d4a: Float64Array; zze: Float64Array;
  sw1: Float64Array; sw2: Float64Array; sw3: Float64Array; sw4: Float64Array; sw5: Float64Array;
  cutGlobalSq: number; cutInnerSq: number; inner: number;
}

export function createZbl(options: ZblOptions): ClassicalCalculator {
  const context = 'zbl';
  const inner = requirePositive('inner', options.innerA, context);
  const outer = requirePositive('outer', options.outerA, context);
  if (!(inner < outer)) throw new Error(`${context}: inner (${inner} Å) must be smaller than outer (${outer} Å)`);
  const qqr2e = requirePositive('coulombEvA', options.coulombEvA ?? LAMMPS_METAL_QQR2E, context);

  // species = distinct atomic numbers met so far; coefficient tables grow when a new one appears
  const byZ = new Int32Array(119).fill(-1);
  const zs: number[] = [];
  let tables = makeTables(0);
  let species = new Int32Array(0);

  function makeTables(nT: number): ZblTables {
    const mk = () => new Float64Array(nT * nT);
    const t: ZblTables = {
      d1a: mk(), d2a: mk(), d3a: mk(), d4a: mk(), zze: mk(), sw1: mk(), sw2: mk(), sw3: mk(), sw4: mk(), sw5: mk(),
      cutGlobalSq: outer * outer, cutInnerSq: inner * inner, inner,
    };
    for (let a = 0; a < nT; a++) {
      for (let b = 0; b < nT; b++) {
        const p = zblPairCoefficients(zs[a], zs[b], inner, outer, qqr2e);
        const k = a * nT + b;
        t.d1a[k] = p.d1a; t.d2a[k] = p.d2a; t.d3a[k] = p.d3a; t.d4a[k] = p.d4a; t.zze[k] = p.zze;
        t.sw1[k] = p.sw1; t.sw2[k] = p.sw2; t.sw3[k] = p.sw3; t.sw4[k] = p.sw4; t.sw5[k] = p.sw5;
      }
    }
    return t;
  }

  return createPairCalculator<ZblTables>({
    name: `zbl(inner=${inner} Å, outer=${outer} Å)`,
    cutoffA: outer,
    skinA: options.skinA ?? DEFAULT_SKIN_A,
    setup(system, out) {
      const n = system.numbers.length;
      if (species.length < n) species = new Int32Array(n);
      let grew = false;
      for (let a = 0; a < n; a++) {
        const z = system.numbers[a];
        if (!(z >= 1 && z <= 118)) throw new Error(`${context}: atom ${a} has atomic number ${z} (${symbolOf(z)}); ZBL needs a nuclear charge Z >= 1`);
        if (byZ[z] < 0) {
          byZ[z] = zs.length;
          zs.push(z);
          grew = true;
        }
        species[a] = byZ[z];
      }
      if (grew) tables = makeTables(zs.length);
      out.species = species;
      out.nSpecies = zs.length;
      out.tables = tables;
    },
    general: zblGeneral,
  });
}

/** LAMMPS PairZBL::compute: ZBL plus the switching polynomial, any species. */
function zblGeneral(a: PairLoopArgs, t: ZblTables): void {
  const { n, xe, rowStart: rs, jExt: J, fe: f, species: sp, nSpecies: nT, energies: ea, virial, acc } = a;
  const { d1a, d2a, d3a, d4a, zze, sw1, sw2, sw3, sw4, sw5, cutGlobalSq, cutInnerSq, inner } = t;
  let energy = 0, wxx = 0, wyy = 0, wzz = 0, wxy = 0, wxz = 0, wyz = 0;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = xe[qi], yi = xe[qi + 1], zi = xe[qi + 2];
    const ti = sp[i] * nT;
    let fxi = 0, fyi = 0, fzi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const j = J[p];
      const qj = 3 * j;
      const dx = xi - xe[qj], dy = yi - xe[qj + 1], dz = zi - xe[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutGlobalSq) continue;
      const tt = ti + sp[j];
      const r = Math.sqrt(rsq);
      const rinv = 1 / r;
      const e1 = Math.exp(-d1a[tt] * r), e2 = Math.exp(-d2a[tt] * r), e3 = Math.exp(-d3a[tt] * r), e4 = Math.exp(-d4a[tt] * r);
      const sum = C1 * e1 + C2 * e2 + C3 * e3 + C4 * e4;
      const sumP = -C1 * d1a[tt] * e1 - C2 * d2a[tt] * e2 - C3 * d3a[tt] * e3 - C4 * d4a[tt] * e4;
      let fpair = zze[tt] * (sumP - sum * rinv) * rinv;
      let e = zze[tt] * sum * rinv + sw5[tt];
      if (rsq > cutInnerSq) {
        const s = r - inner;
        fpair += s * s * (sw1[tt] + sw2[tt] * s);
        e += s * s * s * (sw3[tt] + sw4[tt] * s);
      }
      fpair *= -rinv;
      energy += e;
      const fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx; fyi += fy; fzi += fz;
      f[qj] -= fx; f[qj + 1] -= fy; f[qj + 2] -= fz;
      if (ea !== null) { ea[i] += 0.5 * e; ea[j] += 0.5 * e; }
      if (virial) {
        wxx += dx * fx; wyy += dy * fy; wzz += dz * fz;
        wxy += dx * fy; wxz += dx * fz; wyz += dy * fz;
      }
    }
    f[qi] += fxi; f[qi + 1] += fyi; f[qi + 2] += fzi;
  }
  acc[0] = energy; acc[1] = wxx; acc[2] = wyy; acc[3] = wzz; acc[4] = wxy; acc[5] = wxz; acc[6] = wyz;
}
