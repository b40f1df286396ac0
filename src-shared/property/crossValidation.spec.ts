import { describe, expect, it } from 'vitest';
import { createRng } from '../space/rng';
import { crossValidateKrr, foldsFromInfo, randomFolds, refineSigmaAtFullSize, type FoldAssignment } from './crossValidation';
import { selfDistances } from './kernels';
import { fitKrr, predictKrr } from './krr';
import { compositionFeatures, fitComposition } from './compositionBaseline';
import { predictLinear } from './linearRidge';

function data(n: number, seed: number) {
  const rng = createRng(seed);
  const d = 2;
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(-3, 3));
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(X[2 * i]) * Math.cos(0.5 * X[2 * i + 1]) * 10);
  return { X, y, d };
}

describe('folds', () => {
  it('from an info key: integers or strings, sorted names, missing frames excluded', () => {
    const frames: { info: Record<string, number> }[] = [{ info: { split: 2 } }, { info: { split: 0 } }, { info: {} }, { info: { split: 10 } }, { info: { split: 0 } }];
    const f = foldsFromInfo(frames, 'split') as FoldAssignment;
    expect(f.labels).toEqual(['0', '2', '10']);
    expect(Array.from(f.ids)).toEqual([1, 0, -1, 2, 0]);
    const s = foldsFromInfo([{ info: { set: 'b' } }, { info: { set: 'a' } }], 'set') as FoldAssignment;
    expect(s.labels).toEqual(['a', 'b']);
    expect(foldsFromInfo(frames, 'nope')).toEqual({ error: 'no frame has the info key "nope" (folds)' });
    expect('error' in foldsFromInfo([{ info: { k: 1 } }, { info: { k: 1 } }], 'k')).toBe(true);
    expect('error' in foldsFromInfo([{ info: { k: [1, 2] } }], 'k')).toBe(true);
  });

  it('random folds have equal sizes (±1) and cover everything once', () => {
    const f = randomFolds(103, 5, 3);
    const counts = [0, 0, 0, 0, 0];
    f.ids.forEach((k) => counts[k]++);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b)).toBe(103);
  });
});

describe('cross-validated KRR', () => {
  it('with fixed σ, λ: each fold equals a model trained on the other folds', () => {
    const { X, y, d } = data(120, 1);
    const folds = randomFolds(120, 4, 2);
    const r = crossValidateKrr(X, 120, d, y, folds, { kernel: 'gaussian', sigma: 1, lambda: 1e-6 });
    expect(r.folds.length).toBe(4);
    expect(r.n).toBe(120);
    for (let k = 0; k < 4; k++) {
      const tr = [...folds.ids.keys()].filter((i) => folds.ids[i] !== k);
      const te = [...folds.ids.keys()].filter((i) => folds.ids[i] === k);
      const Xtr = new Float64Array(tr.flatMap((i) => [X[2 * i], X[2 * i + 1]]));
      const Xte = new Float64Array(te.flatMap((i) => [X[2 * i], X[2 * i + 1]]));
      const m = fitKrr(Xtr, tr.length, d, tr.map((i) => y[i]), { kernel: 'gaussian', metric: 'l2', sigma: 1, lambda: 1e-6 });
      const p = predictKrr(m, Xte, te.length);
      te.forEach((i, q) => expect(r.predictions[i]).toBeCloseTo(p[q], 8));
      expect(r.folds[k].nTest).toBe(te.length);
    }
    const mae = y.reduce((s, v, i) => s + Math.abs(v - r.predictions[i]), 0) / 120;
    expect(r.mae).toBeCloseTo(mae, 12);
  });

  it.each([false, true])('never looks at the test fold: changing its targets leaves its predictions (and σ, λ) unchanged (composition baseline: %s)', (withBaseline) => {
    const { X, y, d } = data(160, 2);
    const folds = randomFolds(160, 4, 5);
    const rng = createRng(8);
    const baseline = withBaseline ? compositionFeatures(Array.from({ length: 160 }, () => ({ numbers: Int32Array.from({ length: 1 + rng.int(5) }, () => [1, 6][rng.int(2)]) }))) : undefined;
    const opts = { kernel: 'laplacian' as const, innerMaxTrain: 80, innerFolds: 3, sigmaFactors: [0.5, 1, 2], lambdas: [1e-2, 1e-5, 1e-8], baseline };
    const a = crossValidateKrr(X, 160, d, y, folds, opts);
    const y2 = y.slice();
    folds.ids.forEach((k, i) => {
      if (k === 1) y2[i] += 1000 * Math.sin(i);
    });
    const b = crossValidateKrr(X, 160, d, y2, folds, opts);
    folds.ids.forEach((k, i) => {
      if (k === 1) expect(b.predictions[i]).toBeCloseTo(a.predictions[i], 9);
    });
    expect(b.folds[1].sigma).toBe(a.folds[1].sigma);
    expect(b.folds[1].lambda).toBe(a.folds[1].lambda);
  });

  it('the nested search finds a good (σ, λ): error near the best fixed choice on a grid', () => {
    const { X, y, d } = data(240, 3);
    const folds = randomFolds(240, 3, 1);
    const r = crossValidateKrr(X, 240, d, y, folds, { kernel: 'gaussian', innerMaxTrain: 160 });
    let bestFixed = Infinity;
    for (const f of [0.125, 0.25, 0.5, 1, 2]) for (const l of [1e-3, 1e-6, 1e-9]) bestFixed = Math.min(bestFixed, crossValidateKrr(X, 240, d, y, folds, { kernel: 'gaussian', sigma: f * r.medianDistance, lambda: l }).mae);
    expect(r.mae).toBeLessThan(1.5 * bestFixed);
    expect(r.mae).toBeLessThan(0.05 * 10);
    for (const f of r.folds) expect(Number.isFinite(f.innerMae)).toBe(true);
  });

  it('refines σ at full size only when the training part exceeds the subsample, from the subsample\'s σ in ×2 steps, keeping the best hold-out error', () => {
    const { X, y, d } = data(240, 7);
    const folds = randomFolds(240, 3, 4);
    const on = crossValidateKrr(X, 240, d, y, folds, { kernel: 'laplacian', innerMaxTrain: 60, innerFolds: 3 });
    const off = crossValidateKrr(X, 240, d, y, folds, { kernel: 'laplacian', innerMaxTrain: 60, innerFolds: 3, refineSigma: false });
    on.folds.forEach((f, k) => {
      const r = f.refine!;
      expect(r.tried[0].sigma).toBe(r.sigmaSubsample);
      expect(r.sigmaSubsample).toBe(off.folds[k].sigma); // the subsample search itself is unchanged
      for (const t of r.tried) expect(Math.log2(t.sigma / r.sigmaSubsample) % 1).toBeCloseTo(0, 12);
      const best = r.tried.reduce((a, b) => (b.mae < a.mae ? b : a));
      expect(f.sigma).toBe(best.sigma);
      expect(off.folds[k].refine).toBeUndefined();
    });
    // no refinement when the whole training part fits in the subsample
    const small = crossValidateKrr(X, 240, d, y, folds, { kernel: 'laplacian', innerMaxTrain: 1000, innerFolds: 3 });
    for (const f of small.folds) expect(f.refine).toBeUndefined();
  });

  it('σ refinement walks a too-wide kernel down to a better one on the hold-out', () => {
    // y = sin(3x) on 400 points: the best Laplacian width is far below 64; starting there, the
    // hold-out error must fall with each halving that is accepted, and the final σ be narrower.
    const rng = createRng(11);
    const n = 400;
    const X = Float64Array.from({ length: n }, () => rng.uniform(-3, 3));
    const y = Float64Array.from(X, (x) => Math.sin(3 * x));
    const D = selfDistances(X, n, 1, 'l1');
    const train = Array.from({ length: n }, (_, i) => i);
    const r = refineSigmaAtFullSize(D, n, train, y, 'laplacian', 64, 1e-8, createRng(3));
    expect(r.sigma).toBeLessThan(64);
    expect(r.tried[0].sigma).toBe(64);
    const accepted = r.tried.filter((t) => t.sigma >= r.sigma);
    for (let i = 1; i < accepted.length; i++) expect(accepted[i].mae).toBeLessThan(accepted[i - 1].mae);
    // and a kernel that is already right is left alone or moved by one step at most
    const again = refineSigmaAtFullSize(D, n, train, y, 'laplacian', r.sigma, 1e-8, createRng(3));
    expect(Math.abs(Math.log2(again.sigma / r.sigma))).toBeLessThanOrEqual(1);
  });

  it('flags a test structure far from every training structure as out of domain, and only a few ordinary ones', () => {
    const { X, y, d } = data(300, 9);
    X[0] = 40; // structure 0 sits far outside the others' [-3, 3]² square
    X[1] = 40;
    const folds = randomFolds(300, 3, 2);
    const r = crossValidateKrr(X, 300, d, y, folds, { kernel: 'gaussian', sigma: 1, lambda: 1e-6 });
    expect(r.outOfDomain[0]).toBe(1);
    const f0 = r.folds[folds.ids[0]].domain!;
    // the threshold is the 99th percentile of the training points' own nearest-neighbour distances
    const train = [...folds.ids.keys()].filter((i) => folds.ids[i] !== folds.ids[0]);
    const dist = (i: number, j: number) => Math.hypot(X[2 * i] - X[2 * j], X[2 * i + 1] - X[2 * j + 1]);
    const own = train.map((i) => Math.min(...train.filter((j) => folds.ids[j] !== folds.ids[i]).map((j) => dist(i, j)))).sort((a, b) => a - b);
    expect(f0.threshold).toBeCloseTo(own[Math.ceil(0.99 * own.length) - 1], 12);
    expect(r.nearestTrainDistance[0]).toBeCloseTo(Math.min(...train.map((j) => dist(0, j))), 12);
    // ordinary points: a handful at most (by construction ~1 % of training points exceed the threshold)
    const flagged = Array.from(r.outOfDomain).reduce((a, b) => a + b, 0);
    expect(flagged).toBeGreaterThanOrEqual(1);
    expect(flagged).toBeLessThanOrEqual(9);
    // per-fold errors split by the flag add up to the fold's MAE
    for (const f of r.folds) {
      const dm = f.domain!;
      const total = (dm.nOut ? dm.nOut * dm.maeOut : 0) + (f.nTest - dm.nOut) * dm.maeIn;
      expect(total / f.nTest).toBeCloseTo(f.mae, 9);
    }
    // the overall summary splits the overall MAE the same way
    expect(r.domain.assessed).toBe(true);
    expect(r.domain.nOut).toBe(flagged);
    expect((r.domain.nOut * r.domain.maeOut + (r.n - r.domain.nOut) * r.domain.maeIn) / r.n).toBeCloseTo(r.mae, 9);
    // predictions are never altered by the flag: the far point still gets the model's value
    expect(Number.isFinite(r.predictions[0])).toBe(true);
  });

  it('grouped folds (three rattled copies of each structure in one fold) do not make everything out of domain', () => {
    const base = data(100, 12);
    const rng = createRng(4);
    const n = 300;
    const X = Float64Array.from({ length: 2 * n }, (_, k) => base.X[2 * Math.floor(k / 6) + (k % 2)] + 1e-3 * rng.uniform(-1, 1));
    const y = Float64Array.from({ length: n }, (_, i) => base.y[Math.floor(i / 3)]);
    const groups = randomFolds(100, 4, 3);
    const folds: FoldAssignment = { ids: Int32Array.from({ length: n }, (_, i) => groups.ids[Math.floor(i / 3)]), labels: groups.labels };
    const r = crossValidateKrr(X, n, 2, y, folds, { kernel: 'gaussian', sigma: 1, lambda: 1e-6 });
    const flagged = Array.from(r.outOfDomain).reduce((a, b) => a + b, 0);
    expect(flagged).toBeLessThanOrEqual(0.05 * n); // with copies as neighbours the threshold would be ~1e-3 and flag nearly all
    for (const f of r.folds) expect(f.domain!.threshold).toBeGreaterThan(0.01);
    // with two folds the training part is one fold: no reference for the threshold, nothing flagged
    const two: FoldAssignment = { ids: Int32Array.from(folds.ids, (k) => k % 2), labels: ['0', '1'] };
    const r2 = crossValidateKrr(X, n, 2, y, two, { kernel: 'gaussian', sigma: 1, lambda: 1e-6 });
    expect(Array.from(r2.outOfDomain).every((v) => v === 0)).toBe(true);
    for (const f of r2.folds) expect(f.domain).toBeUndefined();
    expect(r2.domain.assessed).toBe(false);
    expect(Number.isFinite(r2.nearestTrainDistance[0])).toBe(true);
  });

  it('excludes structures without a target or a fold and counts them', () => {
    const { X, y, d } = data(60, 4);
    y[3] = NaN;
    const folds = randomFolds(60, 3, 1);
    folds.ids[7] = -1;
    const r = crossValidateKrr(X, 60, d, y, folds, { kernel: 'gaussian', sigma: 1, lambda: 1e-6 });
    expect(r.excluded).toBe(2);
    expect(r.n).toBe(58);
    expect(Number.isNaN(r.predictions[3])).toBe(true);
    expect(Number.isNaN(r.predictions[7])).toBe(true);
    expect(r.folds.reduce((s, f) => s + f.nTest, 0)).toBe(58);
  });

  it('raises λ when K + λI is numerically indefinite, and says so', () => {
    // Duplicate rows make K singular; a Gaussian kernel with a huge σ and λ = 0 cannot be factored.
    const { X, y, d } = data(40, 5);
    const X2 = new Float64Array([...X, ...X]);
    const y2 = new Float64Array([...y, ...y]);
    const r = crossValidateKrr(X2, 80, d, y2, randomFolds(80, 2, 1), { kernel: 'gaussian', sigma: 1e3, lambda: 0 });
    expect(r.folds.some((f) => f.lambdaRaised)).toBe(true);
  });

  it('can be cancelled', () => {
    const { X, y, d } = data(100, 6);
    expect(() => crossValidateKrr(X, 100, d, y, randomFolds(100, 2, 1), { kernel: 'gaussian', signal: { aborted: true } })).toThrow(/cancelled/);
  });
});

describe('composition baseline under cross-validated KRR', () => {
  // Structures of 1-9 atoms of H, C, O; target = Σ n_e c_e + a smooth function of the features.
  const c = { 1: -60, 6: -150, 8: -100 } as Record<number, number>;
  function molecules(n: number, seed: number) {
    const rng = createRng(seed);
    const frames = Array.from({ length: n }, () => ({ numbers: Int32Array.from({ length: 1 + rng.int(9) }, () => [1, 6, 8][rng.int(3)]) }));
    const X = Float64Array.from({ length: 2 * n }, () => rng.uniform(-2, 2));
    const y = Float64Array.from(frames, (f, i) => Array.from(f.numbers).reduce((s, z) => s + c[z], 0) + 3 * Math.sin(X[2 * i]) * Math.cos(X[2 * i + 1]));
    return { frames, X, y };
  }

  it('recovers the per-element contributions fitted on the training folds only', () => {
    const { frames } = molecules(60, 3);
    const b = compositionFeatures(frames);
    expect(b.elements).toEqual([1, 6, 8]);
    const y = Float64Array.from(frames, (f) => Array.from(f.numbers).reduce((s, z) => s + c[z], 0));
    y[0] += 1000; // an outlier outside the rows fitted below must not move the fit
    const fit = fitComposition(b.counts, 3, Array.from({ length: 59 }, (_, i) => i + 1), y);
    expect(Array.from(fit.w).map((v) => +v.toFixed(6))).toEqual([-60, -150, -100]);
    expect(Array.from(predictLinear(fit, b.counts, 60)).slice(1, 4)).toEqual(Array.from(y).slice(1, 4).map((v) => expect.closeTo(v, 6)));
  });

  it('KRR on the residual: a size-extensive target is learned far better than by KRR alone; predictions add the baseline back', () => {
    const { frames, X, y } = molecules(200, 4);
    const folds = randomFolds(200, 4, 1);
    const b = compositionFeatures(frames);
    const opts = { kernel: 'gaussian' as const, sigma: 1, lambda: 1e-6 };
    const plain = crossValidateKrr(X, 200, 2, y, folds, opts);
    const withBase = crossValidateKrr(X, 200, 2, y, folds, { ...opts, baseline: b });
    expect(withBase.mae).toBeLessThan(0.05 * plain.mae);
    for (const f of withBase.folds) {
      expect(f.baseline!.perElement[6]).toBeCloseTo(-150, 0);
      expect(f.baseline!.mae).toBeGreaterThan(f.mae); // the kernel part adds to the baseline
    }
    // the same as a hand-made residual fit for one fold
    const k = 0;
    const train = [...Array(200).keys()].filter((i) => folds.ids[i] !== k), test = [...Array(200).keys()].filter((i) => folds.ids[i] === k);
    const cf = fitComposition(b.counts, 3, train, y);
    const base = predictLinear(cf, b.counts, 200);
    const Xtr = Float64Array.from(train.flatMap((i) => [X[2 * i], X[2 * i + 1]]));
    const model = fitKrr(Xtr, train.length, 2, train.map((i) => y[i] - base[i]), { kernel: 'gaussian', metric: 'l2', sigma: 1, lambda: 1e-6 });
    const p = predictKrr(model, Float64Array.from(test.flatMap((i) => [X[2 * i], X[2 * i + 1]])), test.length);
    test.forEach((i, q) => expect(withBase.predictions[i]).toBeCloseTo(p[q] + base[i], 8));
  });
});
