import { describe, expect, it } from 'vitest';
import {
  cartesianToFractional,
  cellFromParameters,
  cellHeightsA,
  cellParameters,
  cellVolumeA3,
  completeCell,
  determinant3,
  fractionalToCartesian,
  invert3,
  isOrthorhombic,
  reduceCell,
  wrapPositions,
} from './cell';
import { createRng } from './rng';
import { matMul3, randomCell, randomPositionsInCell, skewCell } from './testing';

const rng = createRng(20240601);

function cross(u: ArrayLike<number>, v: ArrayLike<number>): number[] {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}
const row = (m: ArrayLike<number>, k: number) => [m[3 * k], m[3 * k + 1], m[3 * k + 2]];

describe('3x3 cell algebra', () => {
  it('inverse times cell is the identity and det matches the volume', () => {
    for (let t = 0; t < 50; t++) {
      const cell = randomCell(rng, { skew: t % 2 ? 3 : 0 });
      const inv = invert3(new Float64Array(9), cell);
      const id = matMul3(cell, inv);
      for (let q = 0; q < 9; q++) expect(id[q]).toBeCloseTo(q % 4 === 0 ? 1 : 0, 10);
      expect(Math.abs(determinant3(cell))).toBeCloseTo(cellVolumeA3(cell), 9);
      expect(determinant3(cell) * determinant3(inv)).toBeCloseTo(1, 10);
    }
  });

  it('invert3 refuses a singular cell', () => {
    expect(() => invert3(new Float64Array(9), [1, 0, 0, 2, 0, 0, 0, 0, 1])).toThrow(/singular/);
  });

  it('heights are volume / face area, equal edge lengths when orthorhombic, and bound lattice vectors', () => {
    const h = cellHeightsA(new Float64Array(3), [3, 0, 0, 0, 4, 0, 0, 0, 5]);
    expect(Array.from(h)).toEqual([3, 4, 5]);
    for (let t = 0; t < 30; t++) {
      const cell = randomCell(rng, { skew: 2 });
      const hh = cellHeightsA(new Float64Array(3), cell);
      const vol = Math.abs(determinant3(cell));
      for (let k = 0; k < 3; k++) {
        const f = cross(row(cell, (k + 1) % 3), row(cell, (k + 2) % 3));
        expect(hh[k]).toBeCloseTo(vol / Math.hypot(f[0], f[1], f[2]), 9);
        // the height is the projection of vector k on the face normal: never above its length
        expect(hh[k]).toBeLessThanOrEqual(Math.hypot(...row(cell, k)) + 1e-12);
      }
    }
  });

  it('isOrthorhombic', () => {
    expect(isOrthorhombic([3, 0, 0, 0, 4, 0, 0, 0, 5])).toBe(true);
    expect(isOrthorhombic([3, 0, 0, 0.1, 4, 0, 0, 0, 5])).toBe(false);
  });
});

describe('fractional coordinates and wrapping', () => {
  it('Cartesian -> fractional -> Cartesian round trip', () => {
    for (let t = 0; t < 20; t++) {
      const cell = randomCell(rng, { skew: 2 });
      const r = randomPositionsInCell(rng, 30, cell, -2, 3);
      const s = cartesianToFractional(new Float64Array(90), r, cell);
      const back = fractionalToCartesian(new Float64Array(90), s, cell);
      for (let q = 0; q < 90; q++) expect(back[q]).toBeCloseTo(r[q], 10);
      // in place (aliasing) gives the same
      const inPlace = fractionalToCartesian(r.slice(), cartesianToFractional(r.slice(), r, cell), cell);
      for (let q = 0; q < 90; q++) expect(inPlace[q]).toBeCloseTo(r[q], 10);
    }
  });

  it('wraps periodic axes into [-eps, 1-eps) by whole lattice vectors and leaves the others alone', () => {
    const eps = 1e-7;
    for (const pbc of [[true, true, true], [true, true, false], [false, true, false]] as const) {
      for (let t = 0; t < 10; t++) {
        const cell = randomCell(rng, { skew: t % 3 });
        const r = randomPositionsInCell(rng, 40, cell, -3, 4);
        const shifts = new Int32Array(120);
        const w = wrapPositions(new Float64Array(120), r, cell, pbc, { outShifts: shifts });
        const s = cartesianToFractional(new Float64Array(120), w, cell);
        const s0 = cartesianToFractional(new Float64Array(120), r, cell);
        for (let a = 0; a < 40; a++) {
          for (let k = 0; k < 3; k++) {
            const q = 3 * a + k;
            if (pbc[k]) {
              expect(s[q]).toBeGreaterThanOrEqual(-eps - 1e-12);
              expect(s[q]).toBeLessThan(1 - eps + 1e-12);
            } else {
              expect(shifts[q]).toBe(0);
              expect(s[q]).toBeCloseTo(s0[q], 10);
            }
          }
          // original = wrapped + n·cell
          for (let c = 0; c < 3; c++) {
            const n = [shifts[3 * a], shifts[3 * a + 1], shifts[3 * a + 2]];
            expect(w[3 * a + c] + n[0] * cell[c] + n[1] * cell[3 + c] + n[2] * cell[6 + c]).toBeCloseTo(r[3 * a + c], 10);
          }
        }
        // wrapping twice changes nothing
        const w2 = wrapPositions(new Float64Array(120), w, cell, pbc);
        for (let q = 0; q < 120; q++) expect(w2[q]).toBeCloseTo(w[q], 12);
      }
    }
  });

  it('keeps an atom sitting on a face within eps where it is (ASE convention)', () => {
    const cell = [4, 0, 0, 0, 4, 0, 0, 0, 4];
    const w = wrapPositions(new Float64Array(3), [-1e-9, 2, 4 - 1e-9], cell, [true, true, true]);
    expect(w[0]).toBe(-1e-9);
    expect(w[2]).toBeCloseTo(-1e-9, 15);
  });

  it('wraps with a zero cell vector along a non-periodic axis (slab file)', () => {
    const cell = [5, 0, 0, 1, 5, 0, 0, 0, 0];
    const w = wrapPositions(new Float64Array(3), [12, -1, 30], cell, [true, true, false]);
    // -1 in y -> +1 b; 12 + 1 - 10 -> x in [0, 5)
    expect(Array.from(w)).toEqual([3, 4, 30]);
  });
});

describe('cell parameters (ASE cellpar_to_cell / cell_to_cellpar)', () => {
  it('matches ASE 3.29 numbers', () => {
    // ase.geometry.cellpar_to_cell([3, 4, 5, 70, 80, 100])
    const ref = [3.0, 0.0, 0.0, -0.6945927106677212, 3.939231012048832, 0.0, 0.8682408883346521, 1.8895760710369887, 4.547049596341376];
    const c = cellFromParameters([3, 4, 5], [70, 80, 100]);
    for (let q = 0; q < 9; q++) expect(c[q]).toBeCloseTo(ref[q], 13);
    // hexagonal: ase.geometry.cellpar_to_cell([2.5, 2.5, 4.1, 90, 90, 120])
    const hex = cellFromParameters([2.5, 2.5, 4.1], [90, 90, 120]);
    const refHex = [2.5, 0, 0, -1.2499999999999996, 2.165063509461097, 0, 0, 0, 4.1];
    for (let q = 0; q < 9; q++) expect(hex[q]).toBeCloseTo(refHex[q], 13);
    // right angles are exact, not cos(pi/2) = 6e-17
    expect(Array.from(cellFromParameters([3, 4, 5], [90, 90, 90]))).toEqual([3, 0, 0, 0, 4, 0, 0, 0, 5]);
  });

  it('round trips through lengths and angles, with a along x and b in the xy-plane', () => {
    for (let t = 0; t < 30; t++) {
      const cell = randomCell(rng);
      const { lengthsA, anglesDeg } = cellParameters(cell);
      const c2 = cellFromParameters(lengthsA, anglesDeg);
      expect(c2[1]).toBe(0);
      expect(c2[2]).toBe(0);
      expect(c2[5]).toBe(0);
      const p2 = cellParameters(c2);
      for (let k = 0; k < 3; k++) {
        expect(p2.lengthsA[k]).toBeCloseTo(lengthsA[k], 10);
        expect(p2.anglesDeg[k]).toBeCloseTo(anglesDeg[k], 9);
      }
      expect(Math.abs(determinant3(c2))).toBeCloseTo(Math.abs(determinant3(cell)), 8);
    }
  });

  it('refuses angles that cannot close a cell', () => {
    expect(() => cellFromParameters([3, 3, 3], [10, 10, 170])).toThrow(/do not form a cell/);
  });
});

describe('completeCell', () => {
  it('fills missing rows with unit vectors and keeps given ones, right-handed', () => {
    const one = completeCell(new Float64Array(9), [4, 0, 0, 1, 3, 0, 0, 0, 0]);
    expect(Array.from(one)).toEqual([4, 0, 0, 1, 3, 0, 0, 0, 1]);
    const two = completeCell(new Float64Array(9), [0, 0, 0, 0, 0, 0, 1, 2, 2]);
    expect(Array.from(two.subarray(6))).toEqual([1, 2, 2]);
    expect(determinant3(two)).toBeGreaterThan(0);
    expect(Math.hypot(...row(two, 0))).toBeCloseTo(1, 14);
    expect(Math.hypot(...row(two, 1))).toBeCloseTo(1, 14);
    const none = completeCell(new Float64Array(9), new Float64Array(9));
    expect(Array.from(none)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    for (const p of [0, 1, 2]) {
      const c = new Float64Array(9);
      c[3 * p] = 0.3; c[3 * p + 1] = -2; c[3 * p + 2] = 0.7;
      const full = completeCell(new Float64Array(9), c);
      expect(determinant3(full)).toBeGreaterThan(0);
    }
  });
});

describe('reduceCell (lattice reduction of the periodic vectors)', () => {
  const len = (m: ArrayLike<number>, k: number) => Math.hypot(m[3 * k], m[3 * k + 1], m[3 * k + 2]);
  const dot = (m: ArrayLike<number>, i: number, j: number) =>
    m[3 * i] * m[3 * j] + m[3 * i + 1] * m[3 * j + 1] + m[3 * i + 2] * m[3 * j + 2];

  it('recovers short vectors of the same lattice from a strongly skewed description', () => {
    for (let t = 0; t < 40; t++) {
      const base = randomCell(rng);
      const skewed = skewCell(rng, base, { skew: 4, steps: 8 });
      const { cellA: red, transform: T, identity } = reduceCell(skewed, [true, true, true]);
      // integer, unimodular, and red = T · skewed
      for (let q = 0; q < 9; q++) expect(Number.isInteger(T[q])).toBe(true);
      expect(Math.abs(determinant3(T))).toBeCloseTo(1, 12);
      const tc = matMul3(T, skewed);
      for (let q = 0; q < 9; q++) expect(red[q]).toBeCloseTo(tc[q], 9);
      // no longer than the well-shaped basis it came from (Minkowski: lengths = successive minima)
      const lr = [0, 1, 2].map((k) => len(red, k)).sort((a, b) => a - b);
      const lb = [0, 1, 2].map((k) => len(base, k)).sort((a, b) => a - b);
      for (let k = 0; k < 3; k++) expect(lr[k]).toBeLessThanOrEqual(lb[k] + 1e-9);
      expect(identity).toBe(false);
    }
    const ortho = reduceCell([3, 0, 0, 0, 4, 0, 0, 0, 5], [true, true, true]);
    expect(ortho.identity).toBe(true);
    expect(Array.from(ortho.cellA)).toEqual([3, 0, 0, 0, 4, 0, 0, 0, 5]);
  });

  it('mixed pbc: periodic rows only mix among themselves; open rows become an orthonormal complement', () => {
    for (const pbc of [[true, true, false], [false, true, false], [true, false, true]] as const) {
      const cell = skewCell(rng, randomCell(rng), { skew: 3, steps: 6, pbc });
      const { cellA: red, transform: T } = reduceCell(cell, pbc);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          if (pbc[r] && !pbc[c]) expect(T[3 * r + c]).toBe(0);
          if (!pbc[r]) expect(T[3 * r + c]).toBe(r === c ? 1 : 0);
        }
        if (!pbc[r]) {
          expect(len(red, r)).toBeCloseTo(1, 12);
          for (let c = 0; c < 3; c++) if (c !== r) expect(dot(red, r, c)).toBeCloseTo(0, 10);
        }
      }
      expect(determinant3(red)).not.toBeCloseTo(0, 6);
    }
  });

  it('rejects zero or dependent periodic vectors', () => {
    expect(() => reduceCell([0, 0, 0, 0, 4, 0, 0, 0, 5], [true, true, true])).toThrow(/zero/);
    expect(() => reduceCell([1, 0, 0, 2, 0, 0, 0, 0, 0], [true, true, false])).toThrow(/parallel/);
    expect(() => reduceCell([1, 0, 0, 0, 1, 0, 1, 1, 0], [true, true, true])).toThrow(/singular/);
  });
});
