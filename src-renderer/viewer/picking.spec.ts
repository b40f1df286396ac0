import { describe, expect, it } from 'vitest';
import { pickInfoOf, pickSphere } from './picking';
import type { ViewStructure } from './types';

describe('pickSphere', () => {
  const centers = new Float32Array([0, 0, -5, 0, 0, -10, 0, 0, 5, 3, 0, -5]);
  const radii = new Float32Array([1, 2, 1, 1]);

  it('returns the nearest sphere in front of the origin', () => {
    expect(pickSphere(0, 0, 0, 0, 0, -1, centers, radii, 4)).toBe(0);
    expect(pickSphere(0, 0, 0, 0, 0, 1, centers, radii, 4)).toBe(2);
    // offset ray misses sphere 0 (r = 1) but hits sphere 1 (r = 2)
    expect(pickSphere(0, 1.5, 0, 0, 0, -1, centers, radii, 4)).toBe(1);
    expect(pickSphere(3, 0, 0, 0, 0, -1, centers, radii, 4)).toBe(3);
  });

  it('misses with -1, and picks the enclosing sphere from inside', () => {
    expect(pickSphere(10, 10, 0, 0, 0, -1, centers, radii, 4)).toBe(-1);
    expect(pickSphere(0, 0, -5.2, 0, 1, 0, centers, radii, 4)).toBe(0);
  });

  it('agrees with brute-force ray marching on random spheres', () => {
    let s = 11;
    const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
    const n = 60;
    const c = new Float32Array(3 * n).map(() => (r() - 0.5) * 10);
    const rad = new Float32Array(n).map(() => 0.2 + r() * 0.6);
    for (let t = 0; t < 40; t++) {
      const o = [(r() - 0.5) * 4, (r() - 0.5) * 4, 20];
      const d = [(r() - 0.5) * 0.4, (r() - 0.5) * 0.4, -1];
      const l = Math.hypot(...d);
      const dir = d.map((v) => v / l);
      let want = -1;
      for (let step = 0; step < 40000 && want < 0; step++) {
        const q = o.map((v, k) => v + dir[k] * step * 0.001);
        for (let a = 0; a < n && want < 0; a++)
          if (Math.hypot(q[0] - c[3 * a], q[1] - c[3 * a + 1], q[2] - c[3 * a + 2]) <= rad[a]) want = a;
      }
      expect(pickSphere(o[0], o[1], o[2], dir[0], dir[1], dir[2], c, rad, n)).toBe(want);
    }
  });
});

describe('pickInfoOf', () => {
  const s: ViewStructure = {
    numbers: new Int32Array([8, 1]),
    positionsA: new Float32Array([0, 0, 0, 0.96, 0, 0]),
    cellA: null,
    pbc: [false, false, false],
    forcesEvPerA: new Float32Array([0.1, 0, 0, -0.1, 0, 0]),
    columns: { q: new Float32Array([-0.8, 0.4]) },
  };
  it('reports symbol, raw position, force and column values', () => {
    const p = pickInfoOf(s, 1)!;
    expect(p.symbol).toBe('H');
    expect(p.positionA[0]).toBeCloseTo(0.96, 6);
    expect(p.forceEvPerA![0]).toBeCloseTo(-0.1, 6);
    expect(p.columns.q).toBeCloseTo(0.4, 6);
    expect(pickInfoOf({ ...s, forcesEvPerA: null }, 0)!.forceEvPerA).toBeNull();
    expect(pickInfoOf(s, 2)).toBeNull();
  });
});
