import { describe, expect, it } from 'vitest';
import { createRng } from './rng';

describe('createRng', () => {
  it('is reproducible per seed and differs between nearby seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xa = Array.from({ length: 8 }, () => a.next());
    const xb = Array.from({ length: 8 }, () => b.next());
    const xc = Array.from({ length: 8 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('next() is uniform in [0, 1): range, mean and variance', () => {
    const r = createRng(1);
    const m = 200_000;
    let s = 0, s2 = 0, lo = 1, hi = 0;
    for (let k = 0; k < m; k++) {
      const x = r.next();
      s += x;
      s2 += x * x;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / m - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / m - s * s / m / m - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal() has mean 0, variance 1 and Gaussian tails', () => {
    const r = createRng(7);
    const m = 200_000;
    let s = 0, s2 = 0, beyond2 = 0;
    for (let k = 0; k < m; k++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    expect(Math.abs(s / m)).toBeLessThan(0.01);
    expect(Math.abs(s2 / m - 1)).toBeLessThan(0.02);
    expect(Math.abs(beyond2 / m - 0.0455)).toBeLessThan(0.003);
  });

  it('int(n) covers 0..n-1 evenly', () => {
    const r = createRng(3);
    const counts = new Array(6).fill(0);
    for (let k = 0; k < 60_000; k++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
