// Morse pair potential, truncated at a cutoff and optionally shifted so that E(rc) = 0 (LAMMPS
// `pair_style morse` with `pair_modify shift yes`):
//
//   E(r) = D0 [e^{-2α(r-r0)} - 2 e^{-α(r-r0)}] - E_shift,   r < rc.
//
// Morse, Phys. Rev. 34, 57 (1929). Arithmetic as in LAMMPS src/pair_morse.cpp (morse1 = 2 D0 α,
// fpair = morse1 (e² - e) / r with e = exp(-α(r - r0)); offset = D0 (e_c² - 2 e_c)), so numbers
// agree with LAMMPS to rounding. Parameters may be given per element pair (pairTable.ts).
//
// Loop (pairCalculator.ts): half neighbour list with ghost atoms (each pair once, Newton's third
// law), flat typed arrays, no allocation in steady state.
import { type ClassicalCalculator, assignSpecies, DEFAULT_SKIN_A, requirePositive } from './calculatorKit';
import { createPairCalculator, type PairLoopArgs } from './pairCalculator';
import { buildPairTable, type PairOverride } from './pairTable';

export interface MorseParams {
  /** Well depth D0 (eV). */
  d0Ev: number;
  /** Width α (1/Å). */
  alphaPerA: number;
  /** Equilibrium distance r0 (Å). */
  r0A: number;
  /** Cutoff (Å). */
  cutoffA: number;
}

export interface MorseOptions extends Partial<MorseParams> {
  /** Shift each pair's energy so that E(rc) = 0 (LAMMPS pair_modify shift yes). Default false. */
  shift?: boolean;
  /** Per-element-pair parameters; unlisted pairs use the defaults above. */
  pairs?: readonly PairOverride<MorseParams>[];
  /** Verlet skin (Å), default 1. */
  skinA?: number;
}

interface MorseTables {
  d0: Float64Array; alpha: Float64Array; r0: Float64Array; morse1: Float64Array; offset: Float64Array; cutsq: Float64Array;
}

export function createMorse(options: MorseOptions): ClassicalCalculator {
  const context = 'morse';
  const defaults: Partial<MorseParams> = {};
  if (options.d0Ev !== undefined) defaults.d0Ev = options.d0Ev;
  if (options.alphaPerA !== undefined) defaults.alphaPerA = options.alphaPerA;
  if (options.r0A !== undefined) defaults.r0A = options.r0A;
  if (options.cutoffA !== undefined) defaults.cutoffA = options.cutoffA;
  const table = buildPairTable<MorseParams>(context, ['d0Ev', 'alphaPerA', 'r0A', 'cutoffA'], defaults, options.pairs ?? []);
  const nT = table.nSpecies;
  const shift = options.shift ?? false;
  const mk = () => new Float64Array(nT * nT);
  const tables: MorseTables = { d0: mk(), alpha: mk(), r0: mk(), morse1: mk(), offset: mk(), cutsq: mk() };
  let cutoffA = 0;
  table.params.forEach((p, t) => {
    const d = p.d0Ev, a = requirePositive('alpha', p.alphaPerA, context), rc = requirePositive('cutoff', p.cutoffA, context);
    const req = requirePositive('r0', p.r0A, context);
    if (!Number.isFinite(d) || d < 0) throw new Error(`${context}: d0 must be a finite number >= 0, got ${d}`);
    tables.d0[t] = d;
    tables.alpha[t] = a;
    tables.r0[t] = req;
    tables.morse1[t] = 2 * d * a;
    const alphaDr = -a * (rc - req);
    tables.offset[t] = shift ? d * (Math.exp(2 * alphaDr) - 2 * Math.exp(alphaDr)) : 0;
    tables.cutsq[t] = rc * rc;
    cutoffA = Math.max(cutoffA, rc);
  });
  const name = describe(options, shift);
  let species: Int32Array = new Int32Array(0);
  return createPairCalculator<MorseTables>({
    name,
    cutoffA,
    skinA: options.skinA ?? DEFAULT_SKIN_A,
    setup(system, out) {
      species = assignSpecies(species, system.numbers, table.map, name);
      out.species = species;
      out.nSpecies = nT;
      out.tables = tables;
    },
    general: morseGeneral,
  });
}

/** LAMMPS PairMorse::compute: any species, optional per-atom energies and virial. */
function morseGeneral(a: PairLoopArgs, t: MorseTables): void {
  const { n, xe, rowStart: rs, jExt: J, fe: f, species: sp, nSpecies: nT, energies: ea, virial, acc } = a;
  const { d0, alpha, r0, morse1, offset, cutsq } = t;
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
      const tt = ti + sp[j];
      if (rsq >= cutsq[tt]) continue;
      const r = Math.sqrt(rsq);
      const dexp = Math.exp(-alpha[tt] * (r - r0[tt]));
      const fpair = (morse1[tt] * (dexp * dexp - dexp)) / r;
      const e = d0[tt] * (dexp * dexp - 2 * dexp) - offset[tt];
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

function describe(o: MorseOptions, shift: boolean): string {
  const parts: string[] = [];
  if (o.d0Ev !== undefined) parts.push(`d0=${o.d0Ev} eV`);
  if (o.alphaPerA !== undefined) parts.push(`alpha=${o.alphaPerA} 1/Å`);
  if (o.r0A !== undefined) parts.push(`r0=${o.r0A} Å`);
  if (o.cutoffA !== undefined) parts.push(`cutoff=${o.cutoffA} Å`);
  for (const p of o.pairs ?? []) parts.push(`${p.elements.join('-')}: ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (shift) parts.push('shifted');
  return `morse(${parts.join(', ')})`;
}
