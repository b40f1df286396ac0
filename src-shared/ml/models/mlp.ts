// Feed-forward networks, one per element (Behler & Parrinello, Phys. Rev. Lett. 98, 146401 (2007)):
// E_i = NN_{Z_i}(x_i) with x_i the standardised descriptor of atom i. Layers h = act(h W + b), a
// linear last layer with one output. Glorot-uniform weights (Glorot & Bengio 2010) drawn from the
// project's seeded generator, zero biases, so a seed fixes the initial model on every backend.
// A float64 twin (mlpF64) is the independent reference for gradient checks.
import { createRng } from '../../space/rng';
import { activationF64, safeOps, type ActivationName } from '../tf/activations';
import type { Tensor, Tensor2D, Tf } from '../tf/types';
import type { NamedVariable } from './model';

export interface MlpShape {
  inputs: number;
  hidden: number[];
  activation: ActivationName;
}

/** Layer sizes [in, h1, ..., 1]. */
function sizes(s: MlpShape): number[] {
  return [s.inputs, ...s.hidden, 1];
}

/** Initial weights of one network (plain arrays, names relative to `prefix`). */
export function initMlpWeights(shape: MlpShape, prefix: string, seed: number): { name: string; shape: number[]; data: Float32Array }[] {
  const rng = createRng(seed);
  const n = sizes(shape);
  const out: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (let l = 0; l + 1 < n.length; l++) {
    const limit = Math.sqrt(6 / (n[l] + n[l + 1]));
    const w = new Float32Array(n[l] * n[l + 1]);
    for (let k = 0; k < w.length; k++) w[k] = rng.uniform(-limit, limit);
    out.push({ name: `${prefix}/dense${l}/kernel`, shape: [n[l], n[l + 1]], data: w });
    out.push({ name: `${prefix}/dense${l}/bias`, shape: [n[l + 1]], data: new Float32Array(n[l + 1]) });
  }
  return out;
}

/**
 * Forward pass through the network whose variables are `vars` (kernel, bias, ...). The input is
 * x [n, inputs], or column blocks of it with their widths (the first layer then multiplies each
 * block by its rows of the kernel: symmetryFunctionsTf.blockMatMul).
 */
export function mlpTf(tf: Tf, shape: MlpShape, vars: readonly NamedVariable[], x: Tensor2D | { blocks: Tensor2D[]; widths: number[] }): Tensor2D {
  const act = safeOps(tf).activation(shape.activation);
  let h: Tensor = x as Tensor2D;
  const nLayers = vars.length / 2;
  for (let l = 0; l < nLayers; l++) {
    const W = vars[2 * l].variable as Tensor2D;
    const xW = l === 0 && 'blocks' in x ? blockMatMul(tf, x.blocks, W, x.widths) : tf.matMul(h as Tensor2D, W);
    h = tf.add(xW, vars[2 * l + 1].variable); // [n, size_l+1]
    if (l + 1 < nLayers) h = act(h);
  }
  return h as Tensor2D; // [n, 1]
}

/** Float64 forward pass of one input vector x [inputs] with weights as plain arrays. */
export function mlpF64(shape: MlpShape, weights: readonly { data: ArrayLike<number> }[], x: ArrayLike<number>): number {
  const act = activationF64(shape.activation);
  const n = sizes(shape);
  let h = Float64Array.from(x);
  for (let l = 0; l + 1 < n.length; l++) {
    const W = weights[2 * l].data, b = weights[2 * l + 1].data;
    const next = new Float64Array(n[l + 1]);
    for (let o = 0; o < n[l + 1]; o++) {
      let s = b[o];
      for (let k = 0; k < n[l]; k++) s += h[k] * W[k * n[l + 1] + o];
      next[o] = l + 2 < n.length ? act(s) : s;
    }
    h = next;
  }
  return h[0];
}

/** Σ_b x_b W[rows of block b] : a dense layer on column blocks without concatenating them. */
export function blockMatMul(tf: Tf, blocks: Tensor2D[], W: Tensor2D, widths: number[]): Tensor2D {
  if (blocks.length === 1) return tf.matMul(blocks[0], W);
  let off = 0;
  let acc: Tensor2D | null = null;
  blocks.forEach((x, b) => {
    const y = tf.matMul(x, tf.slice(W, [off, 0], [widths[b], W.shape[1]]) as Tensor2D) as Tensor2D;
    acc = acc ? (tf.add(acc, y) as Tensor2D) : y;
    off += widths[b];
  });
  return acc!;
}
