// Least-squares lines and block averaging against closed forms: an exact line, the textbook
// standard error, and the statistical inefficiency (1 + φ)/(1 − φ) of an AR(1) process.
import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { blockAverage, linearFit } from './statistics';

describe('linearFit', () => {
  it('recovers an exact line with zero errors', () => {
    const x = [0, 1, 2, 3, 4];
    const f = linearFit(x, x.map((t) => 2.5 - 0.75 * t));
    expect(f.slope).toBeCloseTo(-0.75, 14);
    expect(f.intercept).toBeCloseTo(2.5, 14);
    expect(f.slopeStdErr).toBeLessThan(1e-14);
    expect(f.residualRms).toBeLessThan(1e-14);
  });

  it('matches the closed-form standard errors (Draper & Smith)', () => {
    // y = [1, 3, 2, 5, 4] at x = 1..5: b = 0.8, a = 0.6, s² = 1.2, Sxx = 10
    const f = linearFit([1, 2, 3, 4, 5], [1, 3, 2, 5, 4]);
    expect(f.slope).toBeCloseTo(0.8, 14);
    expect(f.intercept).toBeCloseTo(0.6, 14);
    expect(f.slopeStdErr).toBeCloseTo(Math.sqrt(1.2 / 10), 14);
    expect(f.interceptStdErr).toBeCloseTo(Math.sqrt(1.2 * (1 / 5 + 9 / 10)), 14);
  });

  it('its standard error describes the scatter of slopes over noise realisations', () => {
    const rng = createRng(3);
    const x = Array.from({ length: 50 }, (_, k) => k);
    const slopes: number[] = [];
    let se = 0;
    for (let r = 0; r < 400; r++) {
      const f = linearFit(x, x.map((t) => 1 + 0.1 * t + rng.normal()));
      slopes.push(f.slope);
      se += f.slopeStdErr / 400;
    }
    const m = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - m) ** 2, 0) / (slopes.length - 1));
    expect(Math.abs(m - 0.1)).toBeLessThan(4 * sd / Math.sqrt(400));
    expect(sd / se).toBeGreaterThan(0.85);
    expect(sd / se).toBeLessThan(1.15);
  });

  it('rejects degenerate input', () => {
    expect(() => linearFit([1, 1, 1], [1, 2, 3])).toThrow(/equal/);
    expect(() => linearFit([1, 2], [1, 2])).toThrow(/3 points/);
  });
});

describe('blockAverage', () => {
  it('gives the naive standard error for independent data', () => {
    const rng = createRng(9);
    const xs = Array.from({ length: 32768 }, () => 5 + 2 * rng.normal());
    const b = blockAverage(xs);
    expect(Math.abs(b.mean - 5)).toBeLessThan(4 * b.stdErr);
    expect(b.stdErr / (2 / Math.sqrt(xs.length))).toBeGreaterThan(0.95);
    expect(b.stdErr / (2 / Math.sqrt(xs.length))).toBeLessThan(1.3);
  });

  it('finds the statistical inefficiency (1 + φ)/(1 − φ) of an AR(1) series', () => {
    const rng = createRng(10);
    const phi = 0.9;
    let x = 0;
    const xs = Array.from({ length: 1 << 17 }, () => (x = phi * x + rng.normal()));
    const b = blockAverage(xs);
    const g = (1 + phi) / (1 - phi); // 19
    expect(b.inefficiency / g).toBeGreaterThan(0.8);
    expect(b.inefficiency / g).toBeLessThan(1.3);
  });
});
