// Relaxation: FIRE and L-BFGS reach the known LJ₁₃ global minimum, agree with each other on a
// defective crystal, and with the cell filter relax LJ fcc argon to the lattice constant that
// minimises the per-atom energy (or enthalpy) of a perfect lattice computed here by a direct
// lattice sum and a 1D golden-section search (independent of the neighbour-list code). The cell
// filter's generalised forces are checked against finite differences of E + P₀V.
import { describe, expect, it } from 'vitest';
import type { AtomicSystem } from '../calculators/calculator';
import { ARGON_LJ, fccLattice, testLennardJones } from '../md/testPotentials';
import { determinant3 } from '../space/cell';
import { createRng } from '../space/rng';
import { GPA_EV_PER_A3 } from '../units';
import { cellFilter } from './optimizable';
import { relax } from './relax';

const { epsilonEv: EPS, sigmaA: SIG, cutoffA: RC } = ARGON_LJ;

/** Shifted-LJ energy per atom of a perfect fcc lattice: ½ Σ_{R≠0, |R|<rc} u(|R|). */
function fccEnergyPerAtom(a: number): number {
  const e0 = 4 * EPS * ((SIG / RC) ** 12 - (SIG / RC) ** 6);
  const nMax = Math.ceil((2 * RC) / a) + 1;
  let e = 0;
  for (let i = -nMax; i <= nMax; i++) {
    for (let j = -nMax; j <= nMax; j++) {
      for (let k = -nMax; k <= nMax; k++) {
        if (i === 0 && j === 0 && k === 0) continue;
        // primitive vectors a/2 (0,1,1), a/2 (1,0,1), a/2 (1,1,0)
        const x = (a / 2) * (j + k), y = (a / 2) * (i + k), z = (a / 2) * (i + j);
        const r = Math.hypot(x, y, z);
        if (r > RC) continue;
        const s6 = (SIG / r) ** 6;
        e += 0.5 * (4 * EPS * (s6 * s6 - s6) - e0);
      }
    }
  }
  return e;
}

/** Golden-section minimum of f on [lo, hi]. */
function goldenMin(f: (x: number) => number, lo: number, hi: number, tol = 1e-11): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Reference lattice constant at pressure P: minimum of the enthalpy per atom e(a) + P a³/4. */
function referenceLatticeA(pressureGpa: number): number {
  const p = pressureGpa * GPA_EV_PER_A3;
  return goldenMin((a) => fccEnergyPerAtom(a) + (p * a ** 3) / 4, 5.0, 5.35);
}

function rattled(sys: AtomicSystem, sd: number, seed: number): AtomicSystem {
  const rng = createRng(seed);
  const x = sys.positionsA.slice();
  for (let q = 0; q < x.length; q++) x[q] += sd * rng.normal();
  return { ...sys, positionsA: x };
}

const latticeOf = (s: AtomicSystem, nCubes: number) => Math.cbrt(Math.abs(determinant3(s.cellA!)) / nCubes);

/** 13 atoms on a slightly distorted icosahedron (centre + 12 vertices), LJ units. */
function lj13(seed: number): AtomicSystem {
  const phi = (1 + Math.sqrt(5)) / 2;
  const pts: number[] = [0, 0, 0];
  for (const [a, b] of [[1, phi], [-1, phi], [1, -phi], [-1, -phi]]) pts.push(0, a, b, a, b, 0, b, 0, a);
  const scale = 1.1 / Math.hypot(1, phi);
  const rng = createRng(seed);
  return {
    numbers: new Int32Array(13).fill(18),
    positionsA: Float64Array.from(pts, (x) => x * scale + 0.03 * rng.normal()),
    cellA: null,
    pbc: [false, false, false],
  };
}

describe('FIRE and L-BFGS on Lennard-Jones', () => {
  it('find the LJ13 global minimum, E = −44.326801 ε (Wales & Doye 1997)', () => {
    const rc = 50;
    const shift = 78 * 4 * (rc ** -12 - rc ** -6); // all 78 pairs are inside rc: a constant shift
    for (const optimizer of ['fire', 'lbfgs'] as const) {
      const r = relax(testLennardJones({ epsilonEv: 1, sigmaA: 1, cutoffA: rc }), lj13(4), { optimizer, fmaxEvPerA: 1e-8, maxSteps: 3000 });
      expect(r.converged, optimizer).toBe(true);
      expect(r.fmaxEvPerA).toBeLessThan(1e-8);
      expect(r.energyEv + shift).toBeCloseTo(-44.326801, 6);
    }
  });

  it('agree with each other on a rattled fcc crystal with a vacancy', () => {
    const perfect = fccLattice(5.27, [2, 2, 2]);
    const sys = rattled(
      { ...perfect, numbers: perfect.numbers.subarray(1), positionsA: perfect.positionsA.subarray(3) },
      0.1,
      8,
    );
    const a = relax(testLennardJones(ARGON_LJ), sys, { optimizer: 'fire', fmaxEvPerA: 1e-7, maxSteps: 5000 });
    const b = relax(testLennardJones(ARGON_LJ), sys, { optimizer: 'lbfgs', fmaxEvPerA: 1e-7, maxSteps: 5000 });
    expect(a.converged && b.converged).toBe(true);
    expect(Math.abs(a.energyEv - b.energyEv)).toBeLessThan(1e-10);
    let d = 0;
    for (let q = 0; q < sys.positionsA.length; q++) d = Math.max(d, Math.abs(a.system.positionsA[q] - b.system.positionsA[q]));
    expect(d).toBeLessThan(1e-4);
    expect(a.energyEv).toBeLessThan(a.history[0].energyEv);
    // L-BFGS needs fewer force calls here (measured ~3x)
    expect(b.steps).toBeLessThan(a.steps);
    // the input was not modified
    expect(sys.positionsA[0]).not.toBe(a.system.positionsA[0]);
  });
});

describe('cell relaxation (UnitCellFilter)', () => {
  it('generalised forces are −∂(E + P₀V)/∂X (finite differences, sheared cell)', () => {
    const calc = testLennardJones({ ...ARGON_LJ, skinA: 0 });
    const sys = rattled(fccLattice(5.2, [2, 2, 2]), 0.05, 2);
    const f = cellFilter(calc, sys, { pressureGpa: 0.7 });
    const x = new Float64Array(f.size);
    f.getX(x);
    // move to a sheared, strained cell so that F ≠ I
    const n3 = sys.positionsA.length;
    const c = 32;
    x[n3 + 1] += 0.02 * c; x[n3 + 3] -= 0.01 * c; x[n3 + 8] += 0.03 * c;
    f.setX(x);
    const forces = new Float64Array(f.size);
    f.evaluate(forces);
    const rng = createRng(3);
    for (let trial = 0; trial < 5; trial++) {
      const dir = Float64Array.from({ length: f.size }, () => rng.normal());
      const h = 1e-5;
      const at = (s: number) => {
        const y = x.map((v, k) => v + s * h * dir[k]);
        f.setX(y);
        return f.evaluate(new Float64Array(f.size)).objectiveEv;
      };
      const numeric = (at(1) - at(-1)) / (2 * h);
      const analytic = -forces.reduce((acc, v, k) => acc + v * dir[k], 0);
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-7 * (1 + Math.abs(analytic)));
    }
  });

  for (const optimizer of ['fire', 'lbfgs'] as const) {
    it(`${optimizer}: fcc argon relaxes to the analytic lattice constant at 0 and 0.5 GPa`, () => {
      for (const p of [0, 0.5]) {
        const ref = referenceLatticeA(p);
        const r = relax(testLennardJones(ARGON_LJ), rattled(fccLattice(5.1, [2, 2, 2]), 0.05, 5), {
          optimizer,
          relaxCell: true,
          pressureGpa: p,
          fmaxEvPerA: 1e-7,
          stressTolGpa: 1e-7,
          maxSteps: 5000,
        });
        expect(r.converged).toBe(true);
        expect(Math.abs(latticeOf(r.system, 8) - ref), `P = ${p} GPa`).toBeLessThan(1e-6);
        // the cell stays cubic
        const c = r.system.cellA!;
        for (const q of [1, 2, 3, 5, 6, 7]) expect(Math.abs(c[q])).toBeLessThan(1e-6);
        expect(r.enthalpyEv / 32).toBeCloseTo(fccEnergyPerAtom(ref) + (p * GPA_EV_PER_A3 * ref ** 3) / 4, 9);
        expect(r.maxStressGpa).toBeLessThan(1e-7);
      }
    });
  }

  it('relaxes a sheared cell back to the fcc volume and zero stress', () => {
    const sys = fccLattice(5.2, [2, 2, 2]);
    const c = sys.cellA!;
    // shear: x += 0.05 y applied to positions and cell
    for (const arr of [sys.positionsA, c]) for (let q = 0; q < arr.length; q += 3) arr[q] += 0.05 * arr[q + 1];
    const r = relax(testLennardJones(ARGON_LJ), sys, { optimizer: 'lbfgs', relaxCell: true, fmaxEvPerA: 1e-6, stressTolGpa: 1e-6, maxSteps: 5000 });
    expect(r.converged).toBe(true);
    expect(Math.abs(latticeOf(r.system, 8) - referenceLatticeA(0))).toBeLessThan(1e-6);
    expect(r.energyEv / 32).toBeCloseTo(fccEnergyPerAtom(referenceLatticeA(0)), 9);
  });

  it('hydrostatic relaxation keeps the cell shape', () => {
    const sys = fccLattice(5.1, [2, 2, 2]);
    sys.cellA![2] = 0.3; // a slightly triclinic cell
    for (let i = 0; i < 32; i++) sys.positionsA[3 * i + 2] += (0.3 * sys.positionsA[3 * i]) / 10.2;
    const r = relax(testLennardJones(ARGON_LJ), sys, { relaxCell: true, hydrostatic: true, fmaxEvPerA: 1e-4, stressTolGpa: 1e-4, maxSteps: 3000 });
    expect(r.converged).toBe(true);
    const ratio = r.system.cellA![0] / sys.cellA![0];
    for (let q = 0; q < 9; q++) expect(r.system.cellA![q]).toBeCloseTo(ratio * sys.cellA![q], 9);
  });

  it('reports every step and honours maxSteps', () => {
    const steps: number[] = [];
    const r = relax(testLennardJones(ARGON_LJ), rattled(fccLattice(5.1, [2, 2, 2]), 0.05, 1), {
      relaxCell: true,
      fmaxEvPerA: 1e-9,
      maxSteps: 7,
      onStep: (s) => steps.push(s.step),
    });
    expect(r.converged).toBe(false);
    expect(r.steps).toBe(7);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.history).toHaveLength(8);
    expect(r.history[0].maxStressGpa).toBeGreaterThan(0.01);
  });
});
