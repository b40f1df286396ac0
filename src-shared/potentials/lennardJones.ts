// Lennard-Jones 12-6 pair potential, truncated at a cutoff and optionally shifted so that
// E(rc) = 0 (LAMMPS `pair_style lj/cut` with `pair_modify shift yes`):
//
//   E(r) = 4ε [(σ/r)¹² - (σ/r)⁶] - E_shift,   r < rc;   E_shift = 4ε [(σ/rc)¹² - (σ/rc)⁶] or 0.
//
// Lennard-Jones, Proc. R. Soc. A 106, 463 (1924). The arithmetic follows LAMMPS
// src/pair_lj_cut.cpp (lj1 = 48εσ¹², lj2 = 24εσ⁶, lj3 = 4εσ¹², lj4 = 4εσ⁶; the force is not
// shifted), so energies, forces and the virial agree with LAMMPS to rounding. Parameters may be
// given per element pair (pairTable.ts); there are no mixing rules.
//
// Loops (pairCalculator.ts): half neighbour list with ghost atoms (each pair once, Newton's third
// law), flat typed arrays, no allocation in steady state; a one-species forces-only loop for MD.
import { type ClassicalCalculator, assignSpecies, DEFAULT_SKIN_A, requirePositive } from './calculatorKit';
import { createPairCalculator, type PairLoopArgs } from './pairCalculator';
import { buildPairTable, type PairOverride } from './pairTable';

export interface LennardJonesParams {
  /** Well depth ε (eV). */
  epsilonEv: number;
  /** Zero-crossing distance σ (Å). */
  sigmaA: number;
  /** Cutoff (Å). */
  cutoffA: number;
}

export interface LennardJonesOptions extends Partial<LennardJonesParams> {
  /** Shift each pair's energy so that E(rc) = 0 (LAMMPS pair_modify shift yes). Default false. */
  shift?: boolean;
  /** Per-element-pair parameters; unlisted pairs use the defaults above. */
  pairs?: readonly PairOverride<LennardJonesParams>[];
  /** Verlet skin (Å), default 1. */
  skinA?: number;
}

interface LjTables {
  lj1: Float64Array; lj2: Float64Array; lj3: Float64Array; lj4: Float64Array; offset: Float64Array; cutsq: Float64Array;
}

export function createLennardJones(options: LennardJonesOptions): ClassicalCalculator {
  const context = 'lj';
  const defaults: Partial<LennardJonesParams> = {};
  if (options.epsilonEv !== undefined) defaults.epsilonEv = options.epsilonEv;
  if (options.sigmaA !== undefined) defaults.sigmaA = options.sigmaA;
  if (options.cutoffA !== undefined) defaults.cutoffA = options.cutoffA;
  const table = buildPairTable<LennardJonesParams>(context, ['epsilonEv', 'sigmaA', 'cutoffA'], defaults, options.pairs ?? []);
  const nT = table.nSpecies;
  const shift = options.shift ?? false;
  const mk = () => new Float64Array(nT * nT);
  const tables: LjTables = { lj1: mk(), lj2: mk(), lj3: mk(), lj4: mk(), offset: mk(), cutsq: mk() };
  let cutoffA = 0;
  table.params.forEach((p, t) => {
    const eps = p.epsilonEv, sig = requirePositive('sigma', p.sigmaA, context), rc = requirePositive('cutoff', p.cutoffA, context);
    if (!Number.isFinite(eps) || eps < 0) throw new Error(`${context}: epsilon must be a finite number >= 0, got ${eps}`);
    tables.lj1[t] = 48 * eps * sig ** 12;
    tables.lj2[t] = 24 * eps * sig ** 6;
    tables.lj3[t] = 4 * eps * sig ** 12;
    tables.lj4[t] = 4 * eps * sig ** 6;
    const ratio = sig / rc;
    tables.offset[t] = shift ? 4 * eps * (ratio ** 12 - ratio ** 6) : 0;
    tables.cutsq[t] = rc * rc;
    cutoffA = Math.max(cutoffA, rc);
  });
  const name = describe(options, shift);
  let species: Int32Array = new Int32Array(0);
  return createPairCalculator<LjTables>({
    name,
    cutoffA,
    skinA: options.skinA ?? DEFAULT_SKIN_A,
    setup(system, out) {
      species = assignSpecies(species, system.numbers, table.map, name);
      out.species = species;
      out.nSpecies = nT;
      out.tables = tables;
    },
    general: ljGeneral,
    fast: ljFast,
  });
}

/** One species, forces and energy only (the MD hot path). */
function ljFast(a: PairLoopArgs, t: LjTables): void {
  const { n, xe, rowStart: rs, jExt: J, fe: f } = a;
  const lj1 = t.lj1[0], lj2 = t.lj2[0], lj3 = t.lj3[0], lj4 = t.lj4[0], off = t.offset[0], cutsq = t.cutsq[0];
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const qi = 3 * i;
    const xi = xe[qi], yi = xe[qi + 1], zi = xe[qi + 2];
    let fxi = 0, fyi = 0, fzi = 0;
    const end = rs[i + 1];
    for (let p = rs[i]; p < end; p++) {
      const qj = 3 * J[p];
      const dx = xi - xe[qj], dy = yi - xe[qj + 1], dz = zi - xe[qj + 2];
      const rsq = dx * dx + dy * dy + dz * dz;
      if (rsq >= cutsq) continue;
      const r2inv = 1 / rsq;
      const r6inv = r2inv * r2inv * r2inv;
      const fpair = r6inv * (lj1 * r6inv - lj2) * r2inv;
      energy += r6inv * (lj3 * r6inv - lj4) - off;
      const fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx; fyi += fy; fzi += fz;
      f[qj] -= fx; f[qj + 1] -= fy; f[qj + 2] -= fz;
    }
    f[qi] += fxi; f[qi + 1] += fyi; f[qi + 2] += fzi;
  }
  a.acc[0] = energy;
}

/** Any species, optional per-atom energies and virial (LAMMPS PairLJCut::compute). */
function ljGeneral(a: PairLoopArgs, t: LjTables): void {
  const { n, xe, rowStart: rs, jExt: J, fe: f, species: sp, nSpecies: nT, energies: ea, virial, acc } = a;
  const { lj1, lj2, lj3, lj4, offset, cutsq } = t;
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
      const r2inv = 1 / rsq;
      const r6inv = r2inv * r2inv * r2inv;
      const fpair = r6inv * (lj1[tt] * r6inv - lj2[tt]) * r2inv;
      const e = r6inv * (lj3[tt] * r6inv - lj4[tt]) - offset[tt];
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

function describe(o: LennardJonesOptions, shift: boolean): string {
  const parts: string[] = [];
  if (o.epsilonEv !== undefined) parts.push(`epsilon=${o.epsilonEv} eV`);
  if (o.sigmaA !== undefined) parts.push(`sigma=${o.sigmaA} Å`);
  if (o.cutoffA !== undefined) parts.push(`cutoff=${o.cutoffA} Å`);
  for (const p of o.pairs ?? []) parts.push(`${p.elements.join('-')}: ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (shift) parts.push('shifted');
  return `lj(${parts.join(', ')})`;
}
