// Activations whose gradients stay correct at second order.
//
// Force-trained potentials differentiate twice: forces F = -dE/dR inside the loss, then the loss
// with respect to the weights. tfjs 4.22 kernels such as tanh, sigmoid and exp save their OUTPUT y
// for the backward pass; the tape records that saved copy before the node that makes y, so at the
// next order of differentiation y acts as a constant and the mixed second derivative is silently
// wrong (tensorflow/tfjs#3252; measured 17-59% off, see shared/notes/tfjs-higher-order-gradients.md).
// The fix: a tf.customGrad that saves the INPUT x and writes its derivative with the safe op itself,
// so the derivative is again differentiable, to any order.
//
//   tanh'(x) = 1 - tanh²(x);  σ'(x) = σ(x)(1 - σ(x));  exp'(x) = exp(x)
//   silu(x) = x σ(x) (Elfwing et al. 2018; "swish", Ramachandran et al. 2017), composed from safe σ
//   softplus: tf.softplus is correct at second order as is; shifted softplus ssp(x) = softplus(x) - ln 2
//   (SchNet, Schütt et al. 2017) is zero at x = 0.
import type { GradSaveFunc } from '@tensorflow/tfjs';
import type { Tensor, Tf } from './types';

export type ActivationName = 'tanh' | 'sigmoid' | 'silu' | 'softplus' | 'shifted_softplus' | 'linear';

export const ACTIVATIONS: readonly ActivationName[] = ['tanh', 'sigmoid', 'silu', 'softplus', 'shifted_softplus', 'linear'];

export interface SafeOps {
  tanh(x: Tensor): Tensor;
  sigmoid(x: Tensor): Tensor;
  exp(x: Tensor): Tensor;
  silu(x: Tensor): Tensor;
  softplus(x: Tensor): Tensor;
  shiftedSoftplus(x: Tensor): Tensor;
  /** Activation by name (names are stored in model configs). */
  activation(name: ActivationName): (x: Tensor) => Tensor;
}

const cache = new WeakMap<object, SafeOps>();

/** Safe activations bound to one tf namespace (cached per namespace). */
export function safeOps(tf: Tf): SafeOps {
  const hit = cache.get(tf);
  if (hit) return hit;
  const tanh = tf.customGrad((x, save) => {
    (save as GradSaveFunc)([x as Tensor]);
    return {
      value: tf.tanh(x as Tensor),
      gradFunc: (dy, saved) => tf.mul(dy, tf.sub(1, tf.square(tanh(saved[0])))),
    };
  }) as (x: Tensor) => Tensor;
  const sigmoid = tf.customGrad((x, save) => {
    (save as GradSaveFunc)([x as Tensor]);
    return {
      value: tf.sigmoid(x as Tensor),
      gradFunc: (dy, saved) => {
        const s = sigmoid(saved[0]);
        return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
      },
    };
  }) as (x: Tensor) => Tensor;
  const exp = tf.customGrad((x, save) => {
    (save as GradSaveFunc)([x as Tensor]);
    return { value: tf.exp(x as Tensor), gradFunc: (dy, saved) => tf.mul(dy, exp(saved[0])) };
  }) as (x: Tensor) => Tensor;
  const silu = (x: Tensor) => tf.mul(x, sigmoid(x));
  const softplus = (x: Tensor) => tf.softplus(x);
  const shiftedSoftplus = (x: Tensor) => tf.sub(tf.softplus(x), Math.LN2);
  const ops: SafeOps = {
    tanh,
    sigmoid,
    exp,
    silu,
    softplus,
    shiftedSoftplus,
    activation(name) {
      switch (name) {
        case 'tanh':
          return tanh;
        case 'sigmoid':
          return sigmoid;
        case 'silu':
          return silu;
        case 'softplus':
          return softplus;
        case 'shifted_softplus':
          return shiftedSoftplus;
        case 'linear':
          return (x) => x;
        default:
          throw new Error(`unknown activation "${name as string}" (known: ${ACTIVATIONS.join(', ')})`);
      }
    },
  };
  cache.set(tf, ops);
  return ops;
}

/** Plain float64 twins of the activations, for reference implementations and tests. */
export function activationF64(name: ActivationName): (x: number) => number {
  switch (name) {
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'silu':
      return (x) => x / (1 + Math.exp(-x));
    case 'softplus':
      return (x) => (x > 30 ? x : Math.log1p(Math.exp(x)));
    case 'shifted_softplus':
      return (x) => (x > 30 ? x : Math.log1p(Math.exp(x))) - Math.LN2;
    case 'linear':
      return (x) => x;
    default:
      throw new Error(`unknown activation "${name as string}"`);
  }
}
