// MSD and diffusion against exact cases: ballistic motion through periodic boundaries (positions
// stored wrapped) gives MSD(τ) = ⟨|v|²⟩ τ² exactly after unwrapping, in cubic and triclinic cells;
// Gaussian random walks with known D give D back (6 D τ), per element too; a uniform drift is
// removed on request.
import { describe, expect, it } from 'vitest';
import { cellFromParameters, wrapPositions } from '../space/cell';
import { createRng } from '../space/rng';
import { diffusionCoefficient, meanSquaredDisplacement, unwrapTrajectory } from './msd';
import type { TrajectoryFrame } from './rdf';

const TTT = [true, true, true] as const;

function wrappedTrajectory(start: Float64Array, steps: (t: number) => Float64Array, nFrames: number, cell: Float64Array) {
  const unwrapped: Float64Array[] = [start.slice()];
  for (let t = 1; t < nFrames; t++) {
    const d = steps(t);
    unwrapped.push(unwrapped[t - 1].map((x, q) => x + d[q]));
  }
  const frames: TrajectoryFrame[] = unwrapped.map((u) => ({ positionsA: wrapPositions(new Float64Array(u.length), u, cell, TTT), cellA: cell }));
  return { unwrapped, frames };
}

describe('mean-squared displacement', () => {
  for (const [label, cell] of [
    ['cubic', new Float64Array([10, 0, 0, 0, 10, 0, 0, 0, 10])],
    ['triclinic', cellFromParameters([10, 11, 12], [75, 100, 110])],
  ] as const) {
    it(`is exactly ⟨|v|²⟩τ² for ballistic motion across the boundaries (${label})`, () => {
      const rng = createRng(1);
      const n = 40;
      const v = Float64Array.from({ length: 3 * n }, () => rng.uniform(-1.2, 1.2)); // Å per frame
      const start = Float64Array.from({ length: 3 * n }, () => rng.uniform(0, 9));
      const { unwrapped, frames } = wrappedTrajectory(start, () => v, 60, cell);
      // the stored frames really jump across the cell
      expect(frames.some((f, t) => t > 0 && Math.abs(f.positionsA[0] - frames[t - 1].positionsA[0]) > 5)).toBe(true);
      const back = unwrapTrajectory(frames);
      for (let t = 0; t < 60; t++) for (let q = 0; q < 3 * n; q++) expect(back[t][q] - frames[0].positionsA[q]).toBeCloseTo(unwrapped[t][q] - unwrapped[0][q], 9);
      let v2 = 0;
      for (let q = 0; q < 3 * n; q++) v2 += v[q] * v[q];
      v2 /= n;
      const m = meanSquaredDisplacement(frames, { frameIntervalFs: 2, maxLagFrames: 50 });
      expect(m.lagFs[10]).toBe(20);
      for (let lag = 0; lag <= 50; lag++) expect(m.msdA2[lag]).toBeCloseTo(v2 * lag * lag, 8);
    });
  }

  it('recovers D of Gaussian random walks, per element, in Å²/ps and cm²/s', () => {
    const rng = createRng(2);
    const n = 600;
    const dtFs = 100;
    // species 1 diffuses with D = 0.5 Å²/ps, species 2 with 2 Å²/ps: per-component step variance 2 D Δt
    const numbers = Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : 1));
    const sd = Float64Array.from({ length: 3 * n }, (_, q) => Math.sqrt(2 * (numbers[(q / 3) | 0] === 1 ? 0.5 : 2) * 1e-3 * dtFs));
    const cell = new Float64Array([20, 0, 0, 0, 20, 0, 0, 0, 20]);
    const start = Float64Array.from({ length: 3 * n }, () => rng.uniform(0, 20));
    const { frames } = wrappedTrajectory(start, () => sd.map((s) => s * rng.normal()), 200, cell);
    const m = meanSquaredDisplacement(frames, { frameIntervalFs: dtFs, maxLagFrames: 40, numbers });
    const dAll = diffusionCoefficient(m, { fitFromFs: 0, fitToFs: 4000 });
    const expectedAll = (2 / 3) * 0.5 + (1 / 3) * 2; // 1.0
    expect(Math.abs(dAll.dA2PerPs / expectedAll - 1)).toBeLessThan(0.05);
    expect(dAll.dCm2PerS).toBeCloseTo(dAll.dA2PerPs * 1e-4, 15);
    expect(Math.abs(dAll.interceptA2)).toBeLessThan(0.5);
    for (const [z, d] of [[1, 0.5], [2, 2]] as const) {
      const curve = m.perElement.find((p) => p.z === z)!.msdA2;
      const fit = diffusionCoefficient(m, { msdA2: curve });
      expect(Math.abs(fit.dA2PerPs / d - 1), `element ${z}`).toBeLessThan(0.08);
      expect(fit.dStdErrA2PerPs).toBeGreaterThan(0);
    }
  });

  it('removes a uniform drift on request', () => {
    const rng = createRng(3);
    const cell = new Float64Array([15, 0, 0, 0, 15, 0, 0, 0, 15]);
    const start = Float64Array.from({ length: 30 }, () => rng.uniform(0, 15));
    const drift = Float64Array.from({ length: 30 }, (_, q) => [0.7, -0.3, 0.2][q % 3]);
    const { frames } = wrappedTrajectory(start, () => drift, 30, cell);
    const m = meanSquaredDisplacement(frames, { frameIntervalFs: 1, removeDrift: true });
    for (const x of m.msdA2) expect(x).toBeLessThan(1e-20);
    const raw = meanSquaredDisplacement(frames, { frameIntervalFs: 1 });
    expect(raw.msdA2[5]).toBeCloseTo(25 * (0.49 + 0.09 + 0.04), 9);
  });
});
