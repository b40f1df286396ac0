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

type ActivationFn = (z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number) => void;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function tanhD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) {
    const t = Math.tanh(z[k]), s = 1 - t * t;
    a[k] = t;
    d1[k] = s;
    d2[k] = -2 * t * s;
  }
}

function sigmoidD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) {
    const s = sigmoid(z[k]), ds = s * (1 - s);
    a[k] = s;
    d1[k] = ds;
    d2[k] = ds * (1 - 2 * s);
  }
}

function siluD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) {
    const x = z[k], s = sigmoid(x), ds = s * (1 - s);
    a[k] = x * s;
    d1[k] = s + x * ds;
    d2[k] = ds * (2 + x * (1 - 2 * s));
  }
}

function softplusWithShift(shift: number, z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) {
    const x = z[k], s = sigmoid(x);
    a[k] = (x > 30 ? x : Math.log1p(Math.exp(x))) - shift;
    d1[k] = s;
    d2[k] = s * (1 - s);
  }
}

function softplusD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  softplusWithShift(0, z, a, d1, d2, len);
}

function shiftedSoftplusD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  softplusWithShift(Math.LN2, z, a, d1, d2, len);
}

function linearD(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) {
    a[k] = z[k];
    d1[k] = 1;
    d2[k] = 0;
  }
}

/** Fill a = σ(z), d1 = σ'(z), d2 = σ''(z) for the first `len` entries (top-level functions: no per-model closures). */
export function activationWithDerivatives(name: ActivationName): ActivationFn {
  switch (name) {
    case 'tanh':
      return tanhD;
    case 'sigmoid':
      return sigmoidD;
    case 'silu':
      return siluD;
    case 'softplus':
      return softplusD;
    case 'shifted_softplus':
      return shiftedSoftplusD;
    case 'linear':
      return linearD;
    default:
      throw new Error(`fused loss: unknown activation "${name as string}"`);
  }
}

/** C[n, m] = A[n, k] B[k, m] (+ bias[m]). */
function gemm(A: Float64Array, B: Float64Array, bias: Float64Array | null, C: Float64Array, n: number, k: number, m: number): void {
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
function gemmBt(A: Float64Array, B: Float64Array, C: Float64Array, n: number, m: number, k: number): void {
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

/**
 * The passes on one species block. A class, not closures: V8 shares one optimised copy of its
 * methods between instances (closures made per model lose their optimised code when a second
 * model is made, and the bench and the worker make several).
 */
export class MlpBlock {
  /** Hidden layers. */
  private readonly K: number;
  private readonly act: ActivationFn;
  private cap = 0;
  private n = 0;
  private x: Float64Array = new Float64Array(0);
  // per hidden layer l = 1..K (index l-1): z, a, σ', σ'', tangents, adjoints, input-gradient deltas
  private Z: Float64Array[] = [];
  private A: Float64Array[] = [];
  private D1: Float64Array[] = [];
  private D2: Float64Array[] = [];
  private Zt: Float64Array[] = [];
  private At: Float64Array[] = [];
  private Ab: Float64Array[] = [];
  private Atb: Float64Array[] = [];
  private delta: Float64Array[] = [];
  private y: Float64Array = new Float64Array(0);
  private gx: Float64Array = new Float64Array(0);

  /** sizes: layer sizes [F, h_1, ..., h_K, 1]. */
  constructor(readonly sizes: number[], activation: ActivationName) {
    this.K = sizes.length - 2;
    this.act = activationWithDerivatives(activation);
  }

  private grow(m: number): void {
    if (m <= this.cap) return;
    const cap = (this.cap = Math.max(m, 2 * this.cap));
    const mk = () => this.sizes.slice(1, this.K + 1).map((h) => new Float64Array(cap * h));
    this.Z = mk();
    this.A = mk();
    this.D1 = mk();
    this.D2 = mk();
    this.Zt = mk();
    this.At = mk();
    this.Ab = mk();
    this.Atb = mk();
    this.delta = mk();
    this.y = new Float64Array(cap);
    this.gx = new Float64Array(cap * this.sizes[0]);
  }

  /** a_l (a_0 = x). */
  private input(l: number): Float64Array {
    return l === 0 ? this.x : this.A[l - 1];
  }

  /** Forward on x [n·F] (kept by reference); returns y [n] (a view, valid until the next call). */
  forward(w: readonly Float64Array[], xIn: Float64Array, nRows: number): Float64Array {
    const sizes = this.sizes, K = this.K;
    this.n = nRows;
    this.grow(nRows);
    this.x = xIn;
    for (let l = 1; l <= K; l++) {
      gemm(this.input(l - 1), w[2 * (l - 1)], w[2 * (l - 1) + 1], this.Z[l - 1], nRows, sizes[l - 1], sizes[l]);
      this.act(this.Z[l - 1], this.A[l - 1], this.D1[l - 1], this.D2[l - 1], nRows * sizes[l]);
    }
    gemm(this.input(K), w[2 * K], w[2 * K + 1], this.y, nRows, sizes[K], 1);
    return this.y.subarray(0, nRows);
  }

  /** dy/dx [n·F] of the last forward (a view). */
  inputGradient(w: readonly Float64Array[]): Float64Array {
    const sizes = this.sizes, K = this.K, n = this.n, F = sizes[0], gx = this.gx;
    if (K === 0) {
      const w1 = w[0];
      for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) gx[i * F + f] = w1[f];
      return gx.subarray(0, n * F);
    }
    const delta = this.delta, D1 = this.D1;
    const wo = w[2 * K], hK = sizes[K], dK = delta[K - 1], d1 = D1[K - 1];
    for (let i = 0; i < n; i++) for (let j = 0; j < hK; j++) dK[i * hK + j] = wo[j] * d1[i * hK + j];
    for (let l = K; l >= 2; l--) {
      const prev = delta[l - 2], m = sizes[l - 1];
      gemmBt(delta[l - 1], w[2 * (l - 1)], prev, n, sizes[l], m);
      scaleInPlace(prev, D1[l - 2], n * m);
    }
    gemmBt(delta[0], w[0], gx, n, sizes[1], F);
    return gx.subarray(0, n * F);
  }

  /** Add dΦ/dW of Φ = Σ c_i y_i + h_i·g_i into grads (same layout as weights); h null: energy term only. */
  weightGradient(w: readonly Float64Array[], c: Float64Array, h: Float64Array | null, grads: Float64Array[]): void {
    const sizes = this.sizes, K = this.K, n = this.n, hK = sizes[K];
    const { Zt, At, D1, D2, Ab, Atb } = this;
    const tin = (l: number) => (l === 0 ? h! : At[l - 1]);
    // tangent forward (ȧ_0 = h)
    if (h) {
      for (let l = 1; l <= K; l++) {
        gemm(tin(l - 1), w[2 * (l - 1)], null, Zt[l - 1], n, sizes[l - 1], sizes[l]);
        product(D1[l - 1], Zt[l - 1], At[l - 1], n * sizes[l]);
      }
    }
    // output layer: ȳ = c, ẏ̄ = 1
    const gW = grads[2 * K], gb = grads[2 * K + 1], wo = w[2 * K];
    outputLayerGrad(this.input(K), c, h ? tin(K) : null, gW, gb, n, hK);
    if (K === 0) return;
    let ab = Ab[K - 1], atb = Atb[K - 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < hK; j++) {
        ab[i * hK + j] = c[i] * wo[j];
        atb[i * hK + j] = h ? wo[j] : 0;
      }
    }
    for (let l = K; l >= 1; l--) {
      const m = sizes[l];
      // in place: ab <- z̄_l, atb <- ż̄_l
      hiddenAdjoint(D1[l - 1], D2[l - 1], Zt[l - 1], ab, atb, n * m, h !== null);
      const gWl = grads[2 * (l - 1)], gbl = grads[2 * (l - 1) + 1];
      gemmAtAcc(this.input(l - 1), ab, gWl, n, sizes[l - 1], m);
      if (h) gemmAtAcc(tin(l - 1), atb, gWl, n, sizes[l - 1], m);
      columnSumAcc(ab, gbl, n, m);
      if (l > 1) {
        const nab = Ab[l - 2], natb = Atb[l - 2];
        gemmBt(ab, w[2 * (l - 1)], nab, n, m, sizes[l - 1]);
        if (h) gemmBt(atb, w[2 * (l - 1)], natb, n, m, sizes[l - 1]);
        ab = nab;
        atb = natb;
      }
    }
  }
}

function scaleInPlace(x: Float64Array, d: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) x[k] *= d[k];
}

function product(a: Float64Array, b: Float64Array, out: Float64Array, len: number): void {
  for (let k = 0; k < len; k++) out[k] = a[k] * b[k];
}

function columnSumAcc(x: Float64Array, out: Float64Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += x[i * m + j];
}

/** z̄ = σ' ā + σ'' ż ǡ and ż̄ = σ' ǡ, in place of ā (ab) and ǡ (atb). */
function hiddenAdjoint(d1: Float64Array, d2: Float64Array, zt: Float64Array, ab: Float64Array, atb: Float64Array, len: number, tangent: boolean): void {
  if (!tangent) {
    for (let k = 0; k < len; k++) ab[k] *= d1[k];
    return;
  }
  for (let k = 0; k < len; k++) {
    const tb = atb[k];
    ab[k] = d1[k] * ab[k] + d2[k] * zt[k] * tb;
    atb[k] = d1[k] * tb;
  }
}

/** Output layer: dW += a_Kᵀ c + ȧ_Kᵀ 1, db += Σ c. */
function outputLayerGrad(aK: Float64Array, c: Float64Array, aKt: Float64Array | null, gW: Float64Array, gb: Float64Array, n: number, hK: number): void {
  for (let i = 0; i < n; i++) {
    const ci = c[i];
    gb[0] += ci;
    for (let j = 0; j < hK; j++) gW[j] += aK[i * hK + j] * ci;
  }
  if (aKt) for (let i = 0; i < n; i++) for (let j = 0; j < hK; j++) gW[j] += aKt[i * hK + j];
}

export function createMlpBlock(sizes: number[], activation: ActivationName): MlpBlock {
  return new MlpBlock(sizes, activation);
}
