import { describe, expect, it } from 'vitest';
import { useBackend } from '../ml/testing/tfTesting';
import { createRng } from '../space/rng';
import { fitLinearRidge, predictLinear } from './linearRidge';
import { fitMlpRegressor, predictMlp } from './mlpRegressor';
import { regressionErrors } from './metrics';

function dataset(n: number, seed: number) {
  const rng = createRng(seed);
  const X = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) X[i * 3 + k] = 100 + 20 * rng.normal(); // offset and scale: standardisation matters
    const a = (X[i * 3] - 100) / 20, b = (X[i * 3 + 1] - 100) / 20;
    y[i] = 50 * Math.sin(a) + 30 * b * b - 7;
  }
  return { X, y };
}

describe('MLP regressor', () => {
  it('learns a smooth nonlinear target far better than linear ridge, deterministically', async () => {
    const { tf } = await useBackend('cpu');
    const tr = dataset(300, 1), te = dataset(200, 2);
    const m = await fitMlpRegressor(tf, tr.X, 300, 3, tr.y, { hidden: [32, 32], epochs: 100, batchSize: 100, learningRate: 1e-2, seed: 3 });
    const p = predictMlp(m, te.X, 200);
    const mlp = regressionErrors(te.y, p).mae;
    const lin = fitLinearRidge(tr.X, 300, 3, tr.y, { lambda: 1e-8, intercept: true });
    const linMae = regressionErrors(te.y, predictLinear(lin, te.X, 200)).mae;
    expect(mlp).toBeLessThan(0.25 * linMae);
    const a = await fitMlpRegressor(tf, tr.X, 300, 3, tr.y, { hidden: [8], epochs: 3, batchSize: 100, seed: 9 });
    const b = await fitMlpRegressor(tf, tr.X, 300, 3, tr.y, { hidden: [8], epochs: 3, batchSize: 100, seed: 9 });
    expect(Array.from(predictMlp(a, te.X, 5))).toEqual(Array.from(predictMlp(b, te.X, 5)));
  }, 60_000);

  it('host-side float64 prediction equals the tfjs forward pass of the same weights', async () => {
    const { tf } = await useBackend('cpu');
    const tr = dataset(50, 4);
    const m = await fitMlpRegressor(tf, tr.X, 50, 3, tr.y, { hidden: [8], epochs: 5, seed: 1 });
    const Z = Float32Array.from({ length: 50 * 3 }, (_, j) => (tr.X[j] - m.mean[j % 3]) / m.scale[j % 3]);
    const [L0, L1] = m.layers;
    const h = tf.tanh(tf.add(tf.matMul(tf.tensor2d(Z, [50, 3]), tf.tensor2d(Float32Array.from(L0.w), [3, 8])), tf.tensor1d(Float32Array.from(L0.b))));
    const out = tf.add(tf.matMul(h, tf.tensor2d(Float32Array.from(L1.w), [8, 1])), tf.tensor1d(Float32Array.from(L1.b)));
    const ref = Array.from(await out.data(), (v) => m.yMean + m.yScale * v);
    const p = predictMlp(m, tr.X, 50);
    for (let i = 0; i < 50; i++) expect(Math.abs(p[i] - ref[i])).toBeLessThan(1e-4 * m.yScale);
  });

  it('refuses a single training structure', async () => {
    const { tf } = await useBackend('cpu');
    await expect(fitMlpRegressor(tf, new Float64Array(3), 1, 3, [1])).rejects.toThrow(/at least 2/);
  });
});
