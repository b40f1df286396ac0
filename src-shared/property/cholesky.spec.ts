import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { choleskyInPlace, choleskyLogDet, choleskySolveInPlace, NotPositiveDefiniteError, solveDenseNaive } from './cholesky';

/** Random SPD matrix B Bᵀ + n·I (full, symmetric). */
function spd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const B = Float64Array.from({ length: n * n }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      A[i * n + j] = A[j * n + i] = s + (i === j ? n : 0);
    }
  return A;
}

describe('blocked Cholesky', () => {
  // Sizes straddle the 64-column panels and the 128-long k-chunks, and the 4-row micro-kernel tail.
  for (const n of [1, 2, 5, 63, 64, 65, 129, 130, 261]) {
    it(`n = ${n}: L Lᵀ = A and the solve agrees with Gaussian elimination`, () => {
      const A = spd(n, n);
      const L = A.slice();
      choleskyInPlace(L, n);
      let err = 0, scale = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += L[i * n + k] * L[j * n + k];
          err = Math.max(err, Math.abs(s - A[i * n + j]));
          scale = Math.max(scale, Math.abs(A[i * n + j]));
        }
      expect(err / scale).toBeLessThan(1e-13);
      const rng = createRng(7);
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const x = choleskySolveInPlace(L, n, b.slice());
      const ref = solveDenseNaive(A, n, b);
      for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(ref[i], 10);
    });
  }

  it('leaves the strict upper triangle alone and gives log det', () => {
    const n = 70;
    const A = spd(n, 3);
    const L = A.slice();
    choleskyInPlace(L, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(A[i * n + j]);
    // log det via the naive solver's elimination: det A = Π pivots (no pivoting needed for SPD).
    const m = A.slice();
    let logdet = 0;
    for (let c = 0; c < n; c++) {
      logdet += Math.log(m[c * n + c]);
      for (let r = c + 1; r < n; r++) {
        const f = m[r * n + c] / m[c * n + c];
        for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      }
    }
    expect(choleskyLogDet(L, n)).toBeCloseTo(logdet, 8);
  });

  it('reports a non-positive-definite matrix with the failing pivot', () => {
    const n = 80;
    const A = spd(n, 4);
    A[70 * n + 70] = -1e6;
    expect(() => choleskyInPlace(A.slice(), n)).toThrow(NotPositiveDefiniteError);
    try {
      choleskyInPlace(A, n);
    } catch (e) {
      expect((e as NotPositiveDefiniteError).pivotIndex).toBe(70);
    }
  });
});
