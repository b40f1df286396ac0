import { describe, expect, it } from 'vitest';
import { boundingSphere, DEFAULT_VIEW_DIR, fitDistance } from './camera';

describe('camera framing', () => {
  it('the bounding sphere holds the padded atoms and the cell corners', () => {
    const pos = [0, 0, 0, 1, 2, 3, -4, 0.5, 2];
    const cell = [6, 0, 0, 1, 6, 0, 0, 0, 7];
    const bs = boundingSphere(pos, 3, cell, 0.5);
    const inside = (x: number, y: number, z: number, pad: number) =>
      Math.hypot(x - bs.center[0], y - bs.center[1], z - bs.center[2]) + pad <= bs.radius + 1e-9;
    for (let a = 0; a < 3; a++) expect(inside(pos[3 * a], pos[3 * a + 1], pos[3 * a + 2], 0.5)).toBe(true);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let k = 0; k < 2; k++)
          expect(inside(i * 6 + j * 1, j * 6, k * 7, 0)).toBe(true);
  });

  it('handles no atoms and no cell', () => {
    expect(boundingSphere([], 0, null)).toEqual({ center: [0, 0, 0], radius: 1 });
    expect(boundingSphere([1, 1, 1], 1, null).radius).toBeGreaterThan(0);
  });

  it('fitDistance puts the sphere within the narrower field of view', () => {
    for (const aspect of [0.5, 1, 2]) {
      const d = fitDistance(3, 35, aspect, 1);
      const vHalf = (35 * Math.PI) / 360;
      const hHalf = Math.atan(Math.tan(vHalf) * aspect);
      expect(Math.asin(3 / d)).toBeCloseTo(Math.min(vHalf, hHalf), 10);
    }
    expect(Math.hypot(...DEFAULT_VIEW_DIR)).toBeCloseTo(1, 12);
  });
});
