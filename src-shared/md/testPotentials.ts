// Small, self-contained potentials and structures for the MD / relaxation / analysis tests, so
// that those tests do not depend on the production potentials (src-shared/potentials/) landing
// first. Not for production use.
//
//  - testLennardJones: 12-6 Lennard-Jones, energy-shifted at the cutoff (forces jump there), the
//    same functional form as ASE 3.22 ase.calculators.lj.LennardJones(smooth=False):
//    u(r) = 4ε[(σ/r)¹² − (σ/r)⁶] − u_LJ(rc) for r ≤ rc. Pairs come from the project's Verlet
//    neighbour list (partition/neighborList.ts) with a skin, so MD steps stay cheap; stress is the
//    pair virial (ASE sign: σ = (1/V) Σ_pairs u'(r) r⊗r / r, positive = tensile).
//  - harmonicTether: an Einstein crystal, E = ½ k Σ_i |x_i − x_i⁰|² (free space): independent
//    harmonic oscillators whose canonical averages are known exactly.
//  - fccLattice: a conventional-cell fcc supercell (4 atoms per cube of edge a).
import type { AtomicSystem, CalcRequest, CalcResult, Calculator } from '../calculators/calculator';
import { cellVolumeA3 } from '../atoms/frame';
import { allocate, update, type NeighborList } from '../partition/neighborList';
import type { Pbc } from '../space/cell';

function ensure(a: Float64Array | undefined, n: number): Float64Array {
  return a && a.length === n ? a : new Float64Array(n);
}

export interface TestLennardJonesOptions {
  epsilonEv: number;
  sigmaA: number;
  cutoffA: number;
  /** Verlet skin (Å), default 1. */
  skinA?: number;
}

/** Energy-shifted 12-6 Lennard-Jones (ASE 3.22 `LennardJones(smooth=False)` form). */
export function testLennardJones(opts: TestLennardJonesOptions): Calculator {
  const { epsilonEv: eps, sigmaA: sig, cutoffA: rc } = opts;
  const skin = opts.skinA ?? 1;
  const sr6c = (sig / rc) ** 6;
  const e0 = 4 * eps * (sr6c * sr6c - sr6c);
  const rc2 = rc * rc;
  const sig2 = sig * sig;
  let list: NeighborList | null = null;
  let listPbc: Pbc = [false, false, false];
  return {
    name: `testLJ(epsilon=${eps} eV, sigma=${sig} Å, cutoff=${rc} Å, shifted)`,
    implementedProperties: ['energy', 'forces', 'stress', 'energies'],
    cutoffA: rc,
    compute(sys: AtomicSystem, req: CalcRequest = {}, out: CalcResult = { energyEv: 0 }): CalcResult {
      const n = sys.numbers.length;
      const x = sys.positionsA;
      const periodic = !!sys.cellA && (sys.pbc[0] || sys.pbc[1] || sys.pbc[2]);
      const samePbc = sys.pbc[0] === listPbc[0] && sys.pbc[1] === listPbc[1] && sys.pbc[2] === listPbc[2];
      if (!list || list.referencePositionsA.length !== 3 * n || !samePbc) {
        list = allocate(x, periodic ? sys.cellA : null, sys.pbc, { cutoffA: rc, skinA: skin, half: true });
        listPbc = [sys.pbc[0], sys.pbc[1], sys.pbc[2]];
      } else {
        update(list, x, periodic ? sys.cellA : null);
      }
      const f = req.forces ? ensure(out.forcesEvPerA, 3 * n).fill(0) : undefined;
      const s = req.stress ? ensure(out.stressEvPerA3, 9).fill(0) : undefined;
      const ea = req.energies ? ensure(out.energiesEv, n).fill(0) : undefined;
      const I = list.i, J = list.j, V = list.vectorsA!;
      let e = 0;
      for (let p = 0; p < list.count; p++) {
        const dx = V[3 * p], dy = V[3 * p + 1], dz = V[3 * p + 2];
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 > rc2) continue;
        const c2 = sig2 / r2;
        const c6 = c2 * c2 * c2;
        const c12 = c6 * c6;
        const u = 4 * eps * (c12 - c6) - e0;
        e += u;
        const i = I[p], j = J[p];
        if (ea) {
          ea[i] += 0.5 * u;
          ea[j] += 0.5 * u;
        }
        // du/dr / r
        const g = (-24 * eps * (2 * c12 - c6)) / r2;
        if (f) {
          // force on j = -du/dr * r_ij/r, on i the opposite
          f[3 * j] -= g * dx; f[3 * j + 1] -= g * dy; f[3 * j + 2] -= g * dz;
          f[3 * i] += g * dx; f[3 * i + 1] += g * dy; f[3 * i + 2] += g * dz;
        }
        if (s) {
          s[0] += g * dx * dx; s[1] += g * dx * dy; s[2] += g * dx * dz;
          s[4] += g * dy * dy; s[5] += g * dy * dz; s[8] += g * dz * dz;
        }
      }
      if (s) {
        const vol = cellVolumeA3(sys.cellA);
        if (!(vol > 0)) throw new Error('testLennardJones: stress needs a periodic cell');
        s[3] = s[1]; s[6] = s[2]; s[7] = s[5];
        for (let k = 0; k < 9; k++) s[k] /= vol;
      }
      out.energyEv = e;
      out.forcesEvPerA = f;
      out.stressEvPerA3 = s;
      out.energiesEv = ea;
      return out;
    },
    reset() {
      list = null;
    },
  };
}

/** Einstein crystal: E = ½ k Σ |x_i − site_i|², free space. `sitesA` [3N] Å, k in eV/Å². */
export function harmonicTether(sitesA: Float64Array, kEvPerA2: number): Calculator {
  return {
    name: `harmonicTether(k=${kEvPerA2} eV/Å²)`,
    implementedProperties: ['energy', 'forces', 'energies'],
    cutoffA: 0,
    compute(sys, req = {}, out = { energyEv: 0 }) {
      const n3 = sys.positionsA.length;
      const f = req.forces ? ensure(out.forcesEvPerA, n3) : undefined;
      const ea = req.energies ? ensure(out.energiesEv, n3 / 3).fill(0) : undefined;
      let e = 0;
      for (let q = 0; q < n3; q++) {
        const d = sys.positionsA[q] - sitesA[q];
        e += 0.5 * kEvPerA2 * d * d;
        if (f) f[q] = -kEvPerA2 * d;
        if (ea) ea[(q / 3) | 0] += 0.5 * kEvPerA2 * d * d;
      }
      out.energyEv = e;
      out.forcesEvPerA = f;
      out.stressEvPerA3 = undefined;
      out.energiesEv = ea;
      return out;
    },
  };
}

/** fcc supercell of reps[0] x reps[1] x reps[2] conventional cubes of edge aA, element z. */
export function fccLattice(aA: number, reps: readonly [number, number, number], z = 18): AtomicSystem {
  const basis = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0];
  const n = 4 * reps[0] * reps[1] * reps[2];
  const x = new Float64Array(3 * n);
  let q = 0;
  for (let i = 0; i < reps[0]; i++) {
    for (let j = 0; j < reps[1]; j++) {
      for (let k = 0; k < reps[2]; k++) {
        for (let b = 0; b < 4; b++) {
          x[q++] = (i + basis[3 * b]) * aA;
          x[q++] = (j + basis[3 * b + 1]) * aA;
          x[q++] = (k + basis[3 * b + 2]) * aA;
        }
      }
    }
  }
  const cell = new Float64Array([reps[0] * aA, 0, 0, 0, reps[1] * aA, 0, 0, 0, reps[2] * aA]);
  return { numbers: new Int32Array(n).fill(z), positionsA: x, cellA: cell, pbc: [true, true, true] };
}

/** Argon parameters used across the tests (ε = 0.0104 eV, σ = 3.4 Å, rc = 8.5 Å). */
export const ARGON_LJ: TestLennardJonesOptions = { epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8.5 };
