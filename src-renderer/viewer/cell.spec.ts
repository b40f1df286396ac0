import { describe, expect, it } from 'vitest';
import { cellEdgeVertices, invert3, wrapPositions } from './cell';

const TRICLINIC = new Float64Array([5, 0, 0, 1.2, 4.5, 0, -0.8, 0.9, 6.1]);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

describe('invert3', () => {
  it('gives M M^-1 = I and rejects singular matrices', () => {
    const inv = new Float64Array(9);
    expect(invert3(inv, TRICLINIC)).toBe(true);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += TRICLINIC[3 * r + k] * inv[3 * k + c];
        expect(s).toBeCloseTo(r === c ? 1 : 0, 12);
      }
    expect(invert3(inv, [1, 2, 3, 2, 4, 6, 0, 0, 1])).toBe(false);
  });
});

describe('wrapPositions', () => {
  const n = 200;
  const r = rng(3);
  const pos = new Float64Array(3 * n).map(() => (r() - 0.5) * 40);
  const inv = new Float64Array(9);

  it('puts fractional coordinates in [0, 1) on periodic axes and keeps r = w + s·C', () => {
    const out = new Float64Array(3 * n);
    const shifts = new Int32Array(3 * n);
    const pbc: [boolean, boolean, boolean] = [true, false, true];
    wrapPositions(out, pos, n, TRICLINIC, pbc, inv, shifts);
    const ci = new Float64Array(9);
    invert3(ci, TRICLINIC);
    for (let a = 0; a < n; a++) {
      for (let k = 0; k < 3; k++) {
        const f = out[3 * a] * ci[k] + out[3 * a + 1] * ci[3 + k] + out[3 * a + 2] * ci[6 + k];
        const f0 = pos[3 * a] * ci[k] + pos[3 * a + 1] * ci[3 + k] + pos[3 * a + 2] * ci[6 + k];
        if (pbc[k]) {
          expect(f).toBeGreaterThanOrEqual(-1e-7 - 1e-12);
          expect(f).toBeLessThan(1 - 1e-7 + 1e-12);
        } else {
          expect(f).toBeCloseTo(f0, 10);
          expect(shifts[3 * a + k]).toBe(0);
        }
      }
      for (let d = 0; d < 3; d++) {
        const back = out[3 * a + d] + shifts[3 * a] * TRICLINIC[d] + shifts[3 * a + 1] * TRICLINIC[3 + d] + shifts[3 * a + 2] * TRICLINIC[6 + d];
        expect(back).toBeCloseTo(pos[3 * a + d], 9);
      }
    }
  });

  it('copies positions (zero shifts) without a cell or periodic axis', () => {
    const out = new Float32Array(3 * n);
    const shifts = new Int32Array(3 * n).fill(7);
    wrapPositions(out, pos, n, null, [true, true, true], inv, shifts);
    for (let k = 0; k < 3 * n; k++) expect(out[k]).toBeCloseTo(pos[k], 4);
    expect(shifts.every((s) => s === 0)).toBe(true);
    wrapPositions(out, pos, n, TRICLINIC, [false, false, false], inv, shifts);
    for (let k = 0; k < 3 * n; k++) expect(out[k]).toBeCloseTo(pos[k], 4);
  });

  it('keeps atoms on a face (within eps) in place, and wraps slabs with a zero c vector', () => {
    const out = new Float64Array(6);
    const shifts = new Int32Array(6);
    const cube = [4, 0, 0, 0, 4, 0, 0, 0, 4];
    wrapPositions(out, [-1e-9, 0, 0, 4.5, 2, 2], 2, cube, [true, true, true], inv, shifts);
    expect(out[0]).toBe(-1e-9);
    expect(out[3]).toBeCloseTo(0.5, 12);
    expect(Array.from(shifts)).toEqual([0, 0, 0, 1, 0, 0]);
    const slab = [4, 0, 0, 0, 4, 0, 0, 0, 0];
    wrapPositions(out, [-1, 9, 7, 1, 1, -3], 2, slab, [true, true, false], inv, shifts);
    expect(Array.from(out)).toEqual([3, 1, 7, 1, 1, -3]);
    expect(Array.from(shifts)).toEqual([-1, 2, 0, 0, 0, 0]);
  });
});

describe('cellEdgeVertices', () => {
  it('draws 12 edges, 4 parallel to each cell vector, starting with a, b, c at the origin', () => {
    const v = cellEdgeVertices(TRICLINIC);
    expect(v.length).toBe(72);
    const counts = [0, 0, 0];
    for (let e = 0; e < 12; e++) {
      const d = [0, 1, 2].map((k) => v[6 * e + 3 + k] - v[6 * e + k]);
      const which = [0, 1, 2].find((r) => [0, 1, 2].every((k) => Math.abs(d[k] - TRICLINIC[3 * r + k]) < 1e-5));
      expect(which).toBeDefined();
      counts[which!]++;
      if (e < 3) {
        expect(which).toBe(e);
        expect([v[6 * e], v[6 * e + 1], v[6 * e + 2]]).toEqual([0, 0, 0]);
      }
    }
    expect(counts).toEqual([4, 4, 4]);
  });
});
