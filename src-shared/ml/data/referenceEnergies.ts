// Atomic reference energies E0 (eV per atom of each element) and label scales.
//
// A model learns E - Σ_i E0(Z_i): the large, composition-only part of a DFT total energy is removed
// in float64 before anything reaches float32 (GUIDE §6.3). Three sources:
//  - least_squares (default): min_E0 Σ_f (E_f - Σ_s c_fs E0_s)² over training frames with an energy,
//    c_fs the count of element s in frame f; normal equations in float64 with a tiny ridge
//    (λ = 1e-8 · tr(AᵀA)/S), so compositions that never vary independently (every frame 1:1 InP)
//    give the minimum-norm split instead of a singular solve;
//  - isolated_atoms: the energy of single-atom frames (config_type IsolatedAtom in MACE files);
//  - user: values per element symbol.
// Label scales make the loss dimensionless (issue 4): s_E = std of the per-atom residual energy
// (E - ΣE0)/N, s_F = RMS force component, s_S = RMS stress component, over the training frames
// that carry the label. A scale that cannot be estimated (fewer than two energies, no forces) is 1.
import type { Frame } from '../../atoms/frame';
import { speciesIndices, type SpeciesTable } from './species';

export type E0Config =
  | { method: 'least_squares' }
  | { method: 'isolated_atoms' }
  | { method: 'user'; valuesEv: Record<string, number> }
  | { method: 'zero' };

export interface ReferenceEnergies {
  method: E0Config['method'];
  /** [S] eV per atom, in species-table order. */
  valuesEv: Float64Array;
}

/** Solve the symmetric positive (semi)definite system A x = b (n x n, row-major) by Cholesky; float64. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('solveSpd: matrix is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

function composition(table: SpeciesTable, f: Frame): Float64Array {
  const c = new Float64Array(table.numbers.length);
  for (const s of speciesIndices(table, f.numbers)) c[s]++;
  return c;
}

/** E0 per species from the frames `indices` (the training set). */
export function referenceEnergies(frames: readonly Frame[], indices: readonly number[], table: SpeciesTable, config: E0Config = { method: 'least_squares' }): ReferenceEnergies {
  const S = table.numbers.length;
  const values = new Float64Array(S);
  switch (config.method) {
    case 'zero':
      break;
    case 'user': {
      const missing: string[] = [];
      table.symbols.forEach((sym, s) => {
        const v = config.valuesEv[sym];
        if (typeof v !== 'number' || !Number.isFinite(v)) missing.push(sym);
        else values[s] = v;
      });
      if (missing.length) throw new Error(`E0: no user value for ${missing.join(', ')}`);
      break;
    }
    case 'isolated_atoms': {
      const found = new Array<boolean>(S).fill(false);
      for (const f of frames) {
        if (f.numbers.length !== 1 || f.energyEv === undefined) continue;
        const s = table.numbers.indexOf(f.numbers[0]);
        if (s >= 0) {
          values[s] = f.energyEv;
          found[s] = true;
        }
      }
      const missing = table.symbols.filter((_, s) => !found[s]);
      if (missing.length) throw new Error(`E0: no isolated-atom frame with an energy for ${missing.join(', ')}`);
      break;
    }
    case 'least_squares': {
      const AtA = new Float64Array(S * S);
      const Atb = new Float64Array(S);
      let rows = 0;
      for (const k of indices) {
        const f = frames[k];
        if (f.energyEv === undefined) continue;
        const c = composition(table, f);
        for (let a = 0; a < S; a++) {
          Atb[a] += c[a] * f.energyEv;
          for (let b = 0; b < S; b++) AtA[a * S + b] += c[a] * c[b];
        }
        rows++;
      }
      if (rows === 0) throw new Error('E0: least squares needs training frames with energies');
      let tr = 0;
      for (let a = 0; a < S; a++) tr += AtA[a * S + a];
      const lambda = (1e-8 * tr) / S;
      // An element absent from every energy-labelled frame gets E0 = 0 (its column is all zero).
      for (let a = 0; a < S; a++) AtA[a * S + a] += AtA[a * S + a] > 0 ? lambda : 1;
      values.set(solveSpd(AtA, Atb, S));
      break;
    }
    default:
      throw new Error(`E0: unknown method ${(config as { method: string }).method}`);
  }
  return { method: config.method, valuesEv: values };
}

/** Σ_i E0(Z_i) in eV for one frame. */
export function referenceSumEv(e0: ReferenceEnergies, speciesOfAtoms: Int32Array): number {
  let s = 0;
  for (const t of speciesOfAtoms) s += e0.valuesEv[t];
  return s;
}

export interface LabelScales {
  /** s_E: std of (E - ΣE0)/N over training frames, eV/atom. */
  energyEvPerAtom: number;
  /** s_F: RMS force component, eV/Å. */
  forceEvPerA: number;
  /** s_S: RMS stress component, eV/Å³. */
  stressEvPerA3: number;
  /** Mean of (E - ΣE0)/N, eV/atom (≈ 0 after least-squares E0). */
  energyMeanEvPerAtom: number;
}

const orOne = (x: number) => (Number.isFinite(x) && x > 0 ? x : 1);

/** Label scales over the frames `indices`; `e0Sum[k]` is Σ E0 of frame k. */
export function labelScales(frames: readonly Frame[], indices: readonly number[], e0Sum: Float64Array): LabelScales {
  let nE = 0, sE = 0, sE2 = 0;
  let nF = 0, sF2 = 0;
  let nS = 0, sS2 = 0;
  for (const k of indices) {
    const f = frames[k];
    const n = f.numbers.length;
    if (f.energyEv !== undefined && n > 0) {
      const e = (f.energyEv - e0Sum[k]) / n;
      nE++;
      sE += e;
      sE2 += e * e;
    }
    if (f.forcesEvPerA) for (const x of f.forcesEvPerA) {
      nF++;
      sF2 += x * x;
    }
    if (f.stressEvPerA3) for (const x of f.stressEvPerA3) {
      nS++;
      sS2 += x * x;
    }
  }
  const mean = nE ? sE / nE : 0;
  const variance = nE > 1 ? (sE2 - nE * mean * mean) / (nE - 1) : NaN;
  return {
    energyEvPerAtom: orOne(Math.sqrt(Math.max(0, variance))),
    forceEvPerA: orOne(Math.sqrt(sF2 / nF)),
    stressEvPerA3: orOne(Math.sqrt(sS2 / nS)),
    energyMeanEvPerAtom: mean,
  };
}
