// Adam and AdamW with global-norm gradient clipping, and an exponential moving average of weights.
//
// Adam (Kingma & Ba, ICLR 2015, Algorithm 1): m ← β1 m + (1-β1) g; v ← β2 v + (1-β2) g²;
//   w ← w - lr · m̂ / (√v̂ + ε), m̂ = m/(1-β1^t), v̂ = v/(1-β2^t). With weight decay λ, 'adam' adds
//   λ·w to g (L2), 'adamw' decays the weights directly, w ← w - lr·λ·w (Loshchilov & Hutter,
//   ICLR 2019). Decay applies to kernels (rank >= 2) only, not to biases.
// Clipping (Pascanu et al. 2013): g ← g · min(1, c / ‖g‖₂) over all weights together.
// EMA (Polyak averaging as in tf.train.ExponentialMovingAverage with num_updates):
//   w̄ ← d_t w̄ + (1 - d_t) w,  d_t = min(d, (1 + t)/(10 + t)); evaluation and the saved model use w̄.
// All state lives in tf variables the optimiser owns; `state()` copies it out as Float32Arrays for
// checkpoints and `load()` puts it back bit for bit, so a resumed run continues exactly.
import type { Scalar, Tensor, Tf, Variable } from '../tf/types';
import type { NamedVariable } from '../models/model';
import { uniqueVariableName } from '../tf/names';

export interface OptimizerConfig {
  type: 'adam' | 'adamw';
  /** Peak learning rate (the schedule scales it). */
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Clip the global gradient norm to this value; 0 or absent: no clipping. */
  clipGradNorm?: number;
}

export interface OptimizerState {
  step: number;
  /** Per variable, in the model's variable order. */
  m: Float32Array[];
  v: Float32Array[];
}

export interface Optimizer {
  readonly step: number;
  /** Apply gradients (same order as the variables); returns the gradient norm before clipping. */
  apply(grads: readonly Tensor[], lr: number): Scalar;
  state(): OptimizerState;
  load(s: OptimizerState): void;
  dispose(): void;
}

function zerosLikeVar(tf: Tf, v: Variable, tag: string): Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(v), false, uniqueVariableName(`${v.name}/${tag}`)));
}

export function createOptimizer(tf: Tf, vars: readonly NamedVariable[], config: OptimizerConfig): Optimizer {
  const b1 = config.beta1 ?? 0.9, b2 = config.beta2 ?? 0.999, eps = config.eps ?? 1e-8;
  const wd = config.weightDecay ?? 0, clip = config.clipGradNorm ?? 0;
  if (config.type !== 'adam' && config.type !== 'adamw') throw new Error(`optimizer: unknown type ${config.type}`);
  const m = vars.map((v) => zerosLikeVar(tf, v.variable, 'm'));
  const s = vars.map((v) => zerosLikeVar(tf, v.variable, 'v'));
  const decays = vars.map((v) => wd > 0 && v.variable.rank >= 2);
  let step = 0;
  return {
    get step() {
      return step;
    },
    apply(grads, lr) {
      if (grads.length !== vars.length) throw new Error('optimizer: one gradient per variable expected');
      step++;
      const t = step;
      const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
      return tf.tidy(() => {
        const sq = grads.map((g) => tf.sum(tf.square(g)));
        const norm = tf.sqrt(sq.length === 1 ? sq[0] : tf.addN(sq)) as Scalar;
        const factor = clip > 0 ? tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12))) : null;
        vars.forEach((nv, k) => {
          const w = nv.variable;
          let g: Tensor = factor ? tf.mul(grads[k], factor) : grads[k];
          if (decays[k] && config.type === 'adam') g = tf.add(g, tf.mul(w, wd));
          const mk = tf.add(tf.mul(m[k], b1), tf.mul(g, 1 - b1));
          const vk = tf.add(tf.mul(s[k], b2), tf.mul(tf.square(g), 1 - b2));
          m[k].assign(mk);
          s[k].assign(vk);
          let update: Tensor = tf.div(tf.div(mk, c1), tf.add(tf.sqrt(tf.div(vk, c2)), eps));
          if (decays[k] && config.type === 'adamw') update = tf.add(update, tf.mul(w, wd));
          w.assign(tf.sub(w, tf.mul(update, lr)));
        });
        return norm;
      });
    },
    state() {
      return { step, m: m.map((x) => Float32Array.from(x.dataSync() as Float32Array)), v: s.map((x) => Float32Array.from(x.dataSync() as Float32Array)) };
    },
    load(st) {
      if (st.m.length !== vars.length || st.v.length !== vars.length) throw new Error('optimizer state does not match the model');
      step = st.step;
      tf.tidy(() => {
        vars.forEach((nv, k) => {
          m[k].assign(tf.tensor(st.m[k], nv.variable.shape));
          s[k].assign(tf.tensor(st.v[k], nv.variable.shape));
        });
      });
    },
    dispose() {
      for (const x of [...m, ...s]) x.dispose();
    },
  };
}

export interface WeightAverage {
  readonly decay: number;
  /** Fold the current weights in (after each optimiser step). */
  update(): void;
  /** Run fn with the averaged weights in place of the live ones, then restore them (after a returned promise settles). */
  withAveraged<T>(fn: () => T): T;
  /** Copies of the averaged weights. */
  values(): Float32Array[];
  load(values: Float32Array[], updates: number): void;
  readonly updates: number;
  dispose(): void;
}

export function createWeightAverage(tf: Tf, vars: readonly NamedVariable[], decay: number): WeightAverage {
  const avg = vars.map((v) => tf.tidy(() => tf.variable(v.variable.clone(), false, uniqueVariableName(`${v.variable.name}/ema`))));
  let updates = 0;
  return {
    decay,
    get updates() {
      return updates;
    },
    update() {
      updates++;
      const d = Math.min(decay, (1 + updates) / (10 + updates));
      tf.tidy(() => vars.forEach((v, k) => avg[k].assign(tf.add(tf.mul(avg[k], d), tf.mul(v.variable, 1 - d)))));
    },
    withAveraged(fn) {
      const live = vars.map((v) => tf.tidy(() => tf.keep(v.variable.clone())));
      const restore = () => {
        tf.tidy(() => vars.forEach((v, k) => v.variable.assign(live[k])));
        for (const t of live) t.dispose();
      };
      let r: ReturnType<typeof fn>;
      try {
        tf.tidy(() => vars.forEach((v, k) => v.variable.assign(avg[k])));
        r = fn();
      } catch (e) {
        restore();
        throw e;
      }
      // an asynchronous fn (evaluation with asynchronous reads) keeps the averages until it settles
      if (r instanceof Promise) return r.finally(restore) as typeof r;
      restore();
      return r;
    },
    values: () => avg.map((a) => Float32Array.from(a.dataSync() as Float32Array)),
    load(values, n) {
      updates = n;
      tf.tidy(() => vars.forEach((v, k) => avg[k].assign(tf.tensor(values[k], v.variable.shape))));
    },
    dispose() {
      for (const a of avg) a.dispose();
    },
  };
}
