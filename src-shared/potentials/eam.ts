// Embedded-atom method (Daw & Baskes, PRB 29, 6443 (1984); Foiles, Baskes & Daw, PRB 33, 7983
// (1986)):
//
//   E = Σ_i F_i(ρ_i) + ½ Σ_i Σ_{j≠i} φ_ij(r_ij),    ρ_i = Σ_{j≠i} ρ_j(r_ij)
//
// with F, ρ and r·φ from LAMMPS funcfl (*.eam) or setfl (*.eam.alloy) tables (eamFile.ts),
// splined exactly as LAMMPS does (eamSpline.ts), and evaluated as in LAMMPS PairEAM::compute
// (src/MANYBODY/pair_eam.cpp): three passes over a half neighbour list with ghost atoms
// (neighborCache.ts),
//   1. densities: ρ_i += ρ_j(r), ρ_j += ρ_i(r) for each pair r < cutoff; ghost densities are
//      folded onto their atoms ("reverse comm");
//   2. embedding: F_i(ρ_i) and F'_i; beyond the last tabulated density F continues linearly
//      (LAMMPS: phi += F'·(ρ - ρmax)); F' is copied to the ghosts ("forward comm");
//   3. forces: dE/dr = F'_i ρ_j'(r) + F'_j ρ_i'(r) + φ'(r), with φ = (r·φ)/r.
// Per-atom energies as LAMMPS's pe/atom: F_i to atom i, each φ_ij half to i and half to j.
// Single-element tables without per-atom energies or stress (MD) take loops without the
// species lookups, where ρ_i' = ρ_j'.
import type { CalcProperty } from '../calculators/calculator';
import { type ClassicalCalculator, assignSpecies, DEFAULT_SKIN_A, prepareOutput, speciesMap, writeStress } from './calculatorKit';
import { EAM_STRIDE, eamTables, type EamTables } from './eamSpline';
import { parseEamFile, type EamFile } from './eamFile';
import { createNeighborCache } from './neighborCache';

export interface EamOptions {
  /** Verlet skin (Å), default 1. */
  skinA?: number;
  /** Name shown in `Calculator.name`, e.g. the file name. */
  label?: string;
}

const PROPS: readonly CalcProperty[] = ['energy', 'forces', 'stress', 'energies'];

/** EAM calculator from the text of a funcfl or setfl file (format from the file name, see parseEamFile). */
export function createEamFromText(text: string, fileName: string, options: EamOptions = {}): ClassicalCalculator {
  return createEam(parseEamFile(text, fileName), { label: fileName.split(/[\\/]/).pop(), ...options });
}

/** Everything the pair passes read and write. */
interface EamLoop {
  t: EamTables;
  nT: number;
  rdr: number;
  cutforcesq: number;
  n: number;
  /** [3(N+G)] positions, atoms then ghosts. */
  x: Float64Array;
  rs: Int32Array;
  J: Int32Array;
  /** [N+G] species. */
  sp: Int32Array;
  /** [N+G] densities (pass 1 output). */
  rho: Float64Array;
  /** [N+G] F'(ρ) (pass 3 input). */
  fp: Float64Array;
  /** [3(N+G)] forces. */
  f: Float64Array;
  /** [N+G] per-atom energies or null. */
  ea: Float64Array | null;
  virial: boolean;
  /** Output of pass 3: [pair energy, Wxx, Wyy, Wzz, Wxy, Wxz, Wyz]. */
  acc: Float64Array;
}

/** EAM calculator from a parsed file. */
export function createEam(file: EamFile, options: EamOptions = {}): ClassicalCalculator {
  const tables: EamTables = eamTables(file);
  const map = speciesMap(tables.atomicNumbers);
  const nT = tables.symbols.length;
  const { nrho, rhomax, cutoffA } = tables;
  const rdrho = 1.0 / tables.drho;
  const frhoS = tables.frhoSpline, type2frho = tables.type2frho;
  const cache = createNeighborCache({ cutoffA, skinA: options.skinA ?? DEFAULT_SKIN_A, half: true });
  const name = `eam(${options.label ?? file.format}: ${tables.symbols.join(', ')}, cutoff=${cutoffA} Å)`;
  let species: Int32Array = new Int32Array(0);
  let ee = new Float64Array(0);
  const L: EamLoop = {
    t: tables, nT, rdr: 1.0 / tables.drA, cutforcesq: cutoffA * cutoffA,
    n: 0, x: new Float64Array(0), rs: new Int32Array(1), J: new Int32Array(0), sp: new Int32Array(0),
    rho: new Float64Array(0), fp: new Float64Array(0), f: new Float64Array(0), ea: null, virial: false, acc: new Float64Array(7),
  };

  return {
    name,
    implementedProperties: PROPS,
    cutoffA,
    skinA: cache.skinA,
    get neighborListBuilds() {
      return cache.builds;
    },
    reset: () => cache.reset(),
    compute(system, request = {}, out) {
      const n = system.numbers.length;
      const o = prepareOutput(system, request, out);
      species = assignSpecies(species, system.numbers, map, name);
      const list = cache.refresh(system);
      const nExt = n + cache.nGhosts;
      if (L.rho.length < nExt) {
        L.rho = new Float64Array(nExt + 16);
        L.fp = new Float64Array(nExt + 16);
        L.sp = new Int32Array(nExt + 16);
        L.f = new Float64Array(3 * nExt + 48);
      }
      if (o.energies && ee.length < nExt) ee = new Float64Array(nExt + 16);
      const ea = o.energies ? ee : null;
      if (ea) ea.fill(0, 0, nExt);
      cache.extendScalars(species, L.sp);
      L.n = n;
      L.x = cache.positionsExtA;
      L.rs = list.rowStart;
      L.J = cache.jExt;
      L.ea = ea;
      L.virial = o.stress;
      const rho = L.rho, fp = L.fp, sp = L.sp;
      rho.fill(0, 0, nExt);
      L.f.fill(0, 0, 3 * nExt);
      const single = nT === 1 && ea === null && !o.stress;

      // 1. densities
      if (single) densitiesSingle(L);
      else densities(L);
      cache.foldScalars(rho);

      // 2. embedding energies and their derivatives
      let energy = 0;
      for (let i = 0; i < n; i++) {
        let s = rho[i] * rdrho + 1.0;
        let m = Math.trunc(s);
        m = Math.max(1, Math.min(m, nrho - 1));
        s -= m;
        if (s > 1.0) s = 1.0;
        const k = type2frho[sp[i]] + m * EAM_STRIDE;
        const fpi = (frhoS[k] * s + frhoS[k + 1]) * s + frhoS[k + 2];
        fp[i] = fpi;
        let phi = ((frhoS[k + 3] * s + frhoS[k + 4]) * s + frhoS[k + 5]) * s + frhoS[k + 6];
        if (rho[i] > rhomax) phi += fpi * (rho[i] - rhomax);
        energy += phi;
        if (ea !== null) ea[i] += phi;
      }
      cache.extendScalars(fp, fp);

      // 3. pair energies and forces
      if (single) pairForcesSingle(L);
      else pairForces(L);
      const acc = L.acc;
      if (o.forces) cache.foldVectors(L.f, o.forces);
      if (o.energies && ea) {
        cache.foldScalars(ea);
        const e = o.energies;
        for (let a = 0; a < n; a++) e[a] = ea[a];
      }
      o.out.energyEv = energy + acc[0];
      if (o.stress) writeStress(o.out, o.volumeA3, acc[1], acc[2], acc[3], acc[4], acc[5], acc[6]);
      return o.out;
    },
  };
}

/** Pass 1, any species: ρ_i += ρ_{t_j}(r), ρ_j += ρ_{t_i}(r). */
function densities(L: EamLoop): void {
  const { n, x, rs, J, sp, rho, nT, rdr, cutforcesq } = L;
  const { nr, rhorSpline: rhorS, type2rhor } = L.t;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = x[qi], yi = x[qi + 1], zi = x[qi + 2];
    const ti = sp[i];
    let rhoi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const j = J[p];
      const qj = 3 * j;
      const dx = xi - x[qj], dy = yi - x[qj + 1], dz = zi - x[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutforcesq) continue;
      const tj = sp[j];
      let s = Math.sqrt(rsq) * rdr + 1.0;
      let m = s | 0; // s in [1, nr + 1]: truncation as LAMMPS's static_cast<int>
      if (m > nr - 1) m = nr - 1;
      s -= m;
      if (s > 1.0) s = 1.0;
      let k = type2rhor[tj * nT + ti] + m * EAM_STRIDE;
      rhoi += ((rhorS[k + 3] * s + rhorS[k + 4]) * s + rhorS[k + 5]) * s + rhorS[k + 6];
      k = type2rhor[ti * nT + tj] + m * EAM_STRIDE;
      rho[j] += ((rhorS[k + 3] * s + rhorS[k + 4]) * s + rhorS[k + 5]) * s + rhorS[k + 6];
    }
    rho[i] += rhoi;
  }
}

/** Pass 1, one element: the same density function both ways. */
function densitiesSingle(L: EamLoop): void {
  const { n, x, rs, J, rho, rdr, cutforcesq } = L;
  const { nr, rhorSpline: rhorS } = L.t;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = x[qi], yi = x[qi + 1], zi = x[qi + 2];
    let rhoi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const j = J[p];
      const qj = 3 * j;
      const dx = xi - x[qj], dy = yi - x[qj + 1], dz = zi - x[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutforcesq) continue;
      let s = Math.sqrt(rsq) * rdr + 1.0;
      let m = s | 0; // s in [1, nr + 1]: truncation as LAMMPS's static_cast<int>
      if (m > nr - 1) m = nr - 1;
      s -= m;
      if (s > 1.0) s = 1.0;
      const k = m * EAM_STRIDE;
      const v = ((rhorS[k + 3] * s + rhorS[k + 4]) * s + rhorS[k + 5]) * s + rhorS[k + 6];
      rhoi += v;
      rho[j] += v;
    }
    rho[i] += rhoi;
  }
}

/** Pass 3, any species, optional per-atom energies and virial. */
function pairForces(L: EamLoop): void {
  const { n, x, rs, J, sp, fp, f, ea, virial, acc, nT, rdr, cutforcesq } = L;
  const { nr, rhorSpline: rhorS, z2rSpline: z2rS, type2rhor, type2z2r } = L.t;
  let energy = 0, wxx = 0, wyy = 0, wzz = 0, wxy = 0, wxz = 0, wyz = 0;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = x[qi], yi = x[qi + 1], zi = x[qi + 2];
    const ti = sp[i];
    const fpi = fp[i];
    let fxi = 0, fyi = 0, fzi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const j = J[p];
      const qj = 3 * j;
      const dx = xi - x[qj], dy = yi - x[qj + 1], dz = zi - x[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutforcesq) continue;
      const tj = sp[j];
      const r = Math.sqrt(rsq);
      let s = r * rdr + 1.0;
      let m = s | 0; // s in [1, nr + 1]: truncation as LAMMPS's static_cast<int>
      if (m > nr - 1) m = nr - 1;
      s -= m;
      if (s > 1.0) s = 1.0;
      const mo = m * EAM_STRIDE;
      let k = type2rhor[ti * nT + tj] + mo;
      const rhoip = (rhorS[k] * s + rhorS[k + 1]) * s + rhorS[k + 2];
      k = type2rhor[tj * nT + ti] + mo;
      const rhojp = (rhorS[k] * s + rhorS[k + 1]) * s + rhorS[k + 2];
      k = type2z2r[ti * nT + tj] + mo;
      const z2p = (z2rS[k] * s + z2rS[k + 1]) * s + z2rS[k + 2];
      const z2 = ((z2rS[k + 3] * s + z2rS[k + 4]) * s + z2rS[k + 5]) * s + z2rS[k + 6];
      const recip = 1.0 / r;
      const phi = z2 * recip;
      const phip = z2p * recip - phi * recip;
      const psip = fpi * rhojp + fp[j] * rhoip + phip;
      const fpair = -psip * recip;
      energy += phi;
      const fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx; fyi += fy; fzi += fz;
      f[qj] -= fx; f[qj + 1] -= fy; f[qj + 2] -= fz;
      if (ea !== null) { ea[i] += 0.5 * phi; ea[j] += 0.5 * phi; }
      if (virial) {
        wxx += dx * fx; wyy += dy * fy; wzz += dz * fz;
        wxy += dx * fy; wxz += dx * fz; wyz += dy * fz;
      }
    }
    f[qi] += fxi; f[qi + 1] += fyi; f[qi + 2] += fzi;
  }
  acc[0] = energy; acc[1] = wxx; acc[2] = wyy; acc[3] = wzz; acc[4] = wxy; acc[5] = wxz; acc[6] = wyz;
}

/** Pass 3, one element, forces and energy only. */
function pairForcesSingle(L: EamLoop): void {
  const { n, x, rs, J, fp, f, acc, rdr, cutforcesq } = L;
  const { nr, rhorSpline: rhorS, z2rSpline: z2rS } = L.t;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = x[qi], yi = x[qi + 1], zi = x[qi + 2];
    const fpi = fp[i];
    let fxi = 0, fyi = 0, fzi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const j = J[p];
      const qj = 3 * j;
      const dx = xi - x[qj], dy = yi - x[qj + 1], dz = zi - x[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutforcesq) continue;
      const r = Math.sqrt(rsq);
      let s = r * rdr + 1.0;
      let m = s | 0; // s in [1, nr + 1]: truncation as LAMMPS's static_cast<int>
      if (m > nr - 1) m = nr - 1;
      s -= m;
      if (s > 1.0) s = 1.0;
      const k = m * EAM_STRIDE;
      const rhop = (rhorS[k] * s + rhorS[k + 1]) * s + rhorS[k + 2];
      const z2p = (z2rS[k] * s + z2rS[k + 1]) * s + z2rS[k + 2];
      const z2 = ((z2rS[k + 3] * s + z2rS[k + 4]) * s + z2rS[k + 5]) * s + z2rS[k + 6];
      const recip = 1.0 / r;
      const phi = z2 * recip;
      const phip = z2p * recip - phi * recip;
      const psip = (fpi + fp[j]) * rhop + phip;
      const fpair = -psip * recip;
      energy += phi;
      const fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx; fyi += fy; fzi += fz;
      f[qj] -= fx; f[qj + 1] -= fy; f[qj + 2] -= fz;
    }
    f[qi] += fxi; f[qi + 1] += fyi; f[qi + 2] += fzi;
  }
  acc[0] = energy;
}
