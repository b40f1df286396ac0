// Stillinger-Weber potential (F. H. Stillinger & T. A. Weber, PRB 31, 5262 (1985)), multi-element,
// in LAMMPS's form (`pair_style sw`, src/MANYBODY/pair_sw.cpp; parameters from *.sw files, swFile.ts):
//
//   E = Σ_{i<j} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)
//   φ2(r) = A ε [B (σ/r)^p - (σ/r)^q] exp(σ / (r - aσ))
//   φ3 = λ_ijk ε_ijk [cos θ_jik - cos θ0_ijk]² exp(γ_ij σ_ij / (r_ij - a_ij σ_ij)) exp(γ_ik σ_ik / (r_ik - a_ik σ_ik))
//
// with the i j j entry giving the pair i-j and the i j k entry λ, ε, cos θ0 of the triplet. A pair
// is a neighbour of i when r < a σ of its i j j entry (shortened by `tol` as LAMMPS does:
// r_c = aσ + γσ/ln(tol) for γ < 1, aσ + σ/ln(tol) otherwise, tol capped at 0.01; tol = 0 keeps aσ).
// The arithmetic follows LAMMPS twobody()/threebody(). Per-atom energies as LAMMPS's pe/atom:
// φ2 half to each atom, φ3 a third to each of i, j, k.
//
// Loop: a full neighbour list (every atom sees all its neighbours), each pair's two-body term taken
// once (the pair's canonical direction, neighborCache.ts `owner`), three-body terms over pairs of
// the short neighbours of i, with the per-neighbour radial factors computed once per (i, j).
import type { CalcProperty } from '../calculators/calculator';
import { atomicNumber, symbolOf } from '../atoms/elements';
import { type ClassicalCalculator, DEFAULT_SKIN_A, prepareOutput, writeStress } from './calculatorKit';
import { createNeighborCache } from './neighborCache';
import { parseSwFile, type SwEntry, type SwFile } from './swFile';

export interface StillingerWeberOptions {
  /** Verlet skin (Å), default 1. */
  skinA?: number;
  /** Name shown in `Calculator.name`, e.g. the file name. */
  label?: string;
}

const PROPS: readonly CalcProperty[] = ['energy', 'forces', 'stress', 'energies'];

/** Neighbour cutoff of an entry (LAMMPS PairSW::setup_params). */
export function swEntryCutoffA(e: SwEntry): number {
  const cut = e.sigmaA * e.a;
  let rtmp = cut;
  if (e.tol > 0) {
    const tol = Math.min(e.tol, 0.01);
    rtmp = e.gamma < 1.0 ? rtmp + (e.gamma * e.sigmaA) / Math.log(tol) : rtmp + e.sigmaA / Math.log(tol);
  }
  return Math.sqrt(rtmp * rtmp);
}

/** Parameter tables for one set of species (the elements present in a system). */
interface SwTables {
  nT: number;
  // pair arrays [T*T] from the i j j entry
  cut: Float64Array; cutsq: Float64Array; sigma: Float64Array; sigmaGamma: Float64Array;
  powerp: Float64Array; powerq: Float64Array;
  c1: Float64Array; c2: Float64Array; c3: Float64Array; c4: Float64Array; c5: Float64Array; c6: Float64Array;
  // triplet arrays [T*T*T] from the i j k entry
  lambdaEpsilon: Float64Array; lambdaEpsilon2: Float64Array; costheta: Float64Array;
}

function buildTables(file: SwFile, symbols: string[], label: string): SwTables {
  const nT = symbols.length;
  const find = (a: number, b: number, c: number): SwEntry => {
    const e = file.entries.find((x) => x.elements[0] === symbols[a] && x.elements[1] === symbols[b] && x.elements[2] === symbols[c]);
    if (!e) throw new Error(`${label}: no entry for the triplet ${symbols[a]} ${symbols[b]} ${symbols[c]}; a Stillinger-Weber file needs every triplet of the elements present`);
    return e;
  };
  const p2 = () => new Float64Array(nT * nT);
  const p3 = () => new Float64Array(nT * nT * nT);
  const t: SwTables = {
    nT, cut: p2(), cutsq: p2(), sigma: p2(), sigmaGamma: p2(), powerp: p2(), powerq: p2(),
    c1: p2(), c2: p2(), c3: p2(), c4: p2(), c5: p2(), c6: p2(),
    lambdaEpsilon: p3(), lambdaEpsilon2: p3(), costheta: p3(),
  };
  for (let i = 0; i < nT; i++) {
    for (let j = 0; j < nT; j++) {
      const e = find(i, j, j);
      const q = i * nT + j;
      const rc = swEntryCutoffA(e);
      t.cut[q] = e.sigmaA * e.a;
      t.cutsq[q] = rc * rc;
      t.sigma[q] = e.sigmaA;
      t.sigmaGamma[q] = e.sigmaA * e.gamma;
      t.powerp[q] = e.p;
      t.powerq[q] = e.q;
      t.c1[q] = e.bigA * e.epsilonEv * e.p * e.bigB * Math.pow(e.sigmaA, e.p);
      t.c2[q] = e.bigA * e.epsilonEv * e.q * Math.pow(e.sigmaA, e.q);
      t.c3[q] = e.bigA * e.epsilonEv * e.bigB * Math.pow(e.sigmaA, e.p + 1.0);
      t.c4[q] = e.bigA * e.epsilonEv * Math.pow(e.sigmaA, e.q + 1.0);
      t.c5[q] = e.bigA * e.epsilonEv * e.bigB * Math.pow(e.sigmaA, e.p);
      t.c6[q] = e.bigA * e.epsilonEv * Math.pow(e.sigmaA, e.q);
      for (let k = 0; k < nT; k++) {
        const e3 = find(i, j, k);
        const r = (i * nT + j) * nT + k;
        t.lambdaEpsilon[r] = e3.lambda * e3.epsilonEv;
        t.lambdaEpsilon2[r] = 2.0 * e3.lambda * e3.epsilonEv;
        t.costheta[r] = e3.cosTheta0;
      }
    }
  }
  return t;
}

/** Stillinger-Weber calculator from the text of a .sw file. */
export function createStillingerWeberFromText(text: string, fileName: string, options: StillingerWeberOptions = {}): ClassicalCalculator {
  return createStillingerWeber(parseSwFile(text, fileName), { label: fileName.split(/[\\/]/).pop(), ...options });
}

export function createStillingerWeber(file: SwFile, options: StillingerWeberOptions = {}): ClassicalCalculator {
  const covered = file.elements.filter((s) => atomicNumber(s) >= 1);
  const coveredByZ = new Uint8Array(119);
  for (const s of covered) coveredByZ[atomicNumber(s)] = 1;
  const name = `sw(${options.label ?? 'Stillinger-Weber'}: ${covered.join(', ')})`;
  let cutoffA = 0;
  for (const e of file.entries) if (e.elements.every((s) => atomicNumber(s) >= 1)) cutoffA = Math.max(cutoffA, swEntryCutoffA(e));
  if (!(cutoffA > 0)) throw new Error(`${name}: no entry with a positive cutoff (a·sigma) for known elements`);
  const cache = createNeighborCache({ cutoffA, skinA: options.skinA ?? DEFAULT_SKIN_A, half: false });

  // species = elements present in the current system, tables rebuilt when that set changes
  const byZ = new Int32Array(119).fill(-1);
  const present = new Uint8Array(119), presentInTables = new Uint8Array(119);
  let tables: SwTables | null = null;
  let species: Int32Array = new Int32Array(0);
  let spE = new Int32Array(0);
  let fe = new Float64Array(0);
  let ee = new Float64Array(0);
  // per short neighbour of the current atom i
  let cap = 64;
  let sJ = new Int32Array(cap), sT = new Int32Array(cap);
  let sDx = new Float64Array(cap), sDy = new Float64Array(cap), sDz = new Float64Array(cap);
  let sRinvsq = new Float64Array(cap), sGsrainvsq = new Float64Array(cap), sExp = new Float64Array(cap), sR = new Float64Array(cap);

  function grow(): void {
    cap *= 2;
    const gi = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    sJ = gi(sJ); sT = gi(sT);
    sDx = gf(sDx); sDy = gf(sDy); sDz = gf(sDz); sRinvsq = gf(sRinvsq); sGsrainvsq = gf(sGsrainvsq); sExp = gf(sExp); sR = gf(sR);
  }

  function assign(numbers: Int32Array): SwTables {
    const n = numbers.length;
    if (species.length < n) species = new Int32Array(n);
    // which covered elements are present (no allocation unless the set changed)
    present.fill(0);
    for (let a = 0; a < n; a++) {
      const z = numbers[a];
      if (!(z >= 0 && z < 119) || coveredByZ[z] === 0) {
        const missing = [...new Set(Array.from(numbers).filter((x) => !(x >= 0 && x < 119) || coveredByZ[x] === 0))].map((x) => `${symbolOf(x)} (Z=${x})`);
        throw new Error(`${name}: no parameters for element${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; it covers ${covered.join(', ')}`);
      }
      present[z] = 1;
    }
    let same = tables !== null;
    for (let z = 0; z < 119 && same; z++) if (present[z] !== presentInTables[z]) same = false;
    if (!same) {
      const zs: number[] = [];
      for (let z = 0; z < 119; z++) if (present[z]) zs.push(z);
      byZ.fill(-1);
      zs.forEach((z, t) => (byZ[z] = t));
      const symbols = zs.map((z) => covered.find((s) => atomicNumber(s) === z) as string);
      tables = buildTables(file, symbols, name);
      presentInTables.set(present);
    }
    for (let a = 0; a < n; a++) species[a] = byZ[numbers[a]];
    return tables as SwTables;
  }

  return {
    name,
    implementedProperties: PROPS,
    cutoffA,
    reset: () => cache.reset(),
    skinA: cache.skinA,
    get neighborListBuilds() {
      return cache.builds;
    },
    compute(system, request = {}, out) {
      const n = system.numbers.length;
      const o = prepareOutput(system, request, out);
      const T = assign(system.numbers);
      const nT = T.nT;
      const { cut, cutsq, sigma, sigmaGamma, powerp, powerq, c1, c2, c3, c4, c5, c6, lambdaEpsilon, lambdaEpsilon2, costheta } = T;
      const list = cache.refresh(system);
      const nExt = n + cache.nGhosts;
      if (spE.length < nExt) {
        spE = new Int32Array(nExt + 16);
        fe = new Float64Array(3 * nExt + 48);
      }
      if (o.energies && ee.length < nExt) ee = new Float64Array(nExt + 16);
      const ea = o.energies ? ee : null;
      if (ea) ea.fill(0, 0, nExt);
      cache.extendScalars(species, spE);
      const f = fe;
      f.fill(0, 0, 3 * nExt);
      const wantS = o.stress;
      const x = cache.positionsExtA, rs = list.rowStart, J = cache.jExt, own = cache.owner, sp = spE;
      let energy = 0, wxx = 0, wyy = 0, wzz = 0, wxy = 0, wxz = 0, wyz = 0;
      for (let i = 0; i < n; i++) {
        const qi = 3 * i;
        const xi = x[qi], yi = x[qi + 1], zi = x[qi + 2];
        const ti = sp[i];
        let fxi = 0, fyi = 0, fzi = 0;
        let ns = 0;
        const end = rs[i + 1];
        for (let p = rs[i]; p < end; p++) {
          const j = J[p];
          const qj = 3 * j;
          // delr = x_j - x_i (LAMMPS delr1; j may be a ghost); the two-body term uses del = -delr
          const dx = x[qj] - xi, dy = x[qj + 1] - yi, dz = x[qj + 2] - zi;
          const rsq = dx * dx + dy * dy + dz * dz;
          const tj = sp[j];
          const ij = ti * nT + tj;
          if (rsq >= cutsq[ij]) continue;
          if (ns === cap) grow();
          const r = Math.sqrt(rsq);
          const rainv = 1.0 / (r - cut[ij]);
          const gsrainv = sigmaGamma[ij] * rainv;
          sJ[ns] = j; sT[ns] = tj;
          sDx[ns] = dx; sDy[ns] = dy; sDz[ns] = dz;
          sR[ns] = r;
          sRinvsq[ns] = 1.0 / rsq;
          sGsrainvsq[ns] = (gsrainv * rainv) / r;
          sExp[ns] = Math.exp(gsrainv);
          ns++;
          if (own[p] === 0) continue;
          // two-body (LAMMPS twobody), once per pair
          const rp = Math.pow(r, -powerp[ij]);
          const rq = Math.pow(r, -powerq[ij]);
          const rainvsq = rainv * rainv * r;
          const expsrainv = Math.exp(sigma[ij] * rainv);
          const fpair = (c1[ij] * rp - c2[ij] * rq + (c3[ij] * rp - c4[ij] * rq) * rainvsq) * expsrainv / rsq;
          const e2 = (c5[ij] * rp - c6[ij] * rq) * expsrainv;
          energy += e2;
          // force on i along del = x_i - x_j = -delr
          const fx = -dx * fpair, fy = -dy * fpair, fz = -dz * fpair;
          fxi += fx; fyi += fy; fzi += fz;
          f[qj] -= fx; f[qj + 1] -= fy; f[qj + 2] -= fz;
          if (ea !== null) { ea[i] += 0.5 * e2; ea[j] += 0.5 * e2; }
          if (wantS) {
            wxx += dx * dx * fpair; wyy += dy * dy * fpair; wzz += dz * dz * fpair;
            wxy += dx * dy * fpair; wxz += dx * dz * fpair; wyz += dy * dz * fpair;
          }
        }
        // three-body (LAMMPS threebody) over pairs j < k of short neighbours
        const tiT = ti * nT;
        for (let a = 0; a < ns - 1; a++) {
          const j = sJ[a];
          const d1x = sDx[a], d1y = sDy[a], d1z = sDz[a];
          const r1 = sR[a], rinvsq1 = sRinvsq[a], gsrainvsq1 = sGsrainvsq[a], exp1 = sExp[a];
          const ijT = (tiT + sT[a]) * nT;
          let fjx = 0, fjy = 0, fjz = 0;
          for (let b = a + 1; b < ns; b++) {
            const d2x = sDx[b], d2y = sDy[b], d2z = sDz[b];
            const r2 = sR[b];
            const ijk = ijT + sT[b];
            const rinv12 = 1.0 / (r1 * r2);
            const cs = (d1x * d2x + d1y * d2y + d1z * d2z) * rinv12;
            const delcs = cs - costheta[ijk];
            const facexp = exp1 * sExp[b];
            const facrad = lambdaEpsilon[ijk] * facexp * delcs * delcs;
            const frad1 = facrad * gsrainvsq1;
            const frad2 = facrad * sGsrainvsq[b];
            const facang = lambdaEpsilon2[ijk] * facexp * delcs;
            const facang12 = rinv12 * facang;
            const csfacang = cs * facang;
            const csfac1 = rinvsq1 * csfacang;
            const g1 = frad1 + csfac1;
            const fjX = d1x * g1 - d2x * facang12, fjY = d1y * g1 - d2y * facang12, fjZ = d1z * g1 - d2z * facang12;
            const g2 = frad2 + sRinvsq[b] * csfacang;
            const fkX = d2x * g2 - d1x * facang12, fkY = d2y * g2 - d1y * facang12, fkZ = d2z * g2 - d1z * facang12;
            energy += facrad;
            fxi -= fjX + fkX; fyi -= fjY + fkY; fzi -= fjZ + fkZ;
            fjx += fjX; fjy += fjY; fjz += fjZ;
            const qk = 3 * sJ[b];
            f[qk] += fkX; f[qk + 1] += fkY; f[qk + 2] += fkZ;
            if (ea !== null) {
              const third = facrad / 3;
              ea[i] += third; ea[j] += third; ea[sJ[b]] += third;
            }
            if (wantS) {
              wxx += d1x * fjX + d2x * fkX; wyy += d1y * fjY + d2y * fkY; wzz += d1z * fjZ + d2z * fkZ;
              wxy += d1x * fjY + d2x * fkY; wxz += d1x * fjZ + d2x * fkZ; wyz += d1y * fjZ + d2y * fkZ;
            }
          }
          const qj = 3 * j;
          f[qj] += fjx; f[qj + 1] += fjy; f[qj + 2] += fjz;
        }
        f[qi] += fxi; f[qi + 1] += fyi; f[qi + 2] += fzi;
      }
      if (o.forces) cache.foldVectors(f, o.forces);
      if (o.energies && ea) {
        cache.foldScalars(ea);
        const e = o.energies;
        for (let a = 0; a < n; a++) e[a] = ea[a];
      }
      o.out.energyEv = energy;
      if (wantS) writeStress(o.out, o.volumeA3, wxx, wyy, wzz, wxy, wxz, wyz);
      return o.out;
    },
  };
}
