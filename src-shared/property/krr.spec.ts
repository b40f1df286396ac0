import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { solveDenseNaive } from './cholesky';
import { kernelOfDistance, pairwiseDistances, range, selfDistances } from './kernels';
import { fitKrr, predictKrr } from './krr';
import { fitLinearRidge, predictLinear } from './linearRidge';

function data(n: number, d: number, seed: number) {
  const rng = createRng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(-2, 2));
  const y = Array.from({ length: n }, (_, i) => Math.sin(X[i * d]) + 0.5 * X[i * d + 1] ** 2 - X[i * d + 2] + 0.01 * rng.normal());
  return { X, y };
}

describe('distances and kernels', () => {
  it('L1 and L2 by hand; self distances symmetric with a zero diagonal', () => {
    const X = new Float64Array([0, 0, 3, 4, 1, 1]);
    const D1 = pairwiseDistances(X, [0, 1, 2], X, [0, 1, 2], 2, 'l1');
    expect(Array.from(D1)).toEqual([0, 7, 2, 7, 0, 5, 2, 5, 0]);
    const D2 = pairwiseDistances(X, [1], X, [0, 2, 1, 0, 2], 2, 'l2');
    [5, Math.sqrt(13), 0, 5, Math.sqrt(13)].forEach((v, k) => expect(D2[k]).toBeCloseTo(v, 14));
    const { X: Y } = data(150, 5, 1);
    const S = selfDistances(Y, 150, 5, 'l2');
    const P = pairwiseDistances(Y, range(150), Y, range(150), 5, 'l2');
    for (let k = 0; k < S.length; k++) expect(S[k]).toBeCloseTo(P[k], 12);
    expect(kernelOfDistance('gaussian', 2, 2)).toBeCloseTo(Math.exp(-0.5), 15);
    expect(kernelOfDistance('laplacian', 2, 2)).toBeCloseTo(Math.exp(-1), 15);
  });
});

describe('kernel ridge regression', () => {
  for (const kernel of ['gaussian', 'laplacian'] as const) {
    it(`${kernel}: α and predictions equal an independent dense solve of (K + λI) α = y - ȳ`, () => {
      const n = 40, d = 3, sigma = 1.3, lambda = 1e-3;
      const { X, y } = data(n, d, 2);
      const metric = kernel === 'gaussian' ? 'l2' : 'l1';
      const model = fitKrr(X, n, d, y, { kernel, metric, sigma, lambda });
      // Independent: kernel entry by entry, full matrix, Gaussian elimination.
      const dist = (i: number, j: number) => {
        let s = 0;
        for (let k = 0; k < d; k++) s += metric === 'l1' ? Math.abs(X[i * d + k] - X[j * d + k]) : (X[i * d + k] - X[j * d + k]) ** 2;
        return metric === 'l1' ? s : Math.sqrt(s);
      };
      const K = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = kernelOfDistance(kernel, dist(i, j), sigma) + (i === j ? lambda : 0);
      const mean = y.reduce((s, v) => s + v, 0) / n;
      const alpha = solveDenseNaive(K, n, Float64Array.from(y, (v) => v - mean));
      for (let i = 0; i < n; i++) expect(model.alpha[i]).toBeCloseTo(alpha[i], 8);
      const { X: Q } = data(7, d, 3);
      const p = predictKrr(model, Q, 7);
      for (let q = 0; q < 7; q++) {
        let s = mean;
        for (let i = 0; i < n; i++) {
          let dd = 0;
          for (let k = 0; k < d; k++) dd += metric === 'l1' ? Math.abs(Q[q * d + k] - X[i * d + k]) : (Q[q * d + k] - X[i * d + k]) ** 2;
          s += alpha[i] * kernelOfDistance(kernel, metric === 'l1' ? dd : Math.sqrt(dd), sigma);
        }
        expect(p[q]).toBeCloseTo(s, 8);
      }
    });
  }

  it('interpolates the training data as λ -> 0, and returns the mean far from it', () => {
    const n = 30, d = 3;
    const { X, y } = data(n, d, 4);
    const model = fitKrr(X, n, d, y, { kernel: 'gaussian', metric: 'l2', sigma: 1, lambda: 1e-10 });
    const p = predictKrr(model, X, n);
    for (let i = 0; i < n; i++) expect(p[i]).toBeCloseTo(y[i], 5);
    const far = predictKrr(model, new Float64Array([100, 100, 100]), 1);
    expect(far[0]).toBeCloseTo(y.reduce((s, v) => s + v, 0) / n, 10);
  });

  it('learns a smooth function: test error well below the spread of the data', () => {
    const { X, y } = data(400, 3, 5);
    const model = fitKrr(X.subarray(0, 300 * 3), 300, 3, y.slice(0, 300), { kernel: 'gaussian', metric: 'l2', sigma: 1.5, lambda: 1e-4 });
    const p = predictKrr(model, X.subarray(300 * 3), 100);
    const mae = p.reduce((s, v, q) => s + Math.abs(v - y[300 + q]), 0) / 100;
    const spread = y.slice(300).reduce((s, v) => s + Math.abs(v), 0) / 100;
    expect(mae).toBeLessThan(0.1 * spread);
  });
});

describe('linear ridge regression', () => {
  it('recovers exact linear coefficients, with and without an intercept', () => {
    const rng = createRng(6);
    const n = 50, d = 4;
    const X = Float64Array.from({ length: n * d }, () => rng.normal());
    const w = [1.5, -2, 0.25, 3];
    const y = Array.from({ length: n }, (_, i) => 7 + w.reduce((s, wk, k) => s + wk * X[i * d + k], 0));
    const m = fitLinearRidge(X, n, d, y, { lambda: 1e-10 });
    w.forEach((wk, k) => expect(m.w[k]).toBeCloseTo(wk, 7));
    expect(m.b).toBeCloseTo(7, 7);
    const y0 = y.map((v) => v - 7);
    const m0 = fitLinearRidge(X, n, d, y0, { lambda: 1e-10, intercept: false });
    expect(m0.b).toBe(0);
    w.forEach((wk, k) => expect(m0.w[k]).toBeCloseTo(wk, 7));
    expect(predictLinear(m, X, 1)[0]).toBeCloseTo(y[0], 7);
  });
});
