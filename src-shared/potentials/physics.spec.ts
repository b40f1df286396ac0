// Physics checks for every classical potential, independent of LAMMPS: forces = -dE/dx and stress
// = (1/V) dE/dε by central finite differences (calculators/finiteDifference.ts); invariance under
// rotation (forces and stress rotate with the system), translation and atom permutation; a cell
// and its supercell agree (the neighbour-list path with many periodic images); LJ equals a
// brute-force image sum; a 2-atom bcc cell with a 5 Å cutoff; free space and slabs; the kept
// Verlet list gives the same numbers as a fresh one along a trajectory; uncovered elements are
// refused by name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { numericForces, numericStress } from '../calculators/finiteDifference';
import { bruteForcePairs } from '../partition/bruteForce';
import { createRng } from '../space/rng';
import { randomRotation } from '../space/testing';
import { createEamFromText } from './eam';
import { createLennardJones } from './lennardJones';
import { createMorse } from './morse';
import { createStillingerWeberFromText } from './stillingerWeber';
import { createZbl } from './zbl';
import { maxAbs, maxAbsDiff, rotateSystem, rotateTensor, supercell, systemOf, type ReferenceDocument } from './testing';

const DIR = fileURLToPath(new URL('../../fixtures/potentials/', import.meta.url));
const text = (f: string) => readFileSync(DIR + f, 'utf8');
const fixture = (file: string, name: string) => systemOf((JSON.parse(text(file)) as ReferenceDocument).cases.find((c) => c.name === name)!);
const rng = createRng(4242);

interface Case {
  name: string;
  make: () => Calculator;
  system: AtomicSystem;
}

const cases: Case[] = [
  { name: 'lj triclinic shifted', make: () => createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 7, shift: true }), system: fixture('lj.json', 'lj_ar_triclinic_shift') },
  {
    name: 'lj Ar/Kr per pair', system: fixture('lj.json', 'lj_arkr_pairs'),
    make: () => createLennardJones({
      shift: true,
      pairs: [
        { elements: ['Ar', 'Ar'], params: { epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8 } },
        { elements: ['Kr', 'Kr'], params: { epsilonEv: 0.014, sigmaA: 3.65, cutoffA: 8.5 } },
        { elements: ['Ar', 'Kr'], params: { epsilonEv: 0.0121, sigmaA: 3.52, cutoffA: 7.5 } },
      ],
    }),
  },
  { name: 'morse triclinic', make: () => createMorse({ d0Ev: 0.3429, alphaPerA: 1.3588, r0A: 2.866, cutoffA: 5.5, shift: true }), system: fixture('morse.json', 'morse_cu_triclinic_shift') },
  { name: 'zbl gas', make: () => createZbl({ innerA: 1.5, outerA: 2.8 }), system: fixture('zbl.json', 'zbl_sic_gas') },
  { name: 'zbl small cell', make: () => createZbl({ innerA: 2, outerA: 4 }), system: fixture('zbl.json', 'zbl_small_cell') },
  { name: 'eam funcfl triclinic', make: () => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam'), system: fixture('eam_funcfl.json', 'eam_cu_triclinic') },
  { name: 'eam funcfl small', make: () => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam'), system: fixture('eam_funcfl.json', 'eam_cu_small') },
  { name: 'eam setfl triclinic', make: () => createEamFromText(text('CuNi.eam.alloy'), 'CuNi.eam.alloy'), system: fixture('eam_setfl.json', 'eam_cuni_triclinic') },
  { name: 'eam setfl small', make: () => createEamFromText(text('CuNi.eam.alloy'), 'CuNi.eam.alloy'), system: fixture('eam_setfl.json', 'eam_cuni_small') },
  { name: 'sw Si small', make: () => createStillingerWeberFromText(text('Si.sw'), 'Si.sw'), system: fixture('sw.json', 'sw_si_small') },
  { name: 'sw GaN antisite', make: () => createStillingerWeberFromText(text('GaN.sw'), 'GaN.sw'), system: fixture('sw.json', 'sw_gan_antisite') },
];

const ALL = { forces: true, stress: true, energies: true } as const;

describe.each(cases)('$name', ({ make, system }) => {
  const calc = make();
  const ref = calc.compute(system, ALL);
  const E = ref.energyEv, F = ref.forcesEvPerA!.slice(), S = ref.stressEvPerA3!.slice();
  const fScale = maxAbs(F), sScale = maxAbs(S);

  it('forces equal central finite differences of the energy', () => {
    const fd = numericForces(make(), system, 1e-5);
    expect(maxAbsDiff(F, fd)).toBeLessThanOrEqual(1e-6 * (1 + fScale));
  });

  it('stress equals finite differences under homogeneous strain', () => {
    const fd = numericStress(make(), system, 1e-6);
    expect(maxAbsDiff(S, fd)).toBeLessThanOrEqual(1e-6 * sScale + 1e-9);
  });

  it('is invariant under rotation: energy equal, forces and stress rotate', () => {
    const R = randomRotation(rng);
    const r = make().compute(rotateSystem(system, R), ALL);
    expect(Math.abs(r.energyEv - E)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(E)));
    const Frot = rotateSystem({ ...system, positionsA: Float64Array.from(F), cellA: null }, R).positionsA;
    expect(maxAbsDiff(r.forcesEvPerA!, Frot)).toBeLessThanOrEqual(1e-9 * (1 + fScale));
    // a system rotated by r -> r·R has stress Rᵀ S R
    expect(maxAbsDiff(r.stressEvPerA3!, rotateTensor(S, R))).toBeLessThanOrEqual(1e-9 * (1e-3 + sScale));
  });

  it('is invariant under translation, lattice shifts of single atoms and permutation', () => {
    const n = system.numbers.length;
    const t = [rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(-5, 5)];
    const moved = system.positionsA.map((x, k) => x + t[k % 3]);
    const c = system.cellA!;
    moved[0] += 2 * c[0] - c[3];
    moved[1] += 2 * c[1] - c[4];
    moved[2] += 2 * c[2] - c[5];
    const r1 = make().compute({ ...system, positionsA: moved }, ALL);
    expect(Math.abs(r1.energyEv - E)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(E)));
    expect(maxAbsDiff(r1.forcesEvPerA!, F)).toBeLessThanOrEqual(1e-9 * (1 + fScale));
    const perm = Array.from({ length: n }, (_, k) => k).sort(() => rng.next() - 0.5);
    const numbers = Int32Array.from(perm, (p) => system.numbers[p]);
    const pos = new Float64Array(3 * n);
    perm.forEach((p, k) => pos.set(system.positionsA.subarray(3 * p, 3 * p + 3), 3 * k));
    const r2 = make().compute({ ...system, numbers, positionsA: pos }, ALL);
    expect(Math.abs(r2.energyEv - E)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(E)));
    const Fp = new Float64Array(3 * n);
    perm.forEach((p, k) => Fp.set(F.subarray(3 * p, 3 * p + 3), 3 * k));
    expect(maxAbsDiff(r2.forcesEvPerA!, Fp)).toBeLessThanOrEqual(1e-9 * (1 + fScale));
    perm.forEach((p, k) => expect(Math.abs(r2.energiesEv![k] - ref.energiesEv![p])).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(E))));
  });

  it('agrees with its 2x1x2 supercell (multiple periodic images in the small cell)', () => {
    const big = supercell(system, 2, 1, 2);
    const r = make().compute(big, ALL);
    expect(Math.abs(r.energyEv - 4 * E)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(4 * E)));
    const n3 = F.length;
    for (let rep = 0; rep < 4; rep++) expect(maxAbsDiff(r.forcesEvPerA!.subarray(rep * n3, (rep + 1) * n3), F)).toBeLessThanOrEqual(1e-9 * (1 + fScale));
    expect(maxAbsDiff(r.stressEvPerA3!, S)).toBeLessThanOrEqual(1e-9 * (1e-3 + sScale));
  });

  it('keeps its neighbour list along a trajectory and matches a fresh calculator at every step', () => {
    const kept = make();
    const pos = system.positionsA.slice();
    const out = { energyEv: 0 };
    for (let step = 0; step < 12; step++) {
      for (let k = 0; k < pos.length; k++) pos[k] += 0.06 * rng.normal();
      const s = { ...system, positionsA: pos };
      const a = kept.compute(s, { forces: true }, out);
      expect(a).toBe(out);
      const b = make().compute(s, { forces: true });
      expect(Math.abs(a.energyEv - b.energyEv)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b.energyEv)));
      expect(maxAbsDiff(a.forcesEvPerA!, b.forcesEvPerA!)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(b.forcesEvPerA!)));
    }
  });
});

describe('neighbour-list path against brute force', () => {
  it('lj equals a brute-force sum over all images in a cell much smaller than the cutoff', () => {
    const cell = new Float64Array([3.1, 0, 0, 0.9, 2.8, 0, -0.7, 0.5, 3.3]);
    const pos = new Float64Array([0.1, 0.2, 0.3, 1.6, 1.5, 1.2, 0.4, 2.1, 2.4]);
    const sys: AtomicSystem = { numbers: Int32Array.of(18, 18, 18), positionsA: pos, cellA: cell, pbc: [true, true, true] };
    const eps = 0.0104, sig = 3.4, rc = 9.5;
    const r = createLennardJones({ epsilonEv: eps, sigmaA: sig, cutoffA: rc }).compute(sys, { forces: true });
    let e = 0;
    const f = new Float64Array(9);
    for (const p of bruteForcePairs(pos, cell, sys.pbc, rc, { half: true })) {
      const d = p.distanceA, sr6 = (sig / d) ** 6;
      e += 4 * eps * (sr6 * sr6 - sr6);
      const dEdr = (4 * eps * (-12 * sr6 * sr6 + 6 * sr6)) / d;
      for (let q = 0; q < 3; q++) {
        f[3 * p.i + q] += (dEdr * p.vectorA[q]) / d;
        f[3 * p.j + q] -= (dEdr * p.vectorA[q]) / d;
      }
    }
    expect(Math.abs(r.energyEv - e)).toBeLessThanOrEqual(1e-12 * Math.abs(e));
    expect(maxAbsDiff(r.forcesEvPerA!, f)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(f)));
  });
});

describe('2-atom bcc cell with a 5 Å cutoff', () => {
  const a = 2.87;
  const sys: AtomicSystem = {
    numbers: Int32Array.of(26, 26),
    positionsA: new Float64Array([0.02, -0.03, 0.01, a / 2 + 0.05, a / 2 - 0.02, a / 2 + 0.04]),
    cellA: new Float64Array([a, 0, 0, 0, a, 0, 0, 0, a]),
    pbc: [true, true, true],
  };
  const lj = () => createLennardJones({ epsilonEv: 0.05, sigmaA: 2.3, cutoffA: 5 });
  const morse = () => createMorse({ d0Ev: 0.4, alphaPerA: 1.4, r0A: 2.5, cutoffA: 5, shift: true });
  it.each([['lj', lj], ['morse', morse]] as const)('%s: forces and stress from finite differences, same as its 3x3x3 supercell', (_n, make) => {
    const r = make().compute(sys, ALL);
    expect(Number.isFinite(r.energyEv)).toBe(true);
    expect(maxAbsDiff(r.forcesEvPerA!, numericForces(make(), sys))).toBeLessThanOrEqual(1e-7);
    expect(maxAbsDiff(r.stressEvPerA3!, numericStress(make(), sys))).toBeLessThanOrEqual(1e-8);
    // Newton's third law: the two forces cancel
    for (let q = 0; q < 3; q++) expect(Math.abs(r.forcesEvPerA![q] + r.forcesEvPerA![3 + q])).toBeLessThanOrEqual(1e-12);
    const big = make().compute(supercell(sys, 3, 3, 3), { forces: true });
    expect(Math.abs(big.energyEv - 27 * r.energyEv)).toBeLessThanOrEqual(1e-11 * Math.abs(27 * r.energyEv));
  });
});

describe('free space and slabs', () => {
  const cluster = (n: number, spacing: number): Float64Array => {
    const pos = new Float64Array(3 * n);
    for (let k = 0; k < n; k++) {
      pos[3 * k] = (k % 3) * spacing + 0.1 * rng.normal();
      pos[3 * k + 1] = (Math.floor(k / 3) % 3) * spacing + 0.1 * rng.normal();
      pos[3 * k + 2] = Math.floor(k / 9) * spacing + 0.1 * rng.normal();
    }
    return pos;
  };
  it.each([
    ['lj', () => createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8.5 }), 18, 3.8],
    ['eam', () => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam'), 29, 2.55],
    ['sw', () => createStillingerWeberFromText(text('Si.sw'), 'Si.sw'), 14, 2.4],
  ] as const)('%s cluster: finite forces equal finite differences, no stress without a cell', (_n, make, z, spacing) => {
    const sys: AtomicSystem = { numbers: new Int32Array(20).fill(z), positionsA: cluster(20, spacing), cellA: null, pbc: [false, false, false] };
    const r = make().compute(sys, ALL);
    expect(r.stressEvPerA3).toBeUndefined();
    expect(maxAbsDiff(r.forcesEvPerA!, numericForces(make(), sys))).toBeLessThanOrEqual(1e-6 * (1 + maxAbs(r.forcesEvPerA!)));
    // total force vanishes in free space
    for (let q = 0; q < 3; q++) {
      let s = 0;
      for (let a = 0; a < 20; a++) s += r.forcesEvPerA![3 * a + q];
      expect(Math.abs(s)).toBeLessThanOrEqual(1e-10 * (1 + maxAbs(r.forcesEvPerA!)));
    }
  });
  it('slab (periodic in x, y only) forces match finite differences', () => {
    const sys: AtomicSystem = {
      numbers: new Int32Array(12).fill(29),
      positionsA: cluster(12, 2.55),
      cellA: new Float64Array([7.65, 0, 0, 0, 7.65, 0, 0, 0, 30]),
      pbc: [true, true, false],
    };
    const make = () => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam');
    const r = make().compute(sys, { forces: true });
    expect(maxAbsDiff(r.forcesEvPerA!, numericForces(make(), sys))).toBeLessThanOrEqual(1e-6 * (1 + maxAbs(r.forcesEvPerA!)));
  });
});

describe('elements a potential does not cover', () => {
  const sys = (numbers: number[]): AtomicSystem => ({
    numbers: Int32Array.from(numbers),
    positionsA: new Float64Array(numbers.flatMap((_, k) => [k * 2.5, 0, 0])),
    cellA: null,
    pbc: [false, false, false],
  });
  it('eam funcfl (Cu) refuses Ni and names it', () => {
    expect(() => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam').compute(sys([29, 28]))).toThrow(/Ni \(Z=28\).*covers Cu/);
  });
  it('eam setfl (Cu, Ni) refuses Al', () => {
    expect(() => createEamFromText(text('CuNi.eam.alloy'), 'CuNi.eam.alloy').compute(sys([29, 13, 28]))).toThrow(/Al \(Z=13\)/);
  });
  it('sw (Si) refuses C and O, naming both', () => {
    expect(() => createStillingerWeberFromText(text('Si.sw'), 'Si.sw').compute(sys([14, 6, 8]))).toThrow(/elements C \(Z=6\), O \(Z=8\)/);
  });
  it('lj with per-pair parameters only refuses an element it has no pair for', () => {
    const lj = createLennardJones({ pairs: [{ elements: ['Ar', 'Ar'], params: { epsilonEv: 0.01, sigmaA: 3.4, cutoffA: 8 } }] });
    expect(() => lj.compute(sys([18, 36]))).toThrow(/Kr \(Z=36\)/);
    expect(Number.isFinite(lj.compute(sys([18, 18])).energyEv)).toBe(true);
  });
  it('lj with defaults covers any element', () => {
    const lj = createLennardJones({ epsilonEv: 0.01, sigmaA: 3.4, cutoffA: 8 });
    expect(Number.isFinite(lj.compute(sys([1, 92, 6])).energyEv)).toBe(true);
  });
});

describe('absurd parameters are refused by the factories', () => {
  it.each([
    ['lj sigma 0', () => createLennardJones({ epsilonEv: 0.01, sigmaA: 0, cutoffA: 8 }), /sigma/],
    ['lj cutoff NaN', () => createLennardJones({ epsilonEv: 0.01, sigmaA: 3, cutoffA: NaN }), /cutoff/],
    ['lj epsilon -1', () => createLennardJones({ epsilonEv: -1, sigmaA: 3, cutoffA: 8 }), /epsilon/],
    ['morse alpha 0', () => createMorse({ d0Ev: 0.3, alphaPerA: 0, r0A: 2.8, cutoffA: 6 }), /alpha/],
    ['zbl inner >= outer', () => createZbl({ innerA: 3, outerA: 2 }), /inner/],
    ['lj no parameters', () => createLennardJones({}), /epsilonEv/],
  ] as const)('%s', (_n, make, msg) => {
    expect(make).toThrow(msg);
  });
});

describe('kept neighbour list and fast paths', () => {
  const sysOf = (file: string, name: string) => fixture(file, name);
  it('rebuilds only when the two largest displacements exceed the skin, the cell changed, or after reset()', () => {
    const sys = sysOf('eam_funcfl.json', 'eam_cu_triclinic');
    const calc = createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam', { skinA: 1.0 });
    const out = { energyEv: 0 };
    calc.compute(sys, { forces: true }, out);
    expect(calc.neighborListBuilds).toBe(1);
    const pos = sys.positionsA.slice();
    pos[0] += 0.6; // one atom, 0.6 Å < skin: kept
    calc.compute({ ...sys, positionsA: pos }, { forces: true }, out);
    expect(calc.neighborListBuilds).toBe(1);
    pos[4] += 0.5; // a second atom, 0.6 + 0.5 > skin = 1 Å: rebuilt
    calc.compute({ ...sys, positionsA: pos }, { forces: true }, out);
    expect(calc.neighborListBuilds).toBe(2);
    const cell = sys.cellA!.map((c) => c * 1.001);
    calc.compute({ ...sys, positionsA: pos, cellA: cell }, { forces: true }, out);
    expect(calc.neighborListBuilds).toBe(3);
    calc.reset!();
    calc.compute({ ...sys, positionsA: pos, cellA: cell }, { forces: true }, out);
    expect(calc.neighborListBuilds).toBe(4);
  });
  it.each([
    ['lj', () => createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8.5 }), 'lj.json', 'lj_ar_ortho'],
    ['eam', () => createEamFromText(text('Cu_u3.eam'), 'Cu_u3.eam'), 'eam_funcfl.json', 'eam_cu_ortho'],
  ] as const)('%s: the forces-only MD path equals the general path', (_n, make, file, name) => {
    const sys = sysOf(file, name);
    const fast = make().compute(sys, { forces: true });
    const full = make().compute(sys, ALL);
    expect(Math.abs(fast.energyEv - full.energyEv)).toBeLessThanOrEqual(1e-12 * Math.abs(full.energyEv));
    expect(maxAbsDiff(fast.forcesEvPerA!, full.forcesEvPerA!)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(full.forcesEvPerA!)));
    expect(fast.stressEvPerA3).toBeUndefined();
    expect(fast.energiesEv).toBeUndefined();
  });
  it('energy only (no forces requested) gives the same energy', () => {
    const sys = sysOf('sw.json', 'sw_gan_wurtzite');
    const make = () => createStillingerWeberFromText(text('GaN.sw'), 'GaN.sw');
    const e = make().compute(sys).energyEv;
    expect(e).toBe(make().compute(sys, ALL).energyEv);
  });
});
