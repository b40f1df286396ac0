// Fast float64 inference for PaiNN (models/painn.ts; Schütt et al., ICML 2021): the MD path of
// issue 5 without tfjs. Plain TypeScript loops over typed arrays, nothing allocated per call once
// the buffers have grown to the system:
//   forward  per block: φ(s) = Dense-σ-Dense [N, 3F] (GEMM-shaped), filters W(r_p) [P, 3F] once per
//            HALF pair (both directions share them), messages to i and to j from each pair
//            (r̂_ji = -r̂_ij), update Uv, Vv, ‖Vv‖, Dense-σ-Dense(s, ‖Vv‖), then the energy head;
//   backward a hand-written reverse pass through the same steps, keeping what the forward stored,
//            down to dE/d(rbf·f_c), dE/df_c and dE/dr̂ per pair, then dE/dd_p by the chain rule
//            through r and r̂ (sin(nθ), cos(nθ) of the Bessel basis by the angle-addition
//            recurrence), and forces / virial stress by pairGeometry.pairForces.
// With WebAssembly SIMD (kernels/painn.ts) every loop above except the embedding runs in the kernels,
// on views of their memory; the TypeScript loops stay as the fallback (kernel: 'ts', odd F). The first
// block needs no dE/dx and no φ reverse pass: its s is the species embedding.
// Tabulated filters (default; painnFilterTable.ts): each block's W(r) is tabulated once at load on
// max(512, 32·K) intervals of [0, rc] (W, W', W'' per node) and interpolated per pair by quintic Hermite
// (6 multiply-adds per output instead of the K-term GEMV); the reverse pass takes dE/dr of each pair
// from the slope of the same interpolant, so no Bessel basis or its chain rule is evaluated and the
// forces stay the exact gradient of the energy computed. Default model: 2 × 1.18 MB of tables,
// energies/forces within ~1e-13/3e-10 of the exact path (painnFast.spec.ts), ~7% less time per call
// at 64, 512 and 4096 atoms (bench/painnFilterTable.ts). filterTable: false keeps the exact path.
// The direct-force head (config.directForces) gives F_i = s_F Σ_f w_f v_i,f from the forward pass;
// its stress still comes from the energy (as predict.ts/directForces.ts do).
// Equal to the tfjs training graph within float32 rounding and to painnF64 to ~1e-12 (painnFast.spec.ts).
import { parsePainnConfig, PAINN_NORM_EPS, PAINN_POLY_P, type PainnConfig } from '../models/painn';
import { savedArray, type SavedModel } from '../models/serialization';
import type { ActivationName } from '../tf/activations';
import { buildFilterTable, defaultFilterTableIntervals, tableWeights } from './painnFilterTable';
import type { PairGeometry } from './pairGeometry';
import { ensureMemory, kernelModule, MemoryLayout, wasmApi, type WasmMemory } from './wasmModule';

/** act(z) into h and act'(z) into dh, elementwise over [0, n). */
function activate(name: ActivationName, z: Float64Array, h: Float64Array, dh: Float64Array, n: number): void {
  switch (name) {
    case 'tanh':
      for (let o = 0; o < n; o++) {
        const t = Math.tanh(z[o]);
        h[o] = t;
        dh[o] = 1 - t * t;
      }
      return;
    case 'sigmoid':
      for (let o = 0; o < n; o++) {
        const sg = 1 / (1 + Math.exp(-z[o]));
        h[o] = sg;
        dh[o] = sg * (1 - sg);
      }
      return;
    case 'silu':
      for (let o = 0; o < n; o++) {
        const x = z[o], sg = 1 / (1 + Math.exp(-x));
        h[o] = x * sg;
        dh[o] = sg * (1 + x * (1 - sg));
      }
      return;
    case 'softplus':
    case 'shifted_softplus': {
      const sh = name === 'shifted_softplus' ? Math.LN2 : 0;
      for (let o = 0; o < n; o++) {
        const x = z[o];
        h[o] = (x > 30 ? x : Math.log1p(Math.exp(x))) - sh;
        dh[o] = 1 / (1 + Math.exp(-x));
      }
      return;
    }
    default:
      for (let o = 0; o < n; o++) {
        h[o] = z[o];
        dh[o] = 1;
      }
  }
}

/** y[n, nout] = x[n, nin] W[nin, nout] + b (b may be null: zero). */
function dense(x: Float64Array, n: number, nin: number, W: Float64Array, nout: number, b: Float64Array | null, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const yo = i * nout, xo = i * nin;
    if (b) for (let o = 0; o < nout; o++) y[yo + o] = b[o];
    else y.fill(0, yo, yo + nout);
    for (let k = 0; k < nin; k++) {
      const xk = x[xo + k];
      if (xk === 0) continue;
      const wo = k * nout;
      for (let o = 0; o < nout; o++) y[yo + o] += xk * W[wo + o];
    }
  }
}

/** gx[n, nin] (+)= gy[n, nout] Wᵀ (W [nin, nout]); `scale` [n, nin] multiplies elementwise when given. */
function denseBack(gy: Float64Array, n: number, nout: number, W: Float64Array, nin: number, gx: Float64Array, accumulate: boolean, scale: Float64Array | null): void {
  for (let i = 0; i < n; i++) {
    const yo = i * nout, xo = i * nin;
    for (let k = 0; k < nin; k++) {
      const wo = k * nout;
      let acc = 0;
      for (let o = 0; o < nout; o++) acc += gy[yo + o] * W[wo + o];
      if (scale) acc *= scale[xo + k];
      gx[xo + k] = accumulate ? gx[xo + k] + acc : acc;
    }
  }
}

/** aᵀ of a [rows, cols] (row-major). */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

interface LayerWeights {
  p0k: Float64Array; p0b: Float64Array; p1k: Float64Array; p1b: Float64Array;
  fk: Float64Array; fb: Float64Array; U: Float64Array; V: Float64Array;
  /** transposes for the kernels' reverse passes: fkᵀ [3F, K], ... */
  fkT: Float64Array; p0kT: Float64Array; p1kT: Float64Array; UT: Float64Array; VT: Float64Array; u0kT: Float64Array; u1kT: Float64Array;
  u0k: Float64Array; u0b: Float64Array; u1k: Float64Array; u1b: Float64Array;
  /** the tabulated filter (painnFilterTable.ts), empty without it */
  tab: Float64Array;
}

/** What a layer's forward keeps for the reverse pass. */
interface LayerStore {
  a0: Float64Array; d0: Float64Array; x: Float64Array; filt: Float64Array; vIn: Float64Array;
  Uv: Float64Array; Vv: Float64Array; a1: Float64Array; d1: Float64Array; u: Float64Array;
}

/** kernels/painn.ts exports (pointers are byte offsets in `memory`; 0 = none). */
interface PainnKernels {
  memory: WasmMemory;
  heapBase(): number;
  dense(x: number, n: number, nin: number, W: number, nout: number, b: number, y: number): void;
  denseBack(gy: number, n: number, nout: number, WT: number, nin: number, gx: number, accumulate: number, scale: number): void;
  filters(P: number, K: number, F3: number, rbfc: number, fc: number, fk: number, fb: number, filt: number, vv: number): void;
  messageForward(P: number, F: number, pi: number, pj: number, dir: number, filt: number, x: number, s: number, v: number, vIn: number, vv: number): void;
  messageBackward(P: number, F: number, K: number, pi: number, pj: number, dir: number, filt: number, x: number, gs: number, gv: number, vIn: number, vv: number,
    needGx: number, gx: number, gv2: number, gDir: number, gFc: number, gRbfc: number, fkT: number, fb: number, gfilt: number,
    r: number, tab: number, M: number, invH: number, gR: number): void;
  silu(z: number, h: number, dh: number, n: number): void;
  updateContext(N: number, F: number, s: number, Vv: number, ctx: number, eps: number): void;
  updateApply(N: number, F: number, s: number, v: number, Uv: number, Vv: number, u: number, upd: number): void;
  updateBackU(N: number, F: number, gs: number, gv: number, Uv: number, Vv: number, gu: number, gvZero: number): void;
  updateBackV(N: number, F: number, gs: number, gv: number, Uv: number, Vv: number, u: number, gctx: number, gUv: number, gVv: number, gvZero: number, eps: number): void;
  pairBasis(P: number, K: number, r: number, vec: number, dir: number, rbfc: number, fcv: number, rc: number, poly: number, pp: number): void;
  pairGradients(P: number, K: number, r: number, dir: number, gFc: number, gRbfc: number, gDir: number, grad: number, rc: number, poly: number, pp: number): void;
  pairDirections(P: number, r: number, vec: number, dir: number): void;
  tableFilters(P: number, F: number, r: number, tab: number, M: number, invH: number, filt: number, vv: number): void;
  pairGradientsTable(P: number, r: number, dir: number, gR: number, gDir: number, grad: number): void;
}

/** The WebAssembly SIMD kernels, or null (no WebAssembly/SIMD here, or F odd: two lanes = two channels). */
function painnKernels(F: number): PainnKernels | null {
  if (F % 2 !== 0 || !wasmApi) return null;
  const mod = kernelModule('painn');
  return mod ? (new wasmApi.Instance(mod, {}).exports as unknown as PainnKernels) : null;
}

export interface PainnEngine {
  readonly config: PainnConfig;
  /** 'wasm-simd' (kernels/painn.ts for the dense layers and the pair loops) or 'ts'. */
  readonly kind: 'wasm-simd' | 'ts';
  /** The tabulated filters (intervals M on [0, rc], bytes of all blocks' tables), or null: exact filters. */
  readonly filterTable: { intervals: number; bytes: number } | null;
  /**
   * Per-atom energies (eV, E0 excluded) into `energies` [N] for the pairs of `g` (r < cutoff) and
   * `species`; with `gradients`, g.grad = dE/dd_p; with `directForces` [3N] (direct-head models
   * only), the head's forces. Returns Σ_i E_i.
   */
  evaluate(g: PairGeometry, species: Int32Array, energies: Float64Array, gradients: boolean, directForces: Float64Array | null): number;
}

export interface PainnEngineOptions {
  kernel?: 'auto' | 'wasm' | 'ts';
  /** Tabulated filters W(r) (painnFilterTable.ts; default true); false: the exact Bessel-basis GEMVs per pair. */
  filterTable?: boolean;
  /** Intervals of the table on [0, rc] (default defaultFilterTableIntervals(K): 512 for the default model). */
  filterTableIntervals?: number;
}

export function painnEngine(saved: SavedModel, opts: PainnEngineOptions = {}): PainnEngine {
  const c = parsePainnConfig(saved.config);
  const F = c.features, K = c.radialBasis, L = c.layers, F3 = 3 * F, rc = c.cutoffA;
  const act = c.activation;
  const useTable = opts.filterTable ?? true, M = opts.filterTableIntervals ?? defaultFilterTableIntervals(K), invH = M / rc;
  const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom, sF = saved.scales.forceEvPerA;
  const w = (name: string) => Float64Array.from(savedArray(saved.weights, name).data);
  const emb = w('embedding');
  const masterLayers: LayerWeights[] = Array.from({ length: L }, (_, l) => {
    const p = `layer${l}/`;
    return {
      p0k: w(p + 'phi0/kernel'), p0b: w(p + 'phi0/bias'), p1k: w(p + 'phi1/kernel'), p1b: w(p + 'phi1/bias'),
      fk: w(p + 'filter/kernel'), fb: w(p + 'filter/bias'), U: w(p + 'U'), V: w(p + 'V'), fkT: transpose(w(p + 'filter/kernel'), K, F3),
      p0kT: transpose(w(p + 'phi0/kernel'), F, F), p1kT: transpose(w(p + 'phi1/kernel'), F, F3), UT: transpose(w(p + 'U'), F, F), VT: transpose(w(p + 'V'), F, F),
      u0kT: transpose(w(p + 'update0/kernel'), 2 * F, F), u1kT: transpose(w(p + 'update1/kernel'), F, F3),
      u0k: w(p + 'update0/kernel'), u0b: w(p + 'update0/bias'), u1k: w(p + 'update1/kernel'), u1b: w(p + 'update1/bias'),
      tab: useTable ? buildFilterTable(w(p + 'filter/kernel'), w(p + 'filter/bias'), K, F3, { rcA: rc, poly: c.cutoffFunction === 'polynomial', p: PAINN_POLY_P }, M) : new Float64Array(0),
    };
  });
  if (emb.length !== saved.species.length * F) throw new Error(`painn: embedding has ${emb.length} values, expected ${saved.species.length}×${F}`);
  const headSizes = [F, ...c.headHidden, 1];
  const masterHeadK = headSizes.slice(1).map((_, k) => w(`head/dense${k}/kernel`));
  const masterHeadKT = masterHeadK.map((a, k) => transpose(a, headSizes[k], headSizes[k + 1]));
  const masterHeadB = headSizes.slice(1).map((_, k) => w(`head/dense${k}/bias`));
  let layers = masterLayers, headK: Float64Array[] = masterHeadK, headKT: Float64Array[] = masterHeadKT, headB: Float64Array[] = masterHeadB;
  const kx = opts.kernel === 'ts' ? null : painnKernels(F);
  if (opts.kernel === 'wasm' && !kx) throw new Error(`painn: the WebAssembly SIMD kernels are not available here${F % 2 ? ` (features F = ${F} is odd; they need an even F)` : ''}`);
  const wf = c.directForces ? w('forceHead/kernel') : null;
  const H = headSizes.length - 1;
  const poly = c.cutoffFunction === 'polynomial', pp = PAINN_POLY_P;
  const pa = ((pp + 1) * (pp + 2)) / 2, pb = pp * (pp + 2), pc = (pp * (pp + 1)) / 2;

  // ---- buffers, grown to the system (capacity in atoms nC, pairs pC). With the kernels, every
  // array they touch (weights included) is a view on their memory: laid out in one pass that only
  // counts, then the memory grows once and the views are made (growing detaches older views).
  let nC = 0, pC = 0;
  const E: Float64Array = new Float64Array(0);
  let s = E, v = E, ctx = E, z1 = E, rbfc = E, fcv = E, dir = E, rW = E, vecW = E, gradW = E;
  let gs = E, gv = E, gv2 = E, gx = E, gu = E, gctx = E, gh = E, gUv = E, gVv = E, gRbfc = E, gFc = E, gDir = E, gfilt = E, gR = E;
  // the first block's φ(s) once per species (its s is the embedding row of the species)
  const nSp = saved.species.length;
  let embW = E, zSp = E, aSp = E, dSp = E, xSp = E;
  let piW: Int32Array = new Int32Array(0), pjW: Int32Array = new Int32Array(0);
  let store: LayerStore[] = [];
  let headZ: Float64Array[] = [], headD: Float64Array[] = [], headG: Float64Array[] = [];
  const sinK = new Float64Array(K + 1), cosK = new Float64Array(K + 1), hw = new Float64Array(12);

  function allocate(f64: (n: number) => Float64Array, i32: (n: number) => Int32Array, copy: (a: Float64Array) => Float64Array): void {
    const f = () => f64(nC * F), f3 = () => f64(nC * F3);
    s = f(); v = f3(); ctx = f64(2 * nC * F); z1 = f();
    gs = f(); gv = f3(); gv2 = f3(); gx = f3(); gu = f3(); gctx = f64(2 * nC * F); gh = f();
    gUv = f3(); gVv = f3(); gfilt = f64(2 * F3 + K + 2);
    embW = copy(emb); zSp = f64(nSp * F); aSp = f64(nSp * F); dSp = f64(nSp * F); xSp = f64(nSp * F3);
    store = masterLayers.map(() => ({ a0: f(), d0: f(), x: f3(), filt: f64(pC * F3), vIn: f3(), Uv: f3(), Vv: f3(), a1: f(), d1: f(), u: f3() }));
    headZ = headSizes.map((m) => f64(nC * m));
    headD = headSizes.map((m) => f64(nC * m));
    headG = headSizes.map((m) => f64(nC * m));
    rbfc = f64(useTable ? 0 : pC * K); fcv = f64(pC); dir = f64(3 * pC);
    if (kx) {
      rW = f64(pC + 2); vecW = f64(3 * pC); gradW = f64(3 * pC);
    }
    gRbfc = f64(useTable ? 0 : pC * K); gFc = f64(pC); gDir = f64(3 * pC); gR = f64(pC);
    piW = i32(pC); pjW = i32(pC);
    layers = masterLayers.map((lw) => Object.fromEntries(Object.entries(lw).map(([k, a]) => [k, copy(a)])) as unknown as LayerWeights);
    headK = masterHeadK.map(copy);
    headKT = masterHeadKT.map(copy);
    headB = masterHeadB.map(copy);
  }

  function grow(n: number, P: number): void {
    if (n <= nC && P <= pC) return;
    if (n > nC) nC = Math.ceil(n * 1.25) + 8;
    if (P > pC) pC = Math.ceil(P * 1.25) + 16;
    if (!kx) {
      allocate((m) => new Float64Array(m), (m) => new Int32Array(m), (a) => a);
      return;
    }
    const count = new MemoryLayout(kx.heapBase());
    allocate((m) => (count.take(8 * m), E), (m) => (count.take(4 * m), new Int32Array(0)), (a) => (count.take(8 * a.length), a));
    ensureMemory(kx.memory, count.end);
    const lay = new MemoryLayout(kx.heapBase()), buf = kx.memory.buffer;
    allocate(
      (m) => new Float64Array(buf, lay.take(8 * m), m),
      (m) => new Int32Array(buf, lay.take(4 * m), m),
      (a) => {
        const c = new Float64Array(buf, lay.take(8 * a.length), a.length);
        c.set(a);
        return c;
      },
    );
  }

  const ptr = (a: Float64Array | Int32Array | null) => (a ? a.byteOffset : 0);
  function activateK(z: Float64Array, h: Float64Array, dh: Float64Array, n: number): void {
    if (kx && act === 'silu') kx.silu(z.byteOffset, h.byteOffset, dh.byteOffset, n);
    else activate(act, z, h, dh, n);
  }
  function denseK(x: Float64Array, n: number, nin: number, W: Float64Array, nout: number, b: Float64Array | null, y: Float64Array): void {
    if (kx) kx.dense(x.byteOffset, n, nin, W.byteOffset, nout, ptr(b), y.byteOffset);
    else dense(x, n, nin, W, nout, b, y);
  }
  /** denseBack; the kernel takes WT = Wᵀ. */
  function denseBackK(gy: Float64Array, n: number, nout: number, W: Float64Array, WT: Float64Array, nin: number, gxx: Float64Array, accumulate: boolean, scale: Float64Array | null): void {
    if (kx) kx.denseBack(gy.byteOffset, n, nout, WT.byteOffset, nin, gxx.byteOffset, accumulate ? 1 : 0, ptr(scale));
    else denseBack(gy, n, nout, W, nin, gxx, accumulate, scale);
  }

  /** sin(nθ), cos(nθ) for n = 0..K by the angle-addition recurrence. */
  function harmonics(theta: number): void {
    const s1 = Math.sin(theta), c1 = Math.cos(theta);
    sinK[0] = 0; cosK[0] = 1;
    for (let n = 1; n <= K; n++) {
      sinK[n] = sinK[n - 1] * c1 + cosK[n - 1] * s1;
      cosK[n] = cosK[n - 1] * c1 - sinK[n - 1] * s1;
    }
  }

  let cFc = 0, cDfc = 0;
  /** f_c(r) into cFc and df_c/dr into cDfc (after harmonics(πr/r_c) for the cosine cutoff). */
  function cutoff(r: number): void {
    if (!poly) {
      cFc = 0.5 * (cosK[1] + 1);
      cDfc = (-0.5 * Math.PI * sinK[1]) / rc;
      return;
    }
    const u = r / rc, up1 = u ** (pp - 1), up = up1 * u;
    cFc = 1 - pa * up + pb * up * u - pc * up * u * u;
    cDfc = (-pa * pp * up1 + pb * (pp + 1) * up - pc * (pp + 2) * up * u) / rc;
  }

  function evaluate(g: PairGeometry, species: Int32Array, energies: Float64Array, gradients: boolean, directForces: Float64Array | null): number {
    const N = g.nAtoms, P = g.nPairs, pi = g.pairI, pj = g.pairJ;
    grow(N, P);
    if (kx) {
      piW.set(pi.subarray(0, P));
      pjW.set(pj.subarray(0, P));
    }
    // ---- pair geometry: r̂, rbf·f_c, f_c (r̂ alone with the tables)
    if (kx) {
      rW.set(g.r.subarray(0, P));
      vecW.set(g.vec.subarray(0, 3 * P));
      if (useTable) kx.pairDirections(P, rW.byteOffset, vecW.byteOffset, dir.byteOffset);
      else kx.pairBasis(P, K, rW.byteOffset, vecW.byteOffset, dir.byteOffset, rbfc.byteOffset, fcv.byteOffset, rc, poly ? 1 : 0, pp);
    } else for (let p = 0; p < P; p++) {
      const r = g.r[p], inv = 1 / r, theta = (Math.PI * r) / rc;
      dir[3 * p] = g.vec[3 * p] * inv;
      dir[3 * p + 1] = g.vec[3 * p + 1] * inv;
      dir[3 * p + 2] = g.vec[3 * p + 2] * inv;
      if (useTable) continue;
      harmonics(theta);
      cutoff(r);
      const fc = cFc;
      fcv[p] = fc;
      for (let n = 0; n < K; n++) rbfc[p * K + n] = sinK[n + 1] * inv * fc;
    }
    // ---- embedding, v = 0
    for (let i = 0; i < N; i++) for (let f = 0; f < F; f++) s[i * F + f] = emb[species[i] * F + f];
    v.fill(0, 0, N * F3);
    const vNeeded = (l: number) => l + 1 < L || !!wf;
    for (let l = 0; l < L; l++) {
      const lw = layers[l], st = store[l], x = st.x, filt = st.filt, vIn = st.vIn;
      // φ(s) [N, 3F]; in the first block s is the species' embedding row, so φ is made once per
      // species and copied to its atoms (the first block has no φ reverse pass: st.a0, st.d0 unused)
      if (l === 0) {
        denseK(embW, nSp, F, lw.p0k, F, lw.p0b, zSp);
        activateK(zSp, aSp, dSp, nSp * F);
        denseK(aSp, nSp, F, lw.p1k, F3, lw.p1b, xSp);
        for (let i = 0; i < N; i++) x.set(xSp.subarray(species[i] * F3, species[i] * F3 + F3), i * F3);
      } else {
        denseK(s, N, F, lw.p0k, F, lw.p0b, z1);
        activateK(z1, st.a0, st.d0, N * F);
        denseK(st.a0, N, F, lw.p1k, F3, lw.p1b, x);
      }
      // filters [P, 3F] = rbfc fk + fc fb
      // messages to i from j (r̂) and to j from i (-r̂); v read from vIn
      vIn.set(v.subarray(0, N * F3));
      if (kx) {
        if (useTable) kx.tableFilters(P, F, rW.byteOffset, lw.tab.byteOffset, M, invH, filt.byteOffset, l > 0 ? 1 : 0);
        else kx.filters(P, K, F3, rbfc.byteOffset, fcv.byteOffset, lw.fk.byteOffset, lw.fb.byteOffset, filt.byteOffset, l > 0 ? 1 : 0);
        kx.messageForward(P, F, piW.byteOffset, pjW.byteOffset, dir.byteOffset, filt.byteOffset, x.byteOffset, s.byteOffset, v.byteOffset, vIn.byteOffset, l > 0 ? 1 : 0);
      } else if (useTable) {
        // W(r_p) by the quintic Hermite interpolant (painnFilterTable.ts), all three thirds
        const tab = lw.tab;
        for (let p = 0; p < P; p++) {
          const b = 3 * F3 * tableWeights(g.r[p], invH, M, hw), o0 = p * F3;
          for (let o = 0; o < F3; o++) {
            const q = b + o;
            filt[o0 + o] = hw[0] * tab[q] + hw[1] * tab[q + F3] + hw[2] * tab[q + 2 * F3] + hw[3] * tab[q + 3 * F3] + hw[4] * tab[q + 4 * F3] + hw[5] * tab[q + 5 * F3];
          }
        }
      } else {
        dense(rbfc, P, K, lw.fk, F3, null, filt);
        for (let p = 0; p < P; p++) {
          const fc = fcv[p], o0 = p * F3;
          for (let o = 0; o < F3; o++) filt[o0 + o] += fc * lw.fb[o];
        }
      }
      for (let p = 0; p < (kx ? 0 : P); p++) {
        const i = pi[p], j = pj[p], o0 = p * F3, xi = i * F3, xj = j * F3, si = i * F, sj = j * F;
        const dx = dir[3 * p], dy = dir[3 * p + 1], dz = dir[3 * p + 2];
        const vi = 3 * i * F, vj = 3 * j * F;
        for (let f = 0; f < F; f++) {
          const fss = filt[o0 + f], fvs = filt[o0 + 2 * F + f];
          s[si + f] += x[xj + f] * fss;
          s[sj + f] += x[xi + f] * fss;
          const ci = x[xj + 2 * F + f] * fvs, cj = x[xi + 2 * F + f] * fvs;
          v[vi + f] += ci * dx; v[vi + F + f] += ci * dy; v[vi + 2 * F + f] += ci * dz;
          v[vj + f] -= cj * dx; v[vj + F + f] -= cj * dy; v[vj + 2 * F + f] -= cj * dz;
        }
        if (l > 0) {
          for (let f = 0; f < F; f++) {
            const fvv = filt[o0 + F + f], ai = x[xj + F + f] * fvv, aj = x[xi + F + f] * fvv;
            v[vi + f] += vIn[vj + f] * ai; v[vi + F + f] += vIn[vj + F + f] * ai; v[vi + 2 * F + f] += vIn[vj + 2 * F + f] * ai;
            v[vj + f] += vIn[vi + f] * aj; v[vj + F + f] += vIn[vi + F + f] * aj; v[vj + 2 * F + f] += vIn[vi + 2 * F + f] * aj;
          }
        }
      }
      // update: Uv, Vv [3N, F]; ctx = [s, ‖Vv‖]; u = Dense-σ-Dense(ctx) = [a_vv | a_sv | a_ss]
      denseK(v, 3 * N, F, lw.U, F, null, st.Uv);
      denseK(v, 3 * N, F, lw.V, F, null, st.Vv);
      const Uv = st.Uv, Vv = st.Vv, u = st.u;
      if (kx) kx.updateContext(N, F, s.byteOffset, Vv.byteOffset, ctx.byteOffset, PAINN_NORM_EPS);
      else for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          const q = 3 * i * F + f, a = Vv[q], b = Vv[q + F], cc = Vv[q + 2 * F];
          ctx[2 * i * F + f] = s[i * F + f];
          ctx[2 * i * F + F + f] = Math.sqrt(a * a + b * b + cc * cc + PAINN_NORM_EPS);
        }
      }
      denseK(ctx, N, 2 * F, lw.u0k, F, lw.u0b, z1);
      activateK(z1, st.a1, st.d1, N * F);
      denseK(st.a1, N, F, lw.u1k, F3, lw.u1b, u);
      const upd = vNeeded(l);
      if (kx) kx.updateApply(N, F, s.byteOffset, v.byteOffset, Uv.byteOffset, Vv.byteOffset, u.byteOffset, upd ? 1 : 0);
      else for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          const q = 3 * i * F + f, uo = i * F3;
          const dot = Uv[q] * Vv[q] + Uv[q + F] * Vv[q + F] + Uv[q + 2 * F] * Vv[q + 2 * F];
          s[i * F + f] += u[uo + 2 * F + f] + u[uo + F + f] * dot;
          if (upd) {
            const avv = u[uo + f];
            v[q] += avv * Uv[q]; v[q + F] += avv * Uv[q + F]; v[q + 2 * F] += avv * Uv[q + 2 * F];
          }
        }
      }
    }
    // ---- energy head
    headZ[0].set(s.subarray(0, N * F));
    for (let k = 0; k < H; k++) {
      denseK(headZ[k], N, headSizes[k], headK[k], headSizes[k + 1], headB[k], headZ[k + 1]);
      if (k + 1 < H) activateK(headZ[k + 1], headZ[k + 1], headD[k + 1], N * headSizes[k + 1]);
    }
    let e = 0;
    for (let i = 0; i < N; i++) e += energies[i] = sE * headZ[H][i] + shift;
    if (directForces && wf) {
      for (let q = 0; q < 3 * N; q++) {
        let acc = 0;
        for (let f = 0; f < F; f++) acc += v[q * F + f] * wf[f];
        directForces[q] = sF * acc;
      }
    }
    if (gradients) backward(g, N, P);
    return e;
  }

  function backward(g: PairGeometry, N: number, P: number): void {
    const pi = g.pairI, pj = g.pairJ;
    // head: dE/dz_H = s_E
    headG[H].fill(sE, 0, N);
    for (let k = H - 1; k >= 0; k--) denseBackK(headG[k + 1], N, headSizes[k + 1], headK[k], headKT[k], headSizes[k], headG[k], false, k > 0 ? headD[k] : null);
    gs.set(headG[0].subarray(0, N * F));
    gv.fill(0, 0, N * F3);
    if (useTable) gR.fill(0, 0, P);
    else gRbfc.fill(0, 0, P * K);
    gFc.fill(0, 0, P);
    gDir.fill(0, 0, 3 * P);
    let gvZero = true;
    for (let l = L - 1; l >= 0; l--) {
      const lw = layers[l], st = store[l], Uv = st.Uv, Vv = st.Vv, u = st.u, x = st.x, filt = st.filt, vIn = st.vIn;
      // ---- update backward: gu = [g_avv | g_asv | g_ass]
      if (kx) kx.updateBackU(N, F, gs.byteOffset, gv.byteOffset, Uv.byteOffset, Vv.byteOffset, gu.byteOffset, gvZero ? 1 : 0);
      else for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          const q = 3 * i * F + f, uo = i * F3, gsf = gs[i * F + f];
          const dot = Uv[q] * Vv[q] + Uv[q + F] * Vv[q + F] + Uv[q + 2 * F] * Vv[q + 2 * F];
          gu[uo + f] = gvZero ? 0 : gv[q] * Uv[q] + gv[q + F] * Uv[q + F] + gv[q + 2 * F] * Uv[q + 2 * F];
          gu[uo + F + f] = gsf * dot;
          gu[uo + 2 * F + f] = gsf;
        }
      }
      denseBackK(gu, N, F3, lw.u1k, lw.u1kT, F, gh, false, st.d1);
      denseBackK(gh, N, F, lw.u0k, lw.u0kT, 2 * F, gctx, false, null);
      if (kx) kx.updateBackV(N, F, gs.byteOffset, gv.byteOffset, Uv.byteOffset, Vv.byteOffset, u.byteOffset, gctx.byteOffset, gUv.byteOffset, gVv.byteOffset, gvZero ? 1 : 0, PAINN_NORM_EPS);
      else for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          const q = 3 * i * F + f, uo = i * F3;
          const gsf = gs[i * F + f], gdot = gsf * u[uo + F + f], avv = u[uo + f];
          const a = Vv[q], b = Vv[q + F], cc = Vv[q + 2 * F];
          const gn = gctx[2 * i * F + F + f] / Math.sqrt(a * a + b * b + cc * cc + PAINN_NORM_EPS);
          for (let d = 0; d < 3; d++) {
            const qd = q + d * F;
            gUv[qd] = (gvZero ? 0 : gv[qd] * avv) + gdot * Vv[qd];
            gVv[qd] = gdot * Uv[qd] + gn * Vv[qd];
          }
          gs[i * F + f] = gsf + gctx[2 * i * F + f];
        }
      }
      if (gvZero) gv.fill(0, 0, N * F3);
      denseBackK(gUv, 3 * N, F, lw.U, lw.UT, F, gv, true, null);
      denseBackK(gVv, 3 * N, F, lw.V, lw.VT, F, gv, true, null);
      gvZero = false;
      // ---- message backward: gx [N, 3F]; gv2 = dE/dv_in (gv passes through, plus the vv messages);
      // neither in the first block (x from the embedding, v_in = 0)
      if (l > 0 || !kx) gx.fill(0, 0, N * F3);
      if (l > 0) gv2.set(gv.subarray(0, N * F3));
      if (kx)
        kx.messageBackward(P, F, K, piW.byteOffset, pjW.byteOffset, dir.byteOffset, filt.byteOffset, x.byteOffset, gs.byteOffset, gv.byteOffset, vIn.byteOffset, l > 0 ? 1 : 0,
          l > 0 ? 1 : 0, gx.byteOffset, gv2.byteOffset, gDir.byteOffset, gFc.byteOffset, gRbfc.byteOffset, lw.fkT.byteOffset, lw.fb.byteOffset, gfilt.byteOffset,
          rW.byteOffset, useTable ? lw.tab.byteOffset : 0, M, invH, gR.byteOffset);
      for (let p = 0; p < (kx ? 0 : P); p++) {
        const i = pi[p], j = pj[p], o0 = p * F3, xi = i * F3, xj = j * F3, si = i * F, sj = j * F;
        const dx = dir[3 * p], dy = dir[3 * p + 1], dz = dir[3 * p + 2];
        const vi = 3 * i * F, vj = 3 * j * F;
        let gdx = 0, gdy = 0, gdz = 0;
        for (let f = 0; f < F; f++) {
          const fss = filt[o0 + f], fvs = filt[o0 + 2 * F + f];
          const gsi = gs[si + f], gsj = gs[sj + f];
          gfilt[f] = gsi * x[xj + f] + gsj * x[xi + f];
          gx[xj + f] += gsi * fss;
          gx[xi + f] += gsj * fss;
          const gix = gv[vi + f], giy = gv[vi + F + f], giz = gv[vi + 2 * F + f];
          const gjx = gv[vj + f], gjy = gv[vj + F + f], gjz = gv[vj + 2 * F + f];
          const wi = gix * dx + giy * dy + giz * dz, wj = -(gjx * dx + gjy * dy + gjz * dz);
          const xvsj = x[xj + 2 * F + f], xvsi = x[xi + 2 * F + f];
          gfilt[2 * F + f] = wi * xvsj + wj * xvsi;
          gx[xj + 2 * F + f] += wi * fvs;
          gx[xi + 2 * F + f] += wj * fvs;
          const ci = xvsj * fvs, cj = xvsi * fvs;
          gdx += gix * ci - gjx * cj;
          gdy += giy * ci - gjy * cj;
          gdz += giz * ci - gjz * cj;
          if (l > 0) {
            const fvv = filt[o0 + F + f], xvvj = x[xj + F + f], xvvi = x[xi + F + f];
            const ti = gix * vIn[vj + f] + giy * vIn[vj + F + f] + giz * vIn[vj + 2 * F + f];
            const tj = gjx * vIn[vi + f] + gjy * vIn[vi + F + f] + gjz * vIn[vi + 2 * F + f];
            gfilt[F + f] = ti * xvvj + tj * xvvi;
            gx[xj + F + f] += ti * fvv;
            gx[xi + F + f] += tj * fvv;
            const ai = xvvj * fvv, aj = xvvi * fvv;
            gv2[vj + f] += gix * ai; gv2[vj + F + f] += giy * ai; gv2[vj + 2 * F + f] += giz * ai;
            gv2[vi + f] += gjx * aj; gv2[vi + F + f] += gjy * aj; gv2[vi + 2 * F + f] += gjz * aj;
          } else gfilt[F + f] = 0;
        }
        gDir[3 * p] += gdx;
        gDir[3 * p + 1] += gdy;
        gDir[3 * p + 2] += gdz;
        if (useTable) {
          // dE/dr = Σ_o gfilt[o] dW/dr[o], the slope of the same interpolant
          const tab = lw.tab, b = 3 * F3 * tableWeights(g.r[p], invH, M, hw);
          let acc = 0;
          for (let o = 0; o < F3; o++) {
            const q = b + o;
            acc += gfilt[o] * (hw[6] * tab[q] + hw[7] * tab[q + F3] + hw[8] * tab[q + 2 * F3] + hw[9] * tab[q + 3 * F3] + hw[10] * tab[q + 4 * F3] + hw[11] * tab[q + 5 * F3]);
          }
          gR[p] += acc;
          continue;
        }
        // filt = rbfc fk + fc fb
        let gfc = 0;
        for (let o = 0; o < F3; o++) gfc += gfilt[o] * lw.fb[o];
        gFc[p] += gfc;
        const fk = lw.fk, r0 = p * K;
        for (let n = 0; n < K; n++) {
          let acc = 0;
          const wo = n * F3;
          for (let o = 0; o < F3; o++) acc += gfilt[o] * fk[wo + o];
          gRbfc[r0 + n] += acc;
        }
      }
      { const t = gv; gv = gv2; gv2 = t; }
      // φ backward: gs += ((gx W1ᵀ) ∘ σ') W0ᵀ; not in the first block, whose s is the embedding (constant)
      if (l === 0) break;
      denseBackK(gx, N, F3, lw.p1k, lw.p1kT, F, gh, false, st.d0);
      denseBackK(gh, N, F, lw.p0k, lw.p0kT, F, gs, true, null);
    }
    // ---- pairs: dE/dd = (dE/dr) r̂ + (g_r̂ - (g_r̂·r̂) r̂) / r
    const grad = g.grad;
    if (kx && useTable) {
      kx.pairGradientsTable(P, rW.byteOffset, dir.byteOffset, gR.byteOffset, gDir.byteOffset, gradW.byteOffset);
      grad.set(gradW.subarray(0, 3 * P));
    } else if (kx) {
      kx.pairGradients(P, K, rW.byteOffset, dir.byteOffset, gFc.byteOffset, gRbfc.byteOffset, gDir.byteOffset, gradW.byteOffset, rc, poly ? 1 : 0, pp);
      grad.set(gradW.subarray(0, 3 * P));
    } else for (let p = 0; p < P; p++) {
      const r = g.r[p], inv = 1 / r;
      let gr = gR[p]; // with the tables, dE/dr is complete already
      if (!useTable) {
        harmonics((Math.PI * r) / rc);
        cutoff(r);
        const fc = cFc, dfc = cDfc, r0 = p * K;
        gr = gFc[p] * dfc;
        for (let n = 0; n < K; n++) {
          const kn = ((n + 1) * Math.PI) / rc, rbf = sinK[n + 1] * inv;
          gr += gRbfc[r0 + n] * (fc * (kn * cosK[n + 1] - rbf) * inv + rbf * dfc);
        }
      }
      const dx = dir[3 * p], dy = dir[3 * p + 1], dz = dir[3 * p + 2];
      const ax = gDir[3 * p], ay = gDir[3 * p + 1], az = gDir[3 * p + 2];
      const proj = ax * dx + ay * dy + az * dz;
      grad[3 * p] = gr * dx + (ax - proj * dx) * inv;
      grad[3 * p + 1] = gr * dy + (ay - proj * dy) * inv;
      grad[3 * p + 2] = gr * dz + (az - proj * dz) * inv;
    }
  }

  const filterTable = useTable ? { intervals: M, bytes: layers.reduce((a, lw) => a + lw.tab.byteLength, 0) } : null;
  return { config: c, kind: kx ? 'wasm-simd' : 'ts', filterTable, evaluate };
}
