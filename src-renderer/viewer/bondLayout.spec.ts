import { describe, expect, it } from 'vitest';
import { covalentRadiusA } from '../../src-shared/atoms/elements';
import { layoutBonds } from './bondLayout';
import { BOND_FACTOR, createBondList, updateBondList } from './bonds';
import { wrapPositions } from './cell';
import { transformPoint } from './instanceMath';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

/** fcc Cu, reps^3 conventional cells, jittered, some atoms shifted by lattice vectors (unwrapped). */
function copper(reps: number, jitter: number, seed = 1) {
  const a = 3.615;
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const n = 4 * reps ** 3;
  const pos = new Float64Array(3 * n);
  const r = rng(seed);
  let k = 0;
  for (let i = 0; i < reps; i++)
    for (let j = 0; j < reps; j++)
      for (let l = 0; l < reps; l++)
        for (const b of basis) {
          const cell = [i, j, l];
          for (let d = 0; d < 3; d++) pos[3 * k + d] = (cell[d] + b[d]) * a + (r() - 0.5) * 2 * jitter;
          if (k % 7 === 3) pos[3 * k] += reps * a; // unwrapped by +a
          if (k % 11 === 5) pos[3 * k + 2] -= reps * a; // unwrapped by -c
          k++;
        }
  const L = reps * a;
  return { numbers: new Int32Array(n).fill(29), pos, cell: new Float64Array([L, 0, 0, 0, L, 0, 0, 0, L]) };
}

/** Brute force: bonds within factor (R_i + R_j), through images -2..2 or only direct. */
function bruteCount(pos: Float64Array, numbers: Int32Array, cell: Float64Array, images: boolean): number {
  const n = numbers.length;
  let count = 0;
  const range = images ? [-2, -1, 0, 1, 2] : [0]; // unwrapped atoms may need |n| = 2
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++)
      for (const a of range)
        for (const b of range)
          for (const c of range) {
            if (j === i && (a > 0 || (a === 0 && (b > 0 || (b === 0 && c >= 0)))) === false) continue;
            if (j === i && a === 0 && b === 0 && c === 0) continue;
            const d = [0, 1, 2].map((k) => pos[3 * j + k] + a * cell[k] + b * cell[3 + k] + c * cell[6 + k] - pos[3 * i + k]);
            const cut = BOND_FACTOR * (covalentRadiusA(numbers[i]) + covalentRadiusA(numbers[j]));
            const dist = Math.hypot(...d);
            if (dist < cut && dist >= 0.1) count++;
          }
  return count;
}

function layout(pos: Float64Array, numbers: Int32Array, cell: Float64Array, wrap: boolean, list = createBondList(numbers, pos, cell, [true, true, true])) {
  const n = numbers.length;
  const drawn = new Float32Array(3 * n);
  const shifts = new Int32Array(3 * n);
  wrapPositions(drawn, pos, n, wrap ? cell : null, [true, true, true], new Float64Array(9), shifts);
  const radii = new Float32Array(n).map((_, a) => 0.5 * covalentRadiusA(numbers[a]));
  const reach = new Float32Array(n).map((_, a) => BOND_FACTOR * covalentRadiusA(numbers[a]));
  const colors = new Float32Array(3 * n).fill(0.5);
  const m = new Float32Array(32 * list.count);
  const c = new Float32Array(6 * list.count);
  const res = layoutBonds(m, c, list, drawn, radii, reach, cell, wrap ? shifts : null, 0.1, colors);
  return { res, m, drawn, list };
}

describe('layoutBonds with the shared Verlet list', () => {
  const cu = copper(3, 0.1);

  it('wrap mode draws every periodic bond once (two halves each)', () => {
    const { res } = layout(cu.pos, cu.numbers, cu.cell, true);
    expect(res.bonds).toBe(bruteCount(cu.pos, cu.numbers, cu.cell, true));
    expect(res.halves).toBe(2 * res.bonds);
  });

  it('without wrapping only bonds between drawn atoms (no image) are drawn', () => {
    const { res } = layout(cu.pos, cu.numbers, cu.cell, false);
    expect(res.bonds).toBe(bruteCount(cu.pos, cu.numbers, cu.cell, false));
    expect(res.bonds).toBeLessThan(bruteCount(cu.pos, cu.numbers, cu.cell, true));
  });

  it('halves start at their atoms; full bonds meet, boundary stubs point at the image', () => {
    const { m, drawn } = layout(cu.pos, cu.numbers, cu.cell, true);
    const a = new Float64Array(3), b = new Float64Array(3), e1 = new Float64Array(3), e2 = new Float64Array(3);
    let meets = 0, stubs = 0;
    const inside = (p: Float64Array) => [0, 1, 2].every((k) => p[k] > -1e-3 && p[k] < cu.cell[4 * k] + 1e-3);
    for (let h = 0; h < 200; h += 2) {
      transformPoint(a, m, 16 * h, 0, 0, 0);
      transformPoint(b, m, 16 * (h + 1), 0, 0, 0);
      // both starts are drawn atom centres
      for (const p of [a, b]) {
        let found = false;
        for (let i = 0; i < cu.numbers.length && !found; i++)
          found = Math.hypot(p[0] - drawn[3 * i], p[1] - drawn[3 * i + 1], p[2] - drawn[3 * i + 2]) < 1e-4;
        expect(found).toBe(true);
      }
      transformPoint(e1, m, 16 * h, 0, 1, 0);
      transformPoint(e2, m, 16 * (h + 1), 0, 1, 0);
      if (Math.hypot(e1[0] - e2[0], e1[1] - e2[1], e1[2] - e2[2]) < 1e-4) meets++;
      else {
        stubs++;
        expect(inside(e1) && inside(e2)).toBe(false); // a stub leaves the cell
        // equal-radius atoms: each stub is half the bond length
        expect(Math.hypot(e1[0] - a[0], e1[1] - a[1], e1[2] - a[2])).toBeCloseTo(Math.hypot(e2[0] - b[0], e2[1] - b[1], e2[2] - b[2]), 4);
      }
    }
    expect(meets).toBeGreaterThan(0);
    expect(stubs).toBeGreaterThan(0);
  });

  it('reuses the list for small moves and still draws exactly the bonds of the new frame', () => {
    const list = createBondList(cu.numbers, cu.pos, cu.cell, [true, true, true]);
    const r = rng(5);
    const moved = cu.pos.map((x) => x + (r() - 0.5) * 0.1); // |dr| < skin / 2
    expect(updateBondList(list, moved, cu.cell)).toBe(false);
    expect(layout(moved, cu.numbers, cu.cell, true, list).res.bonds).toBe(bruteCount(moved, cu.numbers, cu.cell, true));
    const far = cu.pos.map((x) => x + (r() - 0.5) * 1.0);
    expect(updateBondList(list, far, cu.cell)).toBe(true);
    expect(layout(far, cu.numbers, cu.cell, false, list).res.bonds).toBe(bruteCount(far, cu.numbers, cu.cell, false));
  });

  it('molecules: no cell, no images', () => {
    // water: O-H 0.96 Å, H-H 1.52 Å (not bonded: 1.2 x 0.62 = 0.74 Å)
    const numbers = new Int32Array([8, 1, 1]);
    const pos = new Float64Array([0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0]);
    const list = createBondList(numbers, pos, null, [false, false, false]);
    const n = 3;
    const m = new Float32Array(32 * list.count), c = new Float32Array(6 * list.count);
    const res = layoutBonds(m, c, list, Float32Array.from(pos), new Float32Array(n).fill(0.3), Float32Array.from(numbers, (z) => BOND_FACTOR * covalentRadiusA(z)), null, null, 0.1, new Float32Array(9));
    expect(res.bonds).toBe(2);
  });
});
