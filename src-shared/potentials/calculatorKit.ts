// Plumbing shared by the classical calculators in this folder: which elements a potential covers
// (atom -> species index, with an error that names the missing element), output arrays reused
// from the caller's `out` (so MD loops allocate nothing), and the stress from the virial.
//
// Stress convention (calculators/calculator.ts, ASE): stress = (1/V) dE/dε, positive = tensile.
// With LAMMPS's pair virial W_ab = Σ_pairs del_a del_b fpair (del = x_i - x_j, fpair = -(dE/dr)/r)
// and its three-body analogue, LAMMPS's pressure is P_ab = W_ab / V, so stress = -W / V.
import { symbolOf } from '../atoms/elements';
import type { AtomicSystem, CalcRequest, CalcResult, Calculator } from '../calculators/calculator';

/** What the classical calculators here return: the contract plus neighbour-list diagnostics. */
export interface ClassicalCalculator extends Calculator {
  /** Verlet skin (Å) of the kept neighbour list. */
  readonly skinA: number;
  /** Neighbour-list builds so far (first build plus rebuilds); reset() does not zero it. */
  readonly neighborListBuilds: number;
}

/** Maps atomic numbers to species indices 0..T-1 of a potential; -1 = not covered. */
export interface SpeciesMap {
  /** [119] species index per atomic number, -1 when the potential has no parameters for it. */
  readonly byZ: Int32Array;
  /** Element symbols covered, in species order. */
  readonly symbols: readonly string[];
}

export function speciesMap(zs: readonly number[]): SpeciesMap {
  const byZ = new Int32Array(119).fill(-1);
  zs.forEach((z, t) => {
    if (!(z >= 1 && z <= 118)) throw new Error(`speciesMap: atomic number ${z} out of range`);
    byZ[z] = t;
  });
  return { byZ, symbols: zs.map((z) => symbolOf(z)) };
}

/**
 * species[a] = map.byZ[numbers[a]] into `out` (reused when long enough). Throws an Error that names
 * every element of the system the potential does not cover.
 */
export function assignSpecies(out: Int32Array, numbers: Int32Array, map: SpeciesMap, potential: string): Int32Array {
  const n = numbers.length;
  const species = out.length >= n ? out : new Int32Array(n);
  const byZ = map.byZ;
  let bad = false;
  for (let a = 0; a < n; a++) {
    const z = numbers[a];
    const t = z >= 0 && z < byZ.length ? byZ[z] : -1;
    if (t < 0) bad = true;
    species[a] = t;
  }
  if (bad) {
    const missing = [...new Set(Array.from(numbers).filter((z) => !(z >= 0 && z < byZ.length) || byZ[z] < 0))];
    const names = missing.map((z) => `${symbolOf(z)} (Z=${z})`).join(', ');
    throw new Error(`${potential}: no parameters for element${missing.length > 1 ? 's' : ''} ${names}; it covers ${map.symbols.join(', ') || 'no elements'}`);
  }
  return species;
}

/** `a` when it has length n, else a new array. */
export function ensureLength(a: Float64Array | undefined, n: number): Float64Array {
  return a && a.length === n ? a : new Float64Array(n);
}

/** Output arrays for a request, taken from `out` when they fit, zeroed. */
export interface OutputArrays {
  out: CalcResult;
  forces: Float64Array | null;
  energies: Float64Array | null;
  /** True when stress was requested and the system has a cell with non-zero volume. */
  stress: boolean;
  volumeA3: number;
}

export function prepareOutput(system: AtomicSystem, request: CalcRequest, out: CalcResult | undefined): OutputArrays {
  const n = system.numbers.length;
  const res = out ?? { energyEv: 0 };
  let forces: Float64Array | null = null;
  let energies: Float64Array | null = null;
  if (request.forces) {
    forces = ensureLength(res.forcesEvPerA, 3 * n);
    forces.fill(0);
    res.forcesEvPerA = forces;
  } else res.forcesEvPerA = undefined;
  if (request.energies) {
    energies = ensureLength(res.energiesEv, n);
    energies.fill(0);
    res.energiesEv = energies;
  } else res.energiesEv = undefined;
  let volumeA3 = 0;
  const c = system.cellA;
  if (c) {
    volumeA3 = Math.abs(c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]));
  }
  const stress = !!request.stress && volumeA3 > 0;
  if (!stress) res.stressEvPerA3 = undefined;
  return { out: res, forces, energies, stress, volumeA3 };
}

/**
 * Write stress = -W / V (ASE sign) from the virial components W = Σ del ⊗ f (LAMMPS order
 * xx yy zz xy xz yz) into out.stressEvPerA3 [9], row-major and symmetric.
 */
export function writeStress(res: CalcResult, volumeA3: number, wxx: number, wyy: number, wzz: number, wxy: number, wxz: number, wyz: number): void {
  const s = ensureLength(res.stressEvPerA3, 9);
  const k = -1 / volumeA3;
  s[0] = k * wxx;
  s[4] = k * wyy;
  s[8] = k * wzz;
  s[1] = s[3] = k * wxy;
  s[2] = s[6] = k * wxz;
  s[5] = s[7] = k * wyz;
  res.stressEvPerA3 = s;
}

/** A finite number > 0 (cutoffs, sigma, ...), else an Error naming the parameter. */
export function requirePositive(name: string, value: number, context: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw new Error(`${context}: ${name} must be a finite number > 0, got ${value}`);
  }
  return value;
}

/** A finite number (any sign), else an Error naming the parameter. */
export function requireFinite(name: string, value: number, context: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${context}: ${name} must be a finite number, got ${value}`);
  return value;
}

/** Default Verlet skin (Å) of the classical calculators: rebuild when an atom moved 0.5 Å. */
export const DEFAULT_SKIN_A = 1.0;
