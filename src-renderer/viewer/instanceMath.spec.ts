import { describe, expect, it } from 'vitest';
import { transformPoint, writeSegmentMatrix, writeSphereMatrix } from './instanceMath';

const col = (m: Float32Array, c: number) => [m[4 * c], m[4 * c + 1], m[4 * c + 2]];
const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const det3 = (a: number[], b: number[], c: number[]) =>
  a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);

describe('writeSegmentMatrix', () => {
  const dirs = [
    [1, 2, 3], [0, 0, 1], [0, 0, -1], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0.95, 0.1, -0.2], [1e-4, 1, 1e-4],
  ];
  it('maps the unit axis (0,0,0)-(0,1,0) onto A-B with radius r and positive determinant', () => {
    const m = new Float32Array(32);
    const p = new Float64Array(3);
    for (const d of dirs) {
      const A = [0.3, -1.1, 2.5];
      const B = [A[0] + d[0], A[1] + d[1], A[2] + d[2]];
      writeSegmentMatrix(m, 16, A[0], A[1], A[2], B[0], B[1], B[2], 0.2);
      transformPoint(p, m, 16, 0, 0, 0);
      for (let k = 0; k < 3; k++) expect(p[k]).toBeCloseTo(A[k], 5);
      transformPoint(p, m, 16, 0, 1, 0);
      for (let k = 0; k < 3; k++) expect(p[k]).toBeCloseTo(B[k], 5);
      const sub = m.subarray(16);
      const x = col(sub, 0), y = col(sub, 1), z = col(sub, 2);
      expect(Math.hypot(...x)).toBeCloseTo(0.2, 6);
      expect(Math.hypot(...z)).toBeCloseTo(0.2, 6);
      expect(dot(x, y)).toBeCloseTo(0, 6);
      expect(dot(x, z)).toBeCloseTo(0, 6);
      expect(dot(y, z)).toBeCloseTo(0, 6);
      expect(det3(x, y, z)).toBeGreaterThan(0);
      expect(sub[15]).toBe(1);
    }
  });

  it('gives a zero-length segment a zero scale at A', () => {
    const m = new Float32Array(16).fill(9);
    writeSegmentMatrix(m, 0, 1, 2, 3, 1, 2, 3, 0.5);
    expect(Array.from(m.subarray(0, 12)).every((v) => v === 0)).toBe(true);
    expect(Array.from(m.subarray(12))).toEqual([1, 2, 3, 1]);
  });
});

describe('writeSphereMatrix', () => {
  it('scales then translates', () => {
    const m = new Float32Array(16);
    const p = new Float64Array(3);
    writeSphereMatrix(m, 0, 1, 2, 3, 0.5);
    transformPoint(p, m, 0, 1, 0, 0);
    expect(Array.from(p)).toEqual([1.5, 2, 3]);
  });
});
