// g(r) against exact expectations: random (ideal-gas) positions give g = 1 within Poisson error,
// also in a triclinic cell; an fcc crystal has its first peak at a/√2 with 12 neighbours up to the
// first minimum (18 and 42 after the next shells); rock salt partials give 6 unlike and 12 like
// first neighbours.
import { describe, expect, it } from 'vitest';
import { fccLattice } from '../md/testPotentials';
import { cellFromParameters } from '../space/cell';
import { createRng } from '../space/rng';
import { randomPositionsInCell } from '../space/testing';
import { firstMinimumIndex, radialDistribution, type TrajectoryFrame } from './rdf';

function rattledFrames(base: { positionsA: Float64Array; cellA: Float64Array | null }, count: number, sd: number, seed: number): TrajectoryFrame[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => ({
    positionsA: base.positionsA.map((x) => x + sd * rng.normal()),
    cellA: base.cellA,
  }));
}

describe('radialDistribution', () => {
  for (const [label, cell] of [
    ['cubic', new Float64Array([30, 0, 0, 0, 30, 0, 0, 0, 30])],
    ['triclinic', cellFromParameters([31, 33, 30], [80, 95, 100])],
  ] as const) {
    it(`is 1 for an ideal gas (${label} cell)`, () => {
      const rng = createRng(1);
      const frames = Array.from({ length: 4 }, () => ({ positionsA: randomPositionsInCell(rng, 1500, cell), cellA: cell }));
      const r = radialDistribution(frames, { rMaxA: 12, nBins: 40 });
      const n = 1500;
      const vol = Math.abs(cell[0] * cell[4] * cell[8] - cell[0] * cell[5] * cell[7] - cell[1] * cell[3] * cell[8] + cell[1] * cell[5] * cell[6] + cell[2] * cell[3] * cell[7] - cell[2] * cell[4] * cell[6]);
      let mean = 0, wsum = 0;
      for (let k = 0; k < r.g.length; k++) {
        const shell = ((4 * Math.PI) / 3) * (r.edgesA[k + 1] ** 3 - r.edgesA[k] ** 3);
        const expected = (4 * (n * (n - 1)) / 2 / vol) * shell; // pairs over 4 frames
        // Poisson: sd of g = 1/√expected
        expect(Math.abs(r.g[k] - 1), `bin ${k}`).toBeLessThan(5 / Math.sqrt(expected));
        mean += r.g[k] * expected;
        wsum += expected;
      }
      expect(Math.abs(mean / wsum - 1)).toBeLessThan(0.003);
      expect(r.densityPerA3).toBeCloseTo(n / vol, 12);
    });
  }

  it('fcc: first peak at a/√2 and 12 neighbours to the first minimum', () => {
    const a = 5.26;
    const base = fccLattice(a, [3, 3, 3]);
    const r = radialDistribution(rattledFrames(base, 5, 0.06, 2), { rMaxA: 7.8, nBins: 156 });
    let peak = 0;
    for (let k = 1; k < r.g.length; k++) if (r.g[k] > r.g[peak]) peak = k;
    expect(Math.abs(r.rA[peak] - a / Math.SQRT2)).toBeLessThanOrEqual(r.edgesA[1]);
    const m = firstMinimumIndex(r.g);
    expect(r.rA[m]).toBeGreaterThan(a / Math.SQRT2);
    expect(r.rA[m]).toBeLessThan(a);
    expect(r.coordination[m]).toBe(12);
    // integral of 4πr²ρ'g(r) dr to the minimum gives the same 12
    const rho = (108 - 1) / base.cellA![0] ** 3;
    let integral = 0;
    for (let k = 0; k <= m; k++) integral += ((4 * Math.PI) / 3) * (r.edgesA[k + 1] ** 3 - r.edgesA[k] ** 3) * rho * r.g[k];
    expect(integral).toBeCloseTo(12, 10);
    // next shells: 6 at a, 24 at a√(3/2)
    const at = (x: number) => r.coordination[Math.floor(x / r.edgesA[1])];
    expect(at(0.5 * (a + a * Math.sqrt(1.5)))).toBe(18);
    expect(at(0.5 * (a * Math.sqrt(1.5) + a * Math.SQRT2))).toBe(42);
  });

  it('rock salt partials: 6 unlike and 12 like nearest neighbours', () => {
    const a = 5.64;
    const fcc = fccLattice(a, [2, 2, 2]);
    const n = fcc.numbers.length;
    const x = new Float64Array(6 * n);
    x.set(fcc.positionsA);
    for (let q = 0; q < 3 * n; q += 3) {
      x[3 * n + q] = fcc.positionsA[q] + a / 2;
      x[3 * n + q + 1] = fcc.positionsA[q + 1];
      x[3 * n + q + 2] = fcc.positionsA[q + 2];
    }
    const numbers = Int32Array.from({ length: 2 * n }, (_, i) => (i < n ? 11 : 17));
    const frames = rattledFrames({ positionsA: x, cellA: fcc.cellA }, 3, 0.05, 3);
    const r = radialDistribution(frames, { rMaxA: 5.6, nBins: 112, numbers });
    expect(r.partials.map((p) => p.label)).toEqual(['Na-Na', 'Na-Cl', 'Cl-Cl']);
    const bin = (d: number) => Math.floor(d / r.edgesA[1]);
    const naCl = r.partials[1], naNa = r.partials[0], clCl = r.partials[2];
    const mid1 = bin(0.5 * (a / 2 + a / Math.SQRT2));
    expect(naCl.coordinationAB[mid1]).toBe(6);
    expect(naCl.coordinationBA[mid1]).toBe(6);
    expect(naNa.coordinationAB[mid1]).toBe(0);
    expect(r.coordination[mid1]).toBe(6);
    const mid2 = bin(0.5 * (a / Math.SQRT2 + a * Math.sqrt(0.75)));
    expect(naNa.coordinationAB[mid2]).toBe(12);
    expect(clCl.coordinationAB[mid2]).toBe(12);
    // the unlike peak is at a/2
    let peak = 0;
    for (let k = 1; k < naCl.g.length; k++) if (naCl.g[k] > naCl.g[peak]) peak = k;
    expect(Math.abs(r.rA[peak] - a / 2)).toBeLessThanOrEqual(r.edgesA[1]);
  });

  it('refuses radii beyond half the cell and frames without a cell', () => {
    const base = fccLattice(5.26, [2, 2, 2]);
    expect(() => radialDistribution([base], { rMaxA: 6 })).toThrow(/half the smallest cell height/);
    expect(() => radialDistribution([{ positionsA: base.positionsA, cellA: null }], { rMaxA: 3 })).toThrow(/periodic/);
  });
});
