import { describe, expect, it } from 'vitest';
import { autoArrowScale, DEFAULT_ARROW_STYLE, maxForceNorm, writeArrowMatrices } from './arrows';
import { transformPoint } from './instanceMath';

describe('force arrows', () => {
  const centers = new Float32Array([0, 0, 0, 5, 0, 0, 0, 5, 0]);
  const radii = new Float32Array([0.5, 0.7, 0.3]);
  const forces = new Float32Array([0, 0, 2, 3, 4, 0, 1e-6, 0, 0]);

  it('auto scale maps the largest force to the target length', () => {
    const maxF = maxForceNorm(forces, 3);
    expect(maxF).toBeCloseTo(5, 6);
    expect(autoArrowScale(maxF, 1.5) * maxF).toBeCloseTo(1.5, 12);
    expect(autoArrowScale(0)).toBe(1);
    expect(maxForceNorm(new Float32Array([NaN, 0, 0]), 1)).toBe(0);
  });

  it('starts at the atom surface, points along F, has length |F| x scale, skips tiny forces', () => {
    const shafts = new Float32Array(48);
    const heads = new Float32Array(48);
    const scale = 0.4;
    const k = writeArrowMatrices(shafts, heads, centers, radii, forces, 3, scale);
    expect(k).toBe(2);
    const p = new Float64Array(3);
    // atom 0: F along +z, |F| = 2
    transformPoint(p, shafts, 0, 0, 0, 0);
    expect(Array.from(p).map((v) => +v.toFixed(5))).toEqual([0, 0, 0.5]);
    transformPoint(p, heads, 0, 0, 1, 0);
    expect(p[2]).toBeCloseTo(0.5 + 2 * scale, 5);
    // shaft ends where the head starts
    const q = new Float64Array(3);
    transformPoint(p, shafts, 0, 0, 1, 0);
    transformPoint(q, heads, 0, 0, 0, 0);
    for (let d = 0; d < 3; d++) expect(p[d]).toBeCloseTo(q[d], 5);
    // head length follows the style: min(headLengthRadii * r, headLengthFraction * L)
    const L = 2 * scale;
    const head = Math.min(DEFAULT_ARROW_STYLE.headLengthRadii * DEFAULT_ARROW_STYLE.shaftRadiusA, DEFAULT_ARROW_STYLE.headLengthFraction * L);
    expect(0.5 + L - p[2]).toBeCloseTo(head, 5);
    // atom 1: F = (3, 4, 0): tip at centre + (r + 5 * scale) * (0.6, 0.8, 0)
    transformPoint(p, heads, 16, 0, 1, 0);
    expect(p[0]).toBeCloseTo(5 + (0.7 + 2) * 0.6, 5);
    expect(p[1]).toBeCloseTo((0.7 + 2) * 0.8, 5);
  });
});
