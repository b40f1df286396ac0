import { describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { useBackend } from '../testing/tfTesting';
import { ACTIVATIONS, activationF64, safeOps } from './activations';

// Mixed second derivative, as force training uses it: L(w) = Σ_k (d/dx_k Σ_j f(w_j x_j))² = Σ_k (w_k f'(w_k x_k))²,
// dL/dw by tfjs (grad inside variableGrads) against float64 central differences of the same L.
const xs = [0.3, -0.7, 1.1, 2.0];
const ws = [0.5, 1.5, -0.8, 0.9];

function fdGrad(f: (z: number) => number): number[] {
  const d1 = (z: number) => (f(z + 1e-5) - f(z - 1e-5)) / 2e-5;
  const L = (w: number[]) => xs.reduce((s, x, k) => s + (w[k] * d1(w[k] * x)) ** 2, 0);
  return ws.map((_, k) => {
    const p = ws.slice(), m = ws.slice();
    p[k] += 1e-4;
    m[k] -= 1e-4;
    return (L(p) - L(m)) / 2e-4;
  });
}

async function mixedGrad(backend: 'cpu' | 'wasm', act: (tf: import('../tf/types').Tf) => (x: Tensor) => Tensor): Promise<number[]> {
  const { tf } = await useBackend(backend);
  const w = tf.variable(tf.tensor1d(ws));
  const x = tf.tensor1d(xs);
  const f = act(tf);
  const { grads } = tf.variableGrads(() => {
    const g = tf.grad((xx: Tensor) => tf.sum(f(tf.mul(w, xx))))(x);
    return tf.sum(tf.square(g));
  }, [w]);
  const out = Array.from(grads[w.name].dataSync());
  tf.dispose([w, x, grads[w.name]]);
  return out;
}

const relErr = (a: number[], b: number[]) => Math.max(...a.map((v, k) => Math.abs(v - b[k]))) / Math.max(...b.map(Math.abs));

describe('safe activations: correct second-order gradients', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const name of ACTIVATIONS.filter((a) => a !== 'linear')) {
      it(`${backend}: ${name}`, async () => {
        const got = await mixedGrad(backend, (tf) => safeOps(tf).activation(name));
        expect(relErr(got, fdGrad(activationF64(name)))).toBeLessThan(1e-4);
      });
    }
    it(`${backend}: safe exp`, async () => {
      const got = await mixedGrad(backend, (tf) => safeOps(tf).exp);
      expect(relErr(got, fdGrad(Math.exp))).toBeLessThan(1e-4);
    });
    it(`${backend}: tfjs' own tanh and exp are still wrong at second order (why the safe ones exist)`, async () => {
      expect(relErr(await mixedGrad(backend, (tf) => tf.tanh), fdGrad(Math.tanh))).toBeGreaterThan(1e-2);
      expect(relErr(await mixedGrad(backend, (tf) => tf.exp), fdGrad(Math.exp))).toBeGreaterThan(1e-2);
    });
  }
});
