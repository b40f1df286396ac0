import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { perRowInvariants, poolRows, tensorInvariants, vectorNorms } from './tensorInvariants';
import { randomReflection, randomRotation } from './testing';

function rotate(q: Float64Array, t: number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) r[3 * i + j] += q[3 * i + a] * t[3 * a + b] * q[3 * j + b];
  return r;
}

describe('tensor invariants', () => {
  it('diagonal tensor: trace, I2 = sum of pairwise products, det = product, eigenvalues sorted', () => {
    const r = tensorInvariants([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    expect(r.trace).toBeCloseTo(4, 14);
    expect(r.secondInvariant).toBeCloseTo(3 * -1 + 3 * 2 + -1 * 2, 14);
    expect(r.determinant).toBeCloseTo(-6, 14);
    [3, 2, -1].forEach((x, k) => expect(r.eigenvalues[k]).toBeCloseTo(x, 12));
    expect(r.antisymmetricNorm).toBe(0);
  });

  it('hand case with off-diagonal terms: [[2,1,0],[1,2,0],[0,0,5]] has eigenvalues 5, 3, 1', () => {
    const r = tensorInvariants([2, 1, 0, 1, 2, 0, 0, 0, 5]);
    expect(r.eigenvalues[0]).toBeCloseTo(5, 12);
    expect(r.eigenvalues[1]).toBeCloseTo(3, 12);
    expect(r.eigenvalues[2]).toBeCloseTo(1, 12);
    expect(r.determinant).toBeCloseTo(15, 12);
    expect(r.secondInvariant).toBeCloseTo(5 * 3 + 5 * 1 + 3 * 1, 12);
  });

  it('unchanged by rotations and reflections T -> Q T Qᵀ; the antisymmetric part is reported apart', () => {
    const rng = createRng(3);
    const t = Array.from({ length: 9 }, () => rng.normal());
    const r0 = tensorInvariants(t);
    for (const q of [randomRotation(rng), randomReflection(rng)]) {
      const r1 = tensorInvariants(rotate(q, t));
      expect(r1.trace).toBeCloseTo(r0.trace, 12);
      expect(r1.secondInvariant).toBeCloseTo(r0.secondInvariant, 12);
      expect(r1.determinant).toBeCloseTo(r0.determinant, 12);
      for (let k = 0; k < 3; k++) expect(r1.eigenvalues[k]).toBeCloseTo(r0.eigenvalues[k], 12);
      expect(r1.antisymmetricNorm).toBeCloseTo(r0.antisymmetricNorm, 12);
    }
    expect(r0.antisymmetricNorm).toBeGreaterThan(0);
  });

  it('per-row invariants: norms of vectors, Voigt tensors expanded (ASE order xx yy zz yz xz xy)', () => {
    expect(Array.from(vectorNorms([3, 4, 0, 0, 0, 2]))).toEqual([5, 2]);
    const voigt = perRowInvariants([1, 2, 3, 0.5, 0, 0], 6);
    const full = tensorInvariants([1, 0, 0, 0, 2, 0.5, 0, 0.5, 3]);
    expect(voigt.k).toBe(7);
    expect(voigt.values[2]).toBeCloseTo(full.determinant, 14);
    expect(() => perRowInvariants([1, 2], 2)).toThrow(/width 2/);
    expect(Array.from(poolRows(new Float64Array([1, 2, 3, 4]), 2, 'mean'))).toEqual([2, 3]);
    expect(Array.from(poolRows(new Float64Array([1, 2, 3, 4]), 2, 'sum'))).toEqual([4, 6]);
  });
});
