// Multilayer-perceptron regressor on any representation (issue 7), with TensorFlow.js injected by
// the host (src-shared/ml/tf/types.ts: this file never picks a backend). Features are standardised
// per column on the training rows (columnScaling), the target by its training mean and standard
// deviation; weights start from a seeded Glorot-uniform draw (createRng), so a run is reproducible
// on a given backend. Loss: mean squared error of the standardised target plus an L2 penalty on the
// weights; Adam with full-batch or mini-batch steps (shuffled by the seeded generator). Float32 on
// the device (tfjs), the returned predictions are float64.
import type { Tf, Tensor2D, Variable } from '../ml/tf/types';
import { createRng } from '../space/rng';
import { columnScaling } from './softmaxClassifier';

export interface MlpOptions {
  /** Hidden layer widths (default [64, 64]). */
  hidden?: number[];
  /** Passes over the training data (default 400). */
  epochs?: number;
  /** Adam learning rate (default 3e-3). */
  learningRate?: number;
  /** Mini-batch size (default 128; the whole set when smaller). */
  batchSize?: number;
  /** L2 penalty on the weights (default 1e-5). */
  l2?: number;
  seed?: number;
  signal?: { readonly aborted: boolean };
}

export interface MlpModel {
  dim: number;
  mean: Float64Array;
  scale: Float64Array;
  yMean: number;
  yScale: number;
  /** Per layer: weights [in·out] row-major and biases [out] (float32 values as float64). */
  layers: { w: Float64Array; b: Float64Array; nIn: number; nOut: number }[];
  finalLoss: number;
}

/** Train on X ([n·dim]) and y ([n]). */
export async function fitMlpRegressor(tf: Tf, X: Float64Array, n: number, dim: number, y: ArrayLike<number>, o: MlpOptions = {}): Promise<MlpModel> {
  if (n < 2) throw new Error(`MLP: needs at least 2 training structures, got ${n}`);
  const hidden = o.hidden ?? [64, 64];
  const epochs = o.epochs ?? 400;
  const lr = o.learningRate ?? 3e-3;
  const l2 = o.l2 ?? 1e-5;
  const batch = Math.min(o.batchSize ?? 128, n);
  const rng = createRng(o.seed ?? 1);
  const { mean, scale } = columnScaling(X, n, dim);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  let yVar = 0;
  for (let i = 0; i < n; i++) yVar += (y[i] - yMean) ** 2;
  const yScale = Math.sqrt(yVar / n) || 1;
  const Z = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) Z[i * dim + k] = (X[i * dim + k] - mean[k]) / scale[k];
  const T = Float32Array.from({ length: n }, (_, i) => (y[i] - yMean) / yScale);

  const sizes = [dim, ...hidden, 1];
  const vars: { w: Variable; b: Variable }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const a = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
    const w = Float32Array.from({ length: sizes[l] * sizes[l + 1] }, () => (2 * rng.next() - 1) * a);
    vars.push({ w: tf.variable(tf.tensor2d(w, [sizes[l], sizes[l + 1]])), b: tf.variable(tf.zeros([sizes[l + 1]])) });
  }
  const forward = (x: Tensor2D): Tensor2D => {
    let h = x;
    vars.forEach((v, l) => {
      h = tf.add(tf.matMul(h, v.w as unknown as Tensor2D), v.b) as Tensor2D;
      if (l + 1 < vars.length) h = tf.tanh(h) as Tensor2D;
    });
    return h;
  };
  const optimizer = tf.train.adam(lr);
  const order = Array.from({ length: n }, (_, i) => i);
  let finalLoss = NaN;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (o.signal?.aborted) throw new Error('MLP training cancelled');
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let s = 0; s < n; s += batch) {
        const rows = order.slice(s, Math.min(s + batch, n));
        const xb = new Float32Array(rows.length * dim);
        rows.forEach((r, q) => xb.set(Z.subarray(r * dim, (r + 1) * dim), q * dim));
        const yb = Float32Array.from(rows, (r) => T[r]);
        const xt = tf.tensor2d(xb, [rows.length, dim]);
        const yt = tf.tensor2d(yb, [rows.length, 1]);
        const loss = optimizer.minimize(() => {
          const err = tf.mean(tf.square(tf.sub(forward(xt), yt)));
          const pen = vars.reduce((acc, v) => tf.add(acc, tf.sum(tf.square(v.w))), tf.scalar(0));
          return tf.add(err, tf.mul(pen, l2)) as unknown as ReturnType<Tf['scalar']>;
        }, true);
        if (loss) {
          if (s + batch >= n && epoch === epochs - 1) finalLoss = (await loss.data())[0];
          loss.dispose();
        }
        xt.dispose();
        yt.dispose();
      }
      // Yield to the event loop now and then so that cancel messages are seen.
      if (epoch % 20 === 19) await new Promise((r) => setTimeout(r, 0));
    }
    const layers = await Promise.all(
      vars.map(async (v, l) => ({ w: Float64Array.from(await v.w.data()), b: Float64Array.from(await v.b.data()), nIn: sizes[l], nOut: sizes[l + 1] })),
    );
    return { dim, mean, scale, yMean, yScale, layers, finalLoss };
  } finally {
    for (const v of vars) {
      v.w.dispose();
      v.b.dispose();
    }
    optimizer.dispose();
  }
}

/** Predictions for Xq ([nq·dim]) in float64 on the host (no tensors). */
export function predictMlp(m: MlpModel, Xq: Float64Array, nq: number): Float64Array {
  const out = new Float64Array(nq);
  let width = 0;
  for (const L of m.layers) width = Math.max(width, L.nIn, L.nOut);
  let h = new Float64Array(width), g = new Float64Array(width);
  for (let q = 0; q < nq; q++) {
    for (let k = 0; k < m.dim; k++) h[k] = (Xq[q * m.dim + k] - m.mean[k]) / m.scale[k];
    m.layers.forEach((L, l) => {
      for (let j = 0; j < L.nOut; j++) {
        let s = L.b[j];
        for (let i = 0; i < L.nIn; i++) s += h[i] * L.w[i * L.nOut + j];
        g[j] = l + 1 < m.layers.length ? Math.tanh(s) : s;
      }
      [h, g] = [g, h];
    });
    out[q] = m.yMean + m.yScale * h[0];
  }
  return out;
}
