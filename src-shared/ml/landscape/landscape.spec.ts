import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { dataForModel, evaluateModel } from '../train/evaluate';
import { createModel, loadModel } from '../models/registry';
import { speciesTable } from '../data/species';
import { useBackend } from '../testing/tfTesting';
import { diamondFrames, SMALL_SF } from '../uncertainty/testing';
import { combine, filterNorms, filterNormalize, randomDirection, type WeightTensor } from './directions';
import { gridAxis, lossSlice1d, lossSlice2d, pcaDirections, projectPath, type LossFunction } from './lossSurface';
import { computeLandscape, modelWeights } from './modelLoss';

function randomWeights(seed: number): WeightTensor[] {
  const rng = createRng(seed);
  const t = (name: string, shape: number[]) => ({ name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.7) });
  return [t('Si/dense0/kernel', [6, 4]), t('Si/dense0/bias', [4]), t('Si/dense1/kernel', [4, 1]), t('Si/dense1/bias', [1])];
}

describe('filter-normalised directions (Li et al. 2018)', () => {
  it('each filter (column of a [in, out] kernel) of the direction has the norm of the weights filter; biases zero by default', () => {
    const w = randomWeights(1);
    const d = randomDirection(w, createRng(2));
    for (const t of [0, 2]) {
      const nd = filterNorms(d[t], w[t].shape), nw = filterNorms(w[t].data, w[t].shape);
      expect(nd.length).toBe(w[t].shape[1]);
      nd.forEach((v, j) => expect(v).toBeCloseTo(nw[j], 12));
    }
    expect(Array.from(d[1]).every((x) => x === 0)).toBe(true);
    expect(Array.from(d[3]).every((x) => x === 0)).toBe(true);
    // the filters are columns: scaling the whole direction first does not change the result
    const scaled = d.map((x) => x.map((v) => v * 7.5));
    filterNormalize(scaled, w);
    scaled.forEach((x, t) => x.forEach((v, k) => expect(v).toBeCloseTo(d[t][k], 12)));
    // biases: 'filter' normalises a bias vector as one filter
    const db = randomDirection(w, createRng(3), { biases: 'filter' });
    expect(Math.hypot(...db[1])).toBeCloseTo(Math.hypot(...Array.from(w[1].data)), 10);
  });
});

describe('loss slices', () => {
  // L(w) = Σ a_k (w_k - c_k)²: along d, L(α) = α² Σ a_k d_k² (a parabola); in the plane a quadratic form.
  const w = randomWeights(4);
  const center = w.map((t) => t.data);
  const a = w.map((t, i) => Float64Array.from(t.data, (_, k) => 0.5 + ((k + i) % 3)));
  const quad: LossFunction = (x) => {
    let s = 0;
    x.forEach((xt, t) => xt.forEach((v, k) => (s += a[t][k] * (v - center[t][k]) ** 2)));
    return { total: s, energy: s, forces: 0, stress: 0 };
  };
  const q = (d1: Float64Array[], d2: Float64Array[]) => {
    let s = 0;
    d1.forEach((x, t) => x.forEach((v, k) => (s += a[t][k] * v * d2[t][k])));
    return s;
  };
  it('a quadratic toy loss gives a parabola (1D) and a quadratic form (2D); the grid holds 0 exactly', () => {
    expect(gridAxis(21, 1)[10]).toBe(0);
    expect(gridAxis(15, 2)[0]).toBe(-2);
    const rng = createRng(5);
    const d1 = randomDirection(w, rng), d2 = randomDirection(w, rng);
    const s1 = lossSlice1d(quad, center, d1, { points: 21, span: 1 });
    const c11 = q(d1, d1), c12 = q(d1, d2), c22 = q(d2, d2);
    s1.axis.forEach((al, k) => expect(s1.total[k]).toBeCloseTo(al * al * c11, 9));
    expect(s1.total[10]).toBe(0);
    const s2 = lossSlice2d(quad, center, d1, d2, { points: 7, span: 1.5 });
    s2.beta.forEach((b, i) => s2.alpha.forEach((al, j) => expect(s2.total[i][j]).toBeCloseTo(al * al * c11 + 2 * al * b * c12 + b * b * c22, 9)));
  });

  it('a path in the plane projects back onto its coordinates; PCA directions capture a planar path', () => {
    const rng = createRng(6);
    const d1 = randomDirection(w, rng), d2 = randomDirection(w, rng);
    const coords = [[-0.8, 0.9], [-0.5, 0.4], [-0.1, 0.05], [0, 0]];
    const path = coords.map(([x, y]) => combine(center, [d1, d2], [x, y]));
    const p = projectPath(path, center, d1, d2);
    coords.forEach(([x, y], k) => {
      expect(p.alpha[k]).toBeCloseTo(x, 9);
      expect(p.beta[k]).toBeCloseTo(y, 9);
      expect(p.residual[k]).toBeLessThan(1e-6);
    });
    const pca = pcaDirections(path, center);
    expect(pca.explained[0] + pca.explained[1]).toBeCloseTo(1, 9);
    const pp = projectPath(path, center, pca.d1, pca.d2);
    pp.residual.forEach((r) => expect(r).toBeLessThan(1e-6));
  });
});

describe('loss landscape of a model', () => {
  it('the centre equals the engine loss of the saved model, the path is projected, and the weights are restored', async () => {
    const { tf } = await useBackend('cpu');
    const frames = diamondFrames({ symbol: 'Si', frames: 4, seed: 11, rattleA: 0.08 });
    const e0 = { method: 'user' as const, valuesEv: Float64Array.from([-4.3]) };
    const scales = { energyEvPerAtom: 0.05, energyMeanEvPerAtom: 0, forceEvPerA: 0.5, stressEvPerA3: 0.01 };
    const model = createModel(tf, 'bpnn', { symmetryFunctions: SMALL_SF, hidden: [4], activation: 'tanh' }, { species: speciesTable(['Si']), e0, scales, seed: 3 });
    const init = model.save();
    // a second point for the path: perturbed weights
    const rng = createRng(9);
    const later = modelWeights(model).map((w) => w.map((v) => v + 0.05 * rng.normal()));
    const { data, graphs } = dataForModel(model, frames);
    const idx = frames.map((_, k) => k);
    const lossWeights = { energy: 1, forces: 1, stress: 0.1 };
    const res = computeLandscape(model, data, graphs, idx, lossWeights, { grid1d: 5, grid2d: 3, seed: 1, path: [{ label: 'init', weights: later }, { label: 'final', weights: modelWeights(model) }] });
    // the engine's loss of a freshly loaded copy of the same saved model
    const fresh = loadModel(tf, init);
    const ref = evaluateModel(fresh, dataForModel(fresh, frames).data, graphs, idx, { lossWeights }).loss;
    fresh.dispose();
    for (const k of ['total', 'energy', 'forces', 'stress'] as const) expect(res.center[k]).toBeCloseTo(ref[k], 10);
    expect(res.slice1d.total[2]).toBeCloseTo(ref.total, 10);
    expect(res.slice2d.total[1][1]).toBeCloseTo(ref.total, 10);
    expect(res.center.forces).toBeGreaterThan(0);
    expect(res.slice2d.total.flat().every(Number.isFinite)).toBe(true);
    // the path's last point is θ* itself
    expect(res.path!.alpha[1]).toBe(0);
    expect(res.path!.loss[1]).toBeCloseTo(ref.total, 10);
    expect(res.path!.residual[0]).toBeGreaterThan(0.5); // random directions miss most of a random step
    // weights restored
    const after = modelWeights(model);
    init.weights.forEach((w, t) => expect(Array.from(after[t])).toEqual(Array.from(w.data)));
    expect(JSON.parse(JSON.stringify(res)).slice2d.alpha).toEqual([-1, 0, 1]);
    model.dispose();
  });
});
