// One element's network (models/mlp.ts: h = act(h W + b), linear last layer with one output) on a
// block of n atoms in float64, with the three passes the fused force-trained loss needs
// (bpFusedGrad.ts):
//   forward         z_l = a_{l-1} W_l + b_l, a_l = σ(z_l) (a_0 = x), y = a_K W_{K+1} + b_{K+1}
//   input gradient  g = dy/dx: δ_K = w_{K+1} ⊙ σ'(z_K), δ_{l-1} = (δ_l W_lᵀ) ⊙ σ'(z_{l-1}), g = δ_1 W_1ᵀ
//   weight gradient of Φ = Σ_i c_i y_i + h_i · g_i for fixed c [n], h [n, F]:
//     h · g is the directional derivative of y along h, so a forward tangent pass with input
//     tangent h (ż_1 = h W_1, ȧ_l = σ'(z_l) ż_l, ż_{l+1} = ȧ_l W_{l+1}) and one reverse pass over
//     primal and tangent together give dΦ/dW: seeds ȳ = c, ẏ̄ = 1; per hidden layer
//       ż̄_l = σ'(z_l) ǡ_l,   z̄_l = σ'(z_l) ā_l + σ''(z_l) ż_l ǡ_l
//       dW_l += a_{l-1}ᵀ z̄_l + ȧ_{l-1}ᵀ ż̄_l,  db_l += Σ_i z̄_l,  ā_{l-1} = z̄_l W_lᵀ,  ǡ_{l-1} = ż̄_l W_lᵀ
//     (for tanh σ'' = -2 a (1 - a²): the adjoint of s = 1 - a² is the -2 a ż ǡ term above).
// GEMM-shaped loops over row-major Float64Arrays; buffers are grown once and reused.
import type { ActivationName } from '../tf/activations';

/** Fill a = σ(z), d1 = σ'(z), d2 = σ''(z) for the first `len` entries. */
export function activationWithDerivatives(name: ActivationName): (z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number) => void {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  switch (name) {
    case 'tanh':
      return (z, a, d1, d2, len) => {
        for (let k = 0; k < len; k++) {
          const t = Math.tanh(z[k]), s = 1 - t * t;
          a[k] = t;
          d1[k] = s;
          d2[k] = -2 * t * s;
        }
      };
    case 'sigmoid':
      return (z, a, d1, d2, len) => {
        for (let k = 0; k < len; k++) {
          const s = sig(z[k]), ds = s * (1 - s);
          a[k] = s;
          d1[k] = ds;
          d2[k] = ds * (1 - 2 * s);
        }
      };
    case 'silu':
      return (z, a, d1, d2, len) => {
        for (let k = 0; k < len; k++) {
          const x = z[k], s = sig(x), ds = s * (1 - s);
          a[k] = x * s;
          d1[k] = s + x * ds;
          d2[k] = ds * (2 + x * (1 - 2 * s));
        }
      };
    case 'softplus':
    case 'shifted_softplus': {
      const shift = name === 'shifted_softplus' ? Math.LN2 : 0;
      return (z, a, d1, d2, len) => {
        for (let k = 0; k < len; k++) {
          const x = z[k], s = sig(x);
          a[k] = (x > 30 ? x : Math.log1p(Math.exp(x))) - shift;
          d1[k] = s;
          d2[k] = s * (1 - s);
        }
      };
    }
    case 'linear':
      return (z, a, d1, d2, len) => {
        for (let k = 0; k < len; k++) {
          a[k] = z[k];
          d1[k] = 1;
          d2[k] = 0;
        }
      };
    default:
      throw new Error(`fused loss: unknown activation "${name as string}"`);
  }
}

/** C[n, m] = A[n, k] B[k, m] (+ bias[m]). */
function gemm(A: Float64Array, B: ArrayLike<number>, bias: ArrayLike<number> | null, C: Float64Array, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const ci = i * m, ai = i * k;
    if (bias) for (let o = 0; o < m; o++) C[ci + o] = bias[o];
    else C.fill(0, ci, ci + m);
    for (let t = 0; t < k; t++) {
      const x = A[ai + t];
      if (x === 0) continue;
      const bt = t * m;
      for (let o = 0; o < m; o++) C[ci + o] += x * B[bt + o];
    }
  }
}

/** C[n, k] = A[n, m] B[k, m]ᵀ. */
function gemmBt(A: Float64Array, B: ArrayLike<number>, C: Float64Array, n: number, m: number, k: number): void {
  for (let i = 0; i < n; i++) {
    const ai = i * m, ci = i * k;
    for (let t = 0; t < k; t++) {
      const bt = t * m;
      let s = 0;
      for (let o = 0; o < m; o++) s += A[ai + o] * B[bt + o];
      C[ci + t] = s;
    }
  }
}

/** G[k, m] += A[n, k]ᵀ B[n, m]. */
function gemmAtAcc(A: Float64Array, B: Float64Array, G: Float64Array, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const ai = i * k, bi = i * m;
    for (let t = 0; t < k; t++) {
      const x = A[ai + t];
      if (x === 0) continue;
      const gt = t * m;
      for (let o = 0; o < m; o++) G[gt + o] += x * B[bi + o];
    }
  }
}

export interface MlpBlock {
  /** Layer sizes [F, h_1, ..., h_K, 1]. */
  readonly sizes: number[];
  /** Forward on x [n·F] (kept by reference); returns y [n] (a view, valid until the next call). */
  forward(weights: readonly ArrayLike<number>[], x: Float64Array, n: number): Float64Array;
  /** dy/dx [n·F] of the last forward (a view). */
  inputGradient(weights: readonly ArrayLike<number>[]): Float64Array;
  /** Add dΦ/dW of Φ = Σ c_i y_i + h_i·g_i into grads (same layout as weights); h null: energy term only. */
  weightGradient(weights: readonly ArrayLike<number>[], c: Float64Array, h: Float64Array | null, grads: Float64Array[]): void;
}

export function createMlpBlock(sizes: number[], activation: ActivationName): MlpBlock {
  const K = sizes.length - 2; // hidden layers
  const act = activationWithDerivatives(activation);
  let cap = 0, n = 0;
  let x: Float64Array = new Float64Array(0);
  // per hidden layer l = 1..K (index l-1): z, a, σ', σ'', and scratch for tangents and adjoints
  let Z: Float64Array[] = [], A: Float64Array[] = [], D1: Float64Array[] = [], D2: Float64Array[] = [];
  let Zt: Float64Array[] = [], At: Float64Array[] = [], Ab: Float64Array[] = [], Atb: Float64Array[] = [];
  let y = new Float64Array(0), gx = new Float64Array(0), delta: Float64Array[] = [];
  const grow = (m: number) => {
    if (m <= cap) return;
    cap = Math.max(m, 2 * cap);
    const mk = () => sizes.slice(1, K + 1).map((h) => new Float64Array(cap * h));
    Z = mk(); A = mk(); D1 = mk(); D2 = mk(); Zt = mk(); At = mk(); Ab = mk(); Atb = mk(); delta = mk();
    y = new Float64Array(cap);
    gx = new Float64Array(cap * sizes[0]);
  };
  const input = (l: number) => (l === 0 ? x : A[l - 1]); // a_l
  return {
    sizes,
    forward(w, xIn, nRows) {
      n = nRows;
      grow(n);
      x = xIn;
      for (let l = 1; l <= K; l++) {
        gemm(input(l - 1), w[2 * (l - 1)], w[2 * (l - 1) + 1], Z[l - 1], n, sizes[l - 1], sizes[l]);
        act(Z[l - 1], A[l - 1], D1[l - 1], D2[l - 1], n * sizes[l]);
      }
      gemm(input(K), w[2 * K], w[2 * K + 1], y, n, sizes[K], 1);
      return y.subarray(0, n);
    },
    inputGradient(w) {
      const F = sizes[0];
      if (K === 0) {
        const w1 = w[0];
        for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) gx[i * F + f] = w1[f];
        return gx.subarray(0, n * F);
      }
      const wo = w[2 * K], hK = sizes[K], dK = delta[K - 1], d1 = D1[K - 1];
      for (let i = 0; i < n; i++) for (let j = 0; j < hK; j++) dK[i * hK + j] = wo[j] * d1[i * hK + j];
      for (let l = K; l >= 2; l--) {
        const prev = delta[l - 2], m = sizes[l - 1];
        gemmBt(delta[l - 1], w[2 * (l - 1)], prev, n, sizes[l], m);
        const d = D1[l - 2];
        for (let k = 0; k < n * m; k++) prev[k] *= d[k];
      }
      gemmBt(delta[0], w[0], gx, n, sizes[1], F);
      return gx.subarray(0, n * F);
    },
    weightGradient(w, c, h, grads) {
      const hK = sizes[K];
      // tangent forward (ȧ_0 = h)
      const tin = (l: number) => (l === 0 ? h! : At[l - 1]);
      if (h) {
        for (let l = 1; l <= K; l++) {
          gemm(tin(l - 1), w[2 * (l - 1)], null, Zt[l - 1], n, sizes[l - 1], sizes[l]);
          const zt = Zt[l - 1], at = At[l - 1], d1 = D1[l - 1];
          for (let k = 0; k < n * sizes[l]; k++) at[k] = d1[k] * zt[k];
        }
      }
      // output layer: ȳ = c, ẏ̄ = 1
      const gW = grads[2 * K], gb = grads[2 * K + 1], wo = w[2 * K], aK = input(K);
      for (let i = 0; i < n; i++) {
        const ci = c[i];
        gb[0] += ci;
        for (let j = 0; j < hK; j++) gW[j] += aK[i * hK + j] * ci;
      }
      if (h) {
        const aKt = tin(K);
        for (let i = 0; i < n; i++) for (let j = 0; j < hK; j++) gW[j] += aKt[i * hK + j];
      }
      if (K === 0) return;
      let ab = Ab[K - 1], atb = Atb[K - 1];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < hK; j++) {
          ab[i * hK + j] = c[i] * wo[j];
          atb[i * hK + j] = h ? wo[j] : 0;
        }
      }
      for (let l = K; l >= 1; l--) {
        const m = sizes[l], len = n * m, d1 = D1[l - 1], d2 = D2[l - 1], zt = Zt[l - 1];
        // in place: ab <- z̄_l, atb <- ż̄_l
        for (let k = 0; k < len; k++) {
          const tb = atb[k];
          ab[k] = d1[k] * ab[k] + (h ? d2[k] * zt[k] * tb : 0);
          atb[k] = d1[k] * tb;
        }
        const gWl = grads[2 * (l - 1)], gbl = grads[2 * (l - 1) + 1];
        gemmAtAcc(input(l - 1), ab, gWl, n, sizes[l - 1], m);
        if (h) gemmAtAcc(tin(l - 1), atb, gWl, n, sizes[l - 1], m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) gbl[j] += ab[i * m + j];
        if (l > 1) {
          const nab = Ab[l - 2], natb = Atb[l - 2];
          gemmBt(ab, w[2 * (l - 1)], nab, n, m, sizes[l - 1]);
          if (h) gemmBt(atb, w[2 * (l - 1)], natb, n, m, sizes[l - 1]);
          ab = nab;
          atb = natb;
        }
      }
    },
  };
}
