import { describe, expect, it } from 'vitest';
import { cartesianToFractional, cellHeightsA, completeCell, type Pbc } from './cell';
import { createRng } from './rng';
import { freeSpace, makeSpace, periodicSpace } from './space';
import { randomCell, randomPositionsInCell, skewCell } from './testing';

const rng = createRng(99);

/**
 * Shortest r_j - r_i + n·cell by brute force over a generous box of images, centred on the
 * rounded fractional difference so that far-apart unwrapped positions are covered too.
 */
function bruteMinimumImage(ri: number[], rj: number[], cell: ArrayLike<number>, pbc: Pbc, range = 6): number[] {
  let best = [0, 0, 0];
  let bestD = Infinity;
  const m = pbc.map((p) => (p ? range : 0));
  const sd = cartesianToFractional(new Float64Array(3), [0, 1, 2].map((c) => rj[c] - ri[c]), completeCell(new Float64Array(9), cell));
  const base = [0, 1, 2].map((k) => (pbc[k] ? -Math.round(sd[k]) : 0));
  for (let n0 = base[0] - m[0]; n0 <= base[0] + m[0]; n0++)
    for (let n1 = base[1] - m[1]; n1 <= base[1] + m[1]; n1++)
      for (let n2 = base[2] - m[2]; n2 <= base[2] + m[2]; n2++) {
        const v = [0, 1, 2].map((c) => rj[c] - ri[c] + n0 * cell[c] + n1 * cell[3 + c] + n2 * cell[6 + c]);
        const d = Math.hypot(v[0], v[1], v[2]);
        if (d < bestD) {
          bestD = d;
          best = v;
        }
      }
  return best;
}

const vec = (r: Float64Array, a: number) => [r[3 * a], r[3 * a + 1], r[3 * a + 2]];

describe('free space', () => {
  it('displacement points from i to j, shift adds, wrap copies', () => {
    const s = freeSpace();
    const out = new Float64Array(3);
    expect(s.displacement(out, [1, 2, 3], [4, 6, 3])).toBe(5);
    expect(Array.from(out)).toEqual([3, 4, 0]);
    const r = new Float64Array([0, 0, 0, 1, 1, 1]);
    expect(s.displacementAt(out, r, 1, 0)).toBeCloseTo(Math.sqrt(3), 15);
    expect(Array.from(out)).toEqual([-1, -1, -1]);
    expect(Array.from(s.shift(new Float64Array(6), r, [1, 0, 0, 0, 0, 100]))).toEqual([1, 0, 0, 1, 1, 101]);
    expect(makeSpace(null, [true, true, true]).periodic).toBe(false);
    expect(makeSpace([3, 0, 0, 0, 3, 0, 0, 0, 3], [false, false, false]).periodic).toBe(false);
  });
});

describe('periodic space: minimum image', () => {
  it('orthorhombic rounding is exact for any displacement', () => {
    const cell = [3, 0, 0, 0, 5, 0, 0, 0, 7];
    const s = periodicSpace(cell, [true, true, true], { exact: false });
    const out = new Float64Array(3);
    for (let t = 0; t < 500; t++) {
      const ri = [rng.uniform(-20, 20), rng.uniform(-20, 20), rng.uniform(-20, 20)];
      const rj = [rng.uniform(-20, 20), rng.uniform(-20, 20), rng.uniform(-20, 20)];
      s.displacement(out, ri, rj);
      const ref = bruteMinimumImage(ri, rj, cell, [true, true, true]);
      for (let c = 0; c < 3; c++) expect(out[c]).toBeCloseTo(ref[c], 10);
    }
  });

  it('triclinic (strongly skewed too): exact mode equals brute force for every pair', () => {
    // Brute force runs in a well-shaped cell; the space gets the same lattice in skewed vectors.
    const out = new Float64Array(3);
    for (const pbc of [[true, true, true], [true, true, false], [false, true, true], [true, false, false]] as const) {
      for (let t = 0; t < 20; t++) {
        const base = randomCell(rng);
        const cell = t % 2 ? skewCell(rng, base, { skew: 3, steps: 6, pbc }) : base;
        const s = periodicSpace(cell, pbc);
        const r = randomPositionsInCell(rng, 12, base, -1, 2);
        for (let i = 0; i < 12; i++) {
          for (let j = 0; j < 12; j++) {
            const d = s.displacementAt(out, r, i, j);
            const ref = bruteMinimumImage(vec(r, i), vec(r, j), base, pbc, 3);
            expect(d).toBeCloseTo(Math.hypot(ref[0], ref[1], ref[2]), 9);
            for (let c = 0; c < 3; c++) expect(out[c]).toBeCloseTo(ref[c], 9);
          }
        }
      }
    }
  });

  it('plain rounding (exact: false) is exact whenever the shortest image is below minimumImageRadiusA', () => {
    const out = new Float64Array(3);
    let checked = 0;
    for (let t = 0; t < 20; t++) {
      const base = randomCell(rng);
      const cell = skewCell(rng, base, { skew: 3, steps: 6 });
      const s = periodicSpace(cell, [true, true, true], { exact: false });
      const radius = s.minimumImageRadiusA;
      // the reduced cell is at least as good as the well-shaped one we started from
      expect(radius).toBeGreaterThanOrEqual(Math.min(...cellHeightsA(new Float64Array(3), base)) / 2 - 1e-9);
      const r = randomPositionsInCell(rng, 15, cell, 0, 1);
      for (let i = 0; i < 15; i++) {
        for (let j = 0; j < 15; j++) {
          const d = s.displacementAt(out, r, i, j);
          const ref = bruteMinimumImage(vec(r, i), vec(r, j), base, [true, true, true], 3);
          const dRef = Math.hypot(ref[0], ref[1], ref[2]);
          // always a lattice translate of the true difference, never shorter than the minimum
          expect(d).toBeGreaterThanOrEqual(dRef - 1e-9);
          if (dRef < radius) {
            checked++;
            expect(d).toBeCloseTo(dRef, 9);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the result differs from r_j - r_i by an integer lattice vector', () => {
    const cell = randomCell(rng, { skew: 2 });
    const s = periodicSpace(cell);
    const out = new Float64Array(3);
    const ri = [0.3, -7, 2], rj = [11, 4, -5];
    s.displacement(out, ri, rj);
    const diff = new Float64Array([out[0] - (rj[0] - ri[0]), out[1] - (rj[1] - ri[1]), out[2] - (rj[2] - ri[2])]);
    const n = cartesianToFractional(new Float64Array(3), diff, cell);
    for (let k = 0; k < 3; k++) expect(n[k]).toBeCloseTo(Math.round(n[k]), 9);
  });

  it('minimumImage writes at offsets and can work in place', () => {
    const s = periodicSpace([4, 0, 0, 0, 4, 0, 0, 0, 4]);
    const buf = new Float64Array([9, 9, 3.5, -3.5, 0.25, 0]);
    expect(s.minimumImage(buf, buf, 3, 2)).toBeCloseTo(Math.hypot(0.5, 0.5, 0.25), 15);
    expect(Array.from(buf.subarray(3))).toEqual([-0.5, 0.5, 0.25]);
  });

  it('rejects a periodic axis with a zero cell vector; accepts it on a non-periodic axis', () => {
    expect(() => periodicSpace([4, 0, 0, 0, 4, 0, 0, 0, 0], [true, true, true])).toThrow(/zero/);
    const s = periodicSpace([4, 0, 0, 0, 4, 0, 0, 0, 0], [true, true, false]);
    const out = new Float64Array(3);
    s.displacement(out, [0, 0, 0], [3.9, 0.1, 50]);
    expect(out[0]).toBeCloseTo(-0.1, 12);
    expect(out[1]).toBeCloseTo(0.1, 12);
    expect(out[2]).toBe(50);
  });
});

describe('periodic space: shift and wrap', () => {
  it('shift does not wrap by default; wrapped spaces keep atoms in the cell', () => {
    const cell = randomCell(rng, { skew: 1 });
    const r = randomPositionsInCell(rng, 20, cell);
    const dr = new Float64Array(60).map(() => rng.uniform(-10, 10));
    const plain = periodicSpace(cell).shift(new Float64Array(60), r, dr);
    for (let q = 0; q < 60; q++) expect(plain[q]).toBe(r[q] + dr[q]);
    const space = periodicSpace(cell, [true, true, true], { wrapped: true });
    const wrapped = space.shift(new Float64Array(60), r, dr);
    const s = cartesianToFractional(new Float64Array(60), wrapped, cell);
    for (let q = 0; q < 60; q++) {
      expect(s[q]).toBeGreaterThanOrEqual(-1e-12);
      expect(s[q]).toBeLessThan(1 + 1e-12);
    }
    // same minimum-image geometry before and after wrapping
    const a = new Float64Array(3), b = new Float64Array(3);
    for (let i = 0; i < 20; i++) {
      expect(space.displacementAt(a, wrapped, 0, i)).toBeCloseTo(space.displacementAt(b, plain, 0, i), 9);
    }
  });
});
