import { describe, expect, it } from 'vitest';
import type { Frame } from '../atoms/frame';
import { createRng } from '../space/rng';
import { BOHR_A } from '../units';
import { featurizeAll, representationById } from '../representations/registry';
import { crossValidateKrr, randomFolds } from './crossValidation';
import { fitLinearRidge, predictLinear } from './linearRidge';
import { compositionFeatures } from './compositionBaseline';
import { blobFrame, learningCurveSizes, logLogSlope, runPropertyStudy } from './study';

/** Additive toy target: atomic offsets plus a short-ranged pair term Σ 0.1 (Z_iZ_j/r)², r in Bohr. */
function toyTarget(f: Frame): number {
  let e = 0;
  const n = f.numbers.length;
  for (let i = 0; i < n; i++) {
    e += f.numbers[i] === 6 ? -37.8 : -0.5;
    for (let j = 0; j < i; j++) {
      const r = Math.hypot(f.positionsA[3 * i] - f.positionsA[3 * j], f.positionsA[3 * i + 1] - f.positionsA[3 * j + 1], f.positionsA[3 * i + 2] - f.positionsA[3 * j + 2]) / BOHR_A;
      e += 0.1 * ((f.numbers[i] * f.numbers[j]) / r) ** 2;
    }
  }
  return e;
}

function toySet(count: number, seed: number): Frame[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => blobFrame(3 + rng.int(8), rng));
}

describe('property study helpers', () => {
  it('log-log slope recovers exact power laws', () => {
    const x = [8, 16, 32, 64];
    expect(logLogSlope(x, x.map((v) => 3 * v ** 3))).toBeCloseTo(3, 12);
    expect(logLogSlope(x, x.map((v) => 0.5 * v ** -0.5))).toBeCloseTo(-0.5, 12);
    expect(logLogSlope([1], [1])).toBeNull();
  });

  it('learning-curve sizes halve from the pool down to the minimum', () => {
    expect(learningCurveSizes(100)).toEqual([12, 25, 50, 100]);
    expect(learningCurveSizes(5)).toEqual([]);
    expect(learningCurveSizes(5000).length).toBe(7);
  });

  it('blob frames are compact with no two atoms closer than 1.2 Å', () => {
    const f = blobFrame(64, createRng(2));
    let dmin = Infinity;
    for (let i = 0; i < 64; i++)
      for (let j = 0; j < i; j++) dmin = Math.min(dmin, Math.hypot(f.positionsA[3 * i] - f.positionsA[3 * j], f.positionsA[3 * i + 1] - f.positionsA[3 * j + 1], f.positionsA[3 * i + 2] - f.positionsA[3 * j + 2]));
    expect(dmin).toBeGreaterThan(1.2);
    expect(f.symbols.filter((s) => s === 'C').length).toBe(22);
  });
});

describe('runPropertyStudy', () => {
  const frames = toySet(120, 5);
  const y = Float64Array.from(frames, toyTarget);
  y[7] = NaN; // a missing target is excluded, not zero-filled
  const folds = randomFolds(frames.length, 4, 3);

  it('matches a direct nested CV and shows CM models are not extensive while bag sums are', async () => {
    const stages = new Set<string>();
    const r = await runPropertyStudy(frames, { representation: 'bob', model: 'krr-laplacian', targets: y, folds, costMaxAtoms: 16, onProgress: (p) => stages.add(p.stage) });
    expect(r.n).toBe(119);
    expect(r.excluded).toBe(1);
    expect([...stages]).toEqual(['features', 'distances', 'cross-validation', 'learning-curve', 'cost', 'extensivity']);

    // Same numbers as crossValidateKrr computing its own distances on the full arrays.
    const fz = representationById('bob')!.fit(frames.filter((_, i) => i !== 7));
    const X = featurizeAll(fz, frames.map((f, i) => (i === 7 ? frames[0] : f)));
    const direct = crossValidateKrr(X, frames.length, fz.dimension, y, folds, { kernel: 'laplacian', seed: 1 });
    expect(r.mae).toBeCloseTo(direct.mae, 9);
    expect(r.parity.frame.length).toBe(119);
    for (let k = 0; k < r.parity.frame.length; k++) expect(r.parity.predicted[k]).toBeCloseTo(direct.predictions[r.parity.frame[k]], 9);
    // The model learns: CV error well below the spread of the target.
    const ys = [...r.parity.reference];
    const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / ys.length);
    expect(r.mae).toBeLessThan(0.2 * std);

    const lc = r.learningCurve!;
    expect(lc.points.map((p) => p.nTrain)).toEqual(learningCurveSizes(lc.points[lc.points.length - 1].nTrain));
    expect(lc.points[lc.points.length - 1].mae).toBeLessThan(lc.points[0].mae);

    expect(r.cost!.map((c) => c.representation)).toEqual(['cm-eigen', 'cm-sorted', 'bob']);
    expect(r.cost![0].atoms).toEqual([8, 16]);
    for (const c of r.cost!) expect(c.secondsPerStructure.every((s) => s > 0)).toBe(true);

    const ext = r.extensivity as Exclude<typeof r.extensivity, { skipped: string } | null>;
    const byRep = new Map(ext.cases.map((c) => [c.representation, c]));
    // A pair far apart: sum of the parts for the additive target; the bag-sum linear model follows
    // it closely, the Coulomb-matrix kernel model falls back towards one molecule's energy.
    const cm = byRep.get('cm-eigen')!, sums = byRep.get('bob-sums')!;
    expect(sums.sizeExtensive).toBe(true);
    expect(cm.sizeExtensive).toBe(false);
    expect(sums.meanAbsDifference).toBeLessThan(0.05 * cm.meanAbsDifference);
    expect(cm.meanRelativeDifference).toBeGreaterThan(0.2);
    // 10× further apart the bag-sum model's residual (1/r² cross terms here) shrinks; the CM model's does not.
    expect(sums.meanAbsDifferenceFar).toBeLessThan(0.1 * sums.meanAbsDifference + 1e-9);
    expect(cm.meanAbsDifferenceFar).toBeGreaterThan(0.5 * cm.meanAbsDifference);
  });

  it('composition baseline: the same CV as crossValidateKrr with it, and a more nearly additive model for far-apart pairs', async () => {
    const plain = await runPropertyStudy(frames, { representation: 'bob', model: 'krr-laplacian', targets: y, folds, costVsSize: false });
    const r = await runPropertyStudy(frames, { representation: 'bob', model: 'krr-laplacian', targets: y, folds, costVsSize: false, baseline: 'composition' });
    expect(plain.baseline).toBe('none');
    expect(plain.baselineMae).toBeNull();
    expect(r.baseline).toBe('composition');
    const fz = representationById('bob')!.fit(frames.filter((_, i) => i !== 7));
    const X = featurizeAll(fz, frames.map((f, i) => (i === 7 ? frames[0] : f)));
    const comp = compositionFeatures(frames);
    const direct = crossValidateKrr(X, frames.length, fz.dimension, y, folds, { kernel: 'laplacian', seed: 1, baseline: comp });
    expect(r.mae).toBeCloseTo(direct.mae, 9);
    expect(r.baselineMae).toBeCloseTo(direct.folds.reduce((a, f) => a + f.baseline!.mae, 0) / direct.folds.length, 9);
    // every learning-curve size fits its own baseline: the curve still falls
    const lc = r.learningCurve!;
    expect(lc.points[lc.points.length - 1].mae).toBeLessThan(lc.points[0].mae);
    // The toy target is mostly per-atom offsets: with the baseline carrying them, the kernel's
    // failure to add up for a far-apart pair shrinks.
    const first = (x: typeof r) => (x.extensivity as Exclude<typeof r.extensivity, { skipped: string } | null>).cases[0];
    expect(first(r).baseline).toBe('composition');
    expect(first(plain).baseline).toBeUndefined();
    expect(first(r).meanAbsDifference).toBeLessThan(0.5 * first(plain).meanAbsDifference);
    await expect(runPropertyStudy(frames, { representation: 'bob', model: 'mlp', regressor: async () => () => new Float64Array(0), targets: y, folds, baseline: 'composition' })).rejects.toThrow(/composition baseline is for the kernel models/);
  });

  it('rejects non-kernel models and too few usable structures with clear messages', async () => {
    await expect(runPropertyStudy(frames, { representation: 'bob', model: 'linear-ridge', targets: y, folds })).rejects.toThrow(/not a kernel model/);
    await expect(runPropertyStudy(frames, { representation: 'bob', model: 'mlp', targets: y, folds })).rejects.toThrow(/needs its regressor/);
    await expect(runPropertyStudy(frames, { representation: 'bob', model: 'krr-laplacian', targets: new Float64Array(frames.length).fill(NaN), folds })).rejects.toThrow(/only 0 structures/);
  });

  it('runs the same folds with an asynchronous regressor (here exact linear ridge on bag sums)', async () => {
    const regressor = async (X: Float64Array, n: number, dim: number, yy: Float64Array) => {
      const m = fitLinearRidge(X, n, dim, yy, { lambda: 1e-8, intercept: true });
      return (Xq: Float64Array, nq: number) => predictLinear(m, Xq, nq);
    };
    const r = await runPropertyStudy(frames, { representation: 'bob-sums', model: 'mlp', regressor, targets: y, folds, costVsSize: false });
    expect(r.kernel).toBeNull();
    expect(r.folds.length).toBe(4);
    // The toy target is linear in the bag sums (counts and Σ(ZZ/r)²): near-exact out of fold.
    expect(r.mae).toBeLessThan(1e-3);
    expect(r.learningCurve!.points.length).toBeGreaterThan(1);
    const ext = r.extensivity as Exclude<typeof r.extensivity, { skipped: string } | null>;
    expect(ext.cases[0].model).toBe('mlp');
  });
});
