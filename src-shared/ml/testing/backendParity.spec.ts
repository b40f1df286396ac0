// Backend parity in Node: wasm against cpu (the same check runs for webgpu against cpu in headless
// Chromium, e2e/webgpu.spec.ts). Tolerances are float32 ones: both backends compute in float32
// with different summation orders and kernels.
import { describe, expect, it } from 'vitest';
import { useBackend } from './tfTesting';
import { compareParity, PARITY_TOLERANCE, maxScaledError, parityData, parityModel, parityNumbers, PARITY_MODELS } from './backendParity';

describe('backend parity (wasm vs cpu)', () => {
  for (const { name, config } of PARITY_MODELS) {
    it(`${name}: energies, forces, stress, loss gradients and a short training run agree`, async () => {
      const { tf } = await useBackend('cpu');
      const data = parityData();
      const saved = parityModel(tf, data, name, config);
      const ref = await parityNumbers(tf, data, saved);
      await useBackend('wasm');
      const test = await parityNumbers(tf, data, saved);
      await useBackend('cpu');
      const err = compareParity(test, ref);
      for (const [k, tol] of Object.entries(PARITY_TOLERANCE)) expect(err[k as keyof typeof err], k).toBeLessThan(tol);
      // the numbers are not trivially equal: forces and gradients are not zero, training moved
      expect(Math.max(...ref.forcesEvPerA.map(Math.abs))).toBeGreaterThan(1e-3);
      expect(ref.trainLoss[2]).toBeLessThan(ref.trainLoss[0]);
      // memory: flat tensor count across epochs on both backends
      for (const r of [ref, test]) expect(new Set(r.tensorsPerEpoch).size).toBe(1);
    });
  }

  it('maxScaledError sees a wrong value, a wrong length and NaN', () => {
    expect(maxScaledError([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(maxScaledError([1, 2, 3.3], [1, 2, 3])).toBeCloseTo(0.1, 5);
    expect(maxScaledError([1, 2], [1, 2, 3])).toBe(Infinity);
    expect(maxScaledError([1, NaN, 3], [1, 2, 3])).toBe(Infinity);
  });
});
