// PaiNN inference kernels in AssemblyScript with WebAssembly SIMD (float64x2), built by
// kernels/build.mjs into kernels/painn.wasm. The same mathematics as the TypeScript loops of
// src-shared/ml/inference/painnFast.ts (read that first), which calls these on arrays it lays out
// in this module's memory (pointers = byte offsets of its Float64Array / Int32Array views):
//   dense / denseBack   y = x W + b and gx = (gy Wᵀ) ∘ scale (given Wᵀ), rows two at a time
//   filters             W(r_p) = rbfc_p fk + fc_p fb for every half pair, two pairs at a time
//   messageForward      messages to i from j (r̂) and to j from i (-r̂) of each half pair
//   messageBackward     their reverse pass, down to dE/d(rbf·f_c), dE/df_c and dE/dr̂ per pair
//   silu, update*       the activation and the per-atom steps of the update block and their reverse
//   pairBasis / pairGradients   r̂ and the Bessel basis × cutoff per pair; the chain rule back to dE/dd_p
//   tableFilters, pairDirections, pairGradientsTable   the same with tabulated filters W(r) (quintic
//                       Hermite, painnFilterTable.ts): messageBackward then gives dE/dr per pair
// Two lanes = two channels f (F must be even: the host uses the TypeScript loops otherwise). The
// message kernels address rows by byte pointers, and F = 32 (the default model) is compiled apart so
// that the offsets of the rows' thirds become immediate load offsets. Nothing is allocated here.

// @ts-nocheck (AssemblyScript)
import { vexp, vsinHalf, vcosHalf } from './simdMath';

@inline function ld(p: usize, k: i32): f64 { return load<f64>(p + (<usize>k << 3)); }
@inline function st(p: usize, k: i32, v: f64): void { store<f64>(p + (<usize>k << 3), v); }
@inline function li(p: usize, k: i32): i32 { return load<i32>(p + (<usize>k << 2)); }
@inline function vld(p: usize, k: i32): v128 { return v128.load(p + (<usize>k << 3)); }
@inline function vst(p: usize, k: i32, v: v128): void { v128.store(p + (<usize>k << 3), v); }
@inline function vadd(p: usize, k: i32, v: v128): void { const a = p + (<usize>k << 3); v128.store(a, f64x2.add(v128.load(a), v)); }
@inline function hsum(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

export function heapBase(): usize { return __heap_base; }

/**
 * y[0, nout) = c·b + Σ_k x[k] W[k, :] for one row, 16 outputs at a time in 8 register accumulators
 * (no stores inside the k loop), then pairs, then a scalar tail. b = 0: no bias.
 */
@inline function rowGemm(x: usize, nin: i32, W: usize, nout: i32, ldw: i32, b: usize, c: f64, y: usize): void {
  const sc = f64x2.splat(c), z = f64x2.splat(0.0);
  let o = 0;
  for (; o + 15 < nout; o += 16) {
    let a0 = b ? f64x2.mul(sc, vld(b, o)) : z, a1 = b ? f64x2.mul(sc, vld(b, o + 2)) : z, a2 = b ? f64x2.mul(sc, vld(b, o + 4)) : z, a3 = b ? f64x2.mul(sc, vld(b, o + 6)) : z;
    let a4 = b ? f64x2.mul(sc, vld(b, o + 8)) : z, a5 = b ? f64x2.mul(sc, vld(b, o + 10)) : z, a6 = b ? f64x2.mul(sc, vld(b, o + 12)) : z, a7 = b ? f64x2.mul(sc, vld(b, o + 14)) : z;
    for (let k = 0; k < nin; k++) {
      const xk = f64x2.splat(ld(x, k)), row = W + (<usize>(k * ldw + o) << 3);
      a0 = f64x2.add(a0, f64x2.mul(xk, v128.load(row)));
      a1 = f64x2.add(a1, f64x2.mul(xk, v128.load(row, 16)));
      a2 = f64x2.add(a2, f64x2.mul(xk, v128.load(row, 32)));
      a3 = f64x2.add(a3, f64x2.mul(xk, v128.load(row, 48)));
      a4 = f64x2.add(a4, f64x2.mul(xk, v128.load(row, 64)));
      a5 = f64x2.add(a5, f64x2.mul(xk, v128.load(row, 80)));
      a6 = f64x2.add(a6, f64x2.mul(xk, v128.load(row, 96)));
      a7 = f64x2.add(a7, f64x2.mul(xk, v128.load(row, 112)));
    }
    vst(y, o, a0); vst(y, o + 2, a1); vst(y, o + 4, a2); vst(y, o + 6, a3);
    vst(y, o + 8, a4); vst(y, o + 10, a5); vst(y, o + 12, a6); vst(y, o + 14, a7);
  }
  for (; o + 1 < nout; o += 2) {
    let a0 = b ? f64x2.mul(sc, vld(b, o)) : z;
    for (let k = 0; k < nin; k++) a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(ld(x, k)), vld(W, k * ldw + o)));
    vst(y, o, a0);
  }
  for (; o < nout; o++) {
    let a = b ? c * ld(b, o) : 0.0;
    for (let k = 0; k < nin; k++) a += ld(x, k) * ld(W, k * ldw + o);
    st(y, o, a);
  }
}

/**
 * rowGemm for two rows x0, x1 (scales c0, c1 of b) sharing each load of W: 8 outputs at a time in
 * 2 × 4 accumulators, then pairs (nout even).
 */
@inline function rowGemm2(x0: usize, x1: usize, nin: i32, W: usize, nout: i32, ldw: i32, b: usize, c0: f64, c1: f64, y0: usize, y1: usize): void {
  const s0 = f64x2.splat(c0), s1 = f64x2.splat(c1);
  let o = 0;
  for (; o + 7 < nout; o += 8) {
    const b0 = vld(b, o), b1 = vld(b, o + 2), b2 = vld(b, o + 4), b3 = vld(b, o + 6);
    let a0 = f64x2.mul(s0, b0), a1 = f64x2.mul(s0, b1), a2 = f64x2.mul(s0, b2), a3 = f64x2.mul(s0, b3);
    let e0 = f64x2.mul(s1, b0), e1 = f64x2.mul(s1, b1), e2 = f64x2.mul(s1, b2), e3 = f64x2.mul(s1, b3);
    const step = <usize>ldw << 3, xe = x0 + (<usize>nin << 3);
    for (let xa = x0, xb = x1, row = W + (<usize>o << 3); xa < xe; xa += 8, xb += 8, row += step) {
      const p0 = v128.load64_splat(xa), p1 = v128.load64_splat(xb);
      const w0 = v128.load(row), w1 = v128.load(row, 16), w2 = v128.load(row, 32), w3 = v128.load(row, 48);
      a0 = f64x2.add(a0, f64x2.mul(p0, w0)); e0 = f64x2.add(e0, f64x2.mul(p1, w0));
      a1 = f64x2.add(a1, f64x2.mul(p0, w1)); e1 = f64x2.add(e1, f64x2.mul(p1, w1));
      a2 = f64x2.add(a2, f64x2.mul(p0, w2)); e2 = f64x2.add(e2, f64x2.mul(p1, w2));
      a3 = f64x2.add(a3, f64x2.mul(p0, w3)); e3 = f64x2.add(e3, f64x2.mul(p1, w3));
    }
    vst(y0, o, a0); vst(y0, o + 2, a1); vst(y0, o + 4, a2); vst(y0, o + 6, a3);
    vst(y1, o, e0); vst(y1, o + 2, e1); vst(y1, o + 4, e2); vst(y1, o + 6, e3);
  }
  for (; o < nout; o += 2) {
    const bb = vld(b, o);
    let a0 = f64x2.mul(s0, bb), e0 = f64x2.mul(s1, bb);
    for (let k = 0; k < nin; k++) {
      const w0 = vld(W, k * ldw + o);
      a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(ld(x0, k)), w0));
      e0 = f64x2.add(e0, f64x2.mul(f64x2.splat(ld(x1, k)), w0));
    }
    vst(y0, o, a0); vst(y1, o, e0);
  }
}

/**
 * Epilogue of gemmRows: a (the products of one row, plus bias) ∘ scale when scale != 0, plus the
 * old y when acc != 0.
 */
@inline function finish(a: v128, y: usize, o: i32, scale: usize, acc: i32): void {
  let r = a;
  if (scale) r = f64x2.mul(r, vld(scale, o));
  if (acc) r = f64x2.add(r, vld(y, o));
  vst(y, o, r);
}

/**
 * y[i, :] (+)= (b + x[i, :] W) ∘ scale[i, :] for i < n (W [nin, nout]; b, scale = 0: none; acc != 0:
 * add to y). Rows two at a time sharing each load of W, 8 outputs at a time in 2 × 4 accumulators,
 * then pairs of outputs, then a scalar column; an odd last row alone.
 */
function gemmRows(x: usize, n: i32, nin: i32, W: usize, nout: i32, b: usize, y: usize, acc: i32, scale: usize): void {
  const z = f64x2.splat(0.0);
  const rx = <usize>nin << 3, ry = <usize>nout << 3;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const x0 = x + <usize>i * rx, x1 = x0 + rx, y0 = y + <usize>i * ry, y1 = y0 + ry, xe = x1;
    const s0 = scale ? scale + <usize>i * ry : 0, s1 = scale ? s0 + ry : 0;
    let o = 0;
    for (; o + 7 < nout; o += 8) {
      let a0 = b ? vld(b, o) : z, a1 = b ? vld(b, o + 2) : z, a2 = b ? vld(b, o + 4) : z, a3 = b ? vld(b, o + 6) : z;
      let e0 = a0, e1 = a1, e2 = a2, e3 = a3;
      for (let xa = x0, xb = x1, row = W + (<usize>o << 3); xa < xe; xa += 8, xb += 8, row += ry) {
        const p0 = v128.load64_splat(xa), p1 = v128.load64_splat(xb);
        const w0 = v128.load(row), w1 = v128.load(row, 16), w2 = v128.load(row, 32), w3 = v128.load(row, 48);
        a0 = f64x2.add(a0, f64x2.mul(p0, w0)); e0 = f64x2.add(e0, f64x2.mul(p1, w0));
        a1 = f64x2.add(a1, f64x2.mul(p0, w1)); e1 = f64x2.add(e1, f64x2.mul(p1, w1));
        a2 = f64x2.add(a2, f64x2.mul(p0, w2)); e2 = f64x2.add(e2, f64x2.mul(p1, w2));
        a3 = f64x2.add(a3, f64x2.mul(p0, w3)); e3 = f64x2.add(e3, f64x2.mul(p1, w3));
      }
      finish(a0, y0, o, s0, acc); finish(a1, y0, o + 2, s0, acc); finish(a2, y0, o + 4, s0, acc); finish(a3, y0, o + 6, s0, acc);
      finish(e0, y1, o, s1, acc); finish(e1, y1, o + 2, s1, acc); finish(e2, y1, o + 4, s1, acc); finish(e3, y1, o + 6, s1, acc);
    }
    for (; o + 1 < nout; o += 2) {
      let a0 = b ? vld(b, o) : z, e0 = a0;
      for (let k = 0; k < nin; k++) {
        const w0 = vld(W, k * nout + o);
        a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(ld(x0, k)), w0));
        e0 = f64x2.add(e0, f64x2.mul(f64x2.splat(ld(x1, k)), w0));
      }
      finish(a0, y0, o, s0, acc); finish(e0, y1, o, s1, acc);
    }
    if (o < nout) {
      // a last single column: two rows in the two lanes
      let a = b ? f64x2.splat(ld(b, o)) : z;
      for (let k = 0; k < nin; k++) a = f64x2.add(a, f64x2.mul(f64x2.replace_lane(f64x2.splat(ld(x0, k)), 1, ld(x1, k)), f64x2.splat(ld(W, k * nout + o))));
      let a0 = f64x2.extract_lane(a, 0), a1 = f64x2.extract_lane(a, 1);
      if (scale) { a0 *= ld(s0, o); a1 *= ld(s1, o); }
      if (acc) { a0 += ld(y0, o); a1 += ld(y1, o); }
      st(y0, o, a0); st(y1, o, a1);
    }
  }
  if (i < n) {
    const x0 = x + <usize>i * rx, y0 = y + <usize>i * ry, s0 = scale ? scale + <usize>i * ry : 0;
    for (let o = 0; o < nout; o++) {
      let a = b ? ld(b, o) : 0.0;
      for (let k = 0; k < nin; k++) a += ld(x0, k) * ld(W, k * nout + o);
      if (scale) a *= ld(s0, o);
      if (acc) a += ld(y0, o);
      st(y0, o, a);
    }
  }
}

/** y[n, nout] = x[n, nin] W[nin, nout] + b (b = 0: no bias). */
export function dense(x: usize, n: i32, nin: i32, W: usize, nout: i32, b: usize, y: usize): void {
  gemmRows(x, n, nin, W, nout, b, y, 0, 0);
}

/**
 * gx[n, nin] (+)= (gy[n, nout] Wᵀ) ∘ scale (scale = 0: none; accumulate != 0: add to gx), given
 * WT = Wᵀ [nout, nin].
 */
export function denseBack(gy: usize, n: i32, nout: i32, WT: usize, nin: i32, gx: usize, accumulate: i32, scale: usize): void {
  gemmRows(gy, n, nout, WT, nin, 0, gx, accumulate, scale);
}

/**
 * filt[p, :] = rbfc[p, :] fk + fc[p] fb, for p < P (K basis functions, F3 = 3F outputs). vv = 0 (first
 * block, v = 0): only the ss and vs thirds [0, F) and [2F, 3F); the vv third is not written (unused).
 */
export function filters(P: i32, K: i32, F3: i32, rbfc: usize, fc: usize, fk: usize, fb: usize, filt: usize, vv: i32): void {
  const F = F3 / 3, off = <usize>(2 * F) << 3;
  let p = 0;
  for (; p + 1 < P; p += 2) { // two pairs at a time: each load of fk serves both
    const x = rbfc + (<usize>(p * K) << 3), xb = x + (<usize>K << 3), c = ld(fc, p), cb = ld(fc, p + 1);
    const y = filt + (<usize>(p * F3) << 3), yb = y + (<usize>F3 << 3);
    if (vv) rowGemm2(x, xb, K, fk, F3, F3, fb, c, cb, y, yb);
    else {
      rowGemm2(x, xb, K, fk, F, F3, fb, c, cb, y, yb);
      rowGemm2(x, xb, K, fk + off, F, F3, fb + off, c, cb, y + off, yb + off);
    }
  }
  for (; p < P; p++) {
    const x = rbfc + (<usize>(p * K) << 3), c = ld(fc, p), y = filt + (<usize>(p * F3) << 3);
    if (vv) rowGemm(x, K, fk, F3, F3, fb, c, y);
    else {
      rowGemm(x, K, fk, F, F3, fb, c, y);
      rowGemm(x, K, fk + off, F, F3, fb + off, c, y + off);
    }
  }
}

/**
 * Messages of P half pairs (i = pi[p], j = pj[p], r̂ = dir[p]): s_i += x_j,ss ∘ W_ss, s_j += x_i,ss ∘ W_ss;
 * v_i += x_j,vs ∘ W_vs r̂ (+ vIn_j ∘ x_j,vv ∘ W_vv when vv), v_j -= x_i,vs ∘ W_vs r̂ (+ vIn_i ∘ ...).
 * s [N, F], v and vIn [N, 3, F], x and filt rows of 3F.
 */
export function messageForward(P: i32, F: i32, pi: usize, pj: usize, dir: usize, filt: usize, x: usize, s: usize, v: usize, vIn: usize, vv: i32): void {
  // F = 32 (the default model) compiled apart: its row offsets become immediate load offsets
  if (F == 32) messageForwardF(P, 32, pi, pj, dir, filt, x, s, v, vIn, vv);
  else messageForwardF(P, F, pi, pj, dir, filt, x, s, v, vIn, vv);
}

@inline function messageForwardF(P: i32, F: i32, pi: usize, pj: usize, dir: usize, filt: usize, x: usize, s: usize, v: usize, vIn: usize, vv: i32): void {
  const B = <usize>F << 3, B2 = B << 1, B3 = B * 3;
  for (let p = 0; p < P; p++) {
    const i = <usize>li(pi, p), j = <usize>li(pj, p);
    const fp = filt + <usize>p * B3, xI = x + i * B3, xJ = x + j * B3, sI = s + i * B, sJ = s + j * B;
    const vI = v + i * B3, vJ = v + j * B3, wI = vIn + i * B3, wJ = vIn + j * B3;
    const dp = dir + <usize>(3 * p) * 8, dx = v128.load64_splat(dp), dy = v128.load64_splat(dp, 8), dz = v128.load64_splat(dp, 16);
    for (let o: usize = 0; o < B; o += 16) {
      const fss = v128.load(fp + o), fvs = v128.load(fp + o + B2);
      v128.store(sI + o, f64x2.add(v128.load(sI + o), f64x2.mul(v128.load(xJ + o), fss)));
      v128.store(sJ + o, f64x2.add(v128.load(sJ + o), f64x2.mul(v128.load(xI + o), fss)));
      const ci = f64x2.mul(v128.load(xJ + o + B2), fvs), cj = f64x2.mul(v128.load(xI + o + B2), fvs);
      let ix = f64x2.mul(ci, dx), iy = f64x2.mul(ci, dy), iz = f64x2.mul(ci, dz);
      // v_j gets -x_i,vs ∘ W_vs r̂: subtracted
      let jx = f64x2.sub(v128.load(vJ + o), f64x2.mul(cj, dx)), jy = f64x2.sub(v128.load(vJ + o + B), f64x2.mul(cj, dy)), jz = f64x2.sub(v128.load(vJ + o + B2), f64x2.mul(cj, dz));
      if (vv) {
        const fvv = v128.load(fp + o + B);
        const ai = f64x2.mul(v128.load(xJ + o + B), fvv), aj = f64x2.mul(v128.load(xI + o + B), fvv);
        ix = f64x2.add(ix, f64x2.mul(v128.load(wJ + o), ai));
        iy = f64x2.add(iy, f64x2.mul(v128.load(wJ + o + B), ai));
        iz = f64x2.add(iz, f64x2.mul(v128.load(wJ + o + B2), ai));
        jx = f64x2.add(jx, f64x2.mul(v128.load(wI + o), aj));
        jy = f64x2.add(jy, f64x2.mul(v128.load(wI + o + B), aj));
        jz = f64x2.add(jz, f64x2.mul(v128.load(wI + o + B2), aj));
      }
      v128.store(vI + o, f64x2.add(v128.load(vI + o), ix));
      v128.store(vI + o + B, f64x2.add(v128.load(vI + o + B), iy));
      v128.store(vI + o + B2, f64x2.add(v128.load(vI + o + B2), iz));
      v128.store(vJ + o, jx);
      v128.store(vJ + o + B, jy);
      v128.store(vJ + o + B2, jz);
    }
  }
}

/**
 * y0[n] += Σ_{o ∈ [o0, o1)} g0[o] WT[o, n] and the same for g1 into y1, n < K (WT [·, K] rows of K):
 * 8 outputs at a time in 2 × 4 accumulators sharing each load of WT, then pairs, then a scalar tail.
 */
@inline function accRows2(g0: usize, g1: usize, o0: i32, o1: i32, WT: usize, K: i32, y0: usize, y1: usize): void {
  let n = 0;
  for (; n + 7 < K; n += 8) {
    let a0 = vld(y0, n), a1 = vld(y0, n + 2), a2 = vld(y0, n + 4), a3 = vld(y0, n + 6);
    let e0 = vld(y1, n), e1 = vld(y1, n + 2), e2 = vld(y1, n + 4), e3 = vld(y1, n + 6);
    const step = <usize>K << 3, ge = g0 + (<usize>o1 << 3);
    for (let ga = g0 + (<usize>o0 << 3), gb = g1 + (<usize>o0 << 3), row = WT + (<usize>(o0 * K + n) << 3); ga < ge; ga += 8, gb += 8, row += step) {
      const p0 = v128.load64_splat(ga), p1 = v128.load64_splat(gb);
      const w0 = v128.load(row), w1 = v128.load(row, 16), w2 = v128.load(row, 32), w3 = v128.load(row, 48);
      a0 = f64x2.add(a0, f64x2.mul(p0, w0)); e0 = f64x2.add(e0, f64x2.mul(p1, w0));
      a1 = f64x2.add(a1, f64x2.mul(p0, w1)); e1 = f64x2.add(e1, f64x2.mul(p1, w1));
      a2 = f64x2.add(a2, f64x2.mul(p0, w2)); e2 = f64x2.add(e2, f64x2.mul(p1, w2));
      a3 = f64x2.add(a3, f64x2.mul(p0, w3)); e3 = f64x2.add(e3, f64x2.mul(p1, w3));
    }
    vst(y0, n, a0); vst(y0, n + 2, a1); vst(y0, n + 4, a2); vst(y0, n + 6, a3);
    vst(y1, n, e0); vst(y1, n + 2, e1); vst(y1, n + 4, e2); vst(y1, n + 6, e3);
  }
  for (; n + 1 < K; n += 2) {
    let a0 = vld(y0, n), e0 = vld(y1, n);
    for (let o = o0; o < o1; o++) {
      const w0 = vld(WT, o * K + n);
      a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(ld(g0, o)), w0));
      e0 = f64x2.add(e0, f64x2.mul(f64x2.splat(ld(g1, o)), w0));
    }
    vst(y0, n, a0); vst(y1, n, e0);
  }
  for (; n < K; n++) {
    let a = ld(y0, n), e = ld(y1, n);
    for (let o = o0; o < o1; o++) {
      const w = ld(WT, o * K + n);
      a += ld(g0, o) * w;
      e += ld(g1, o) * w;
    }
    st(y0, n, a); st(y1, n, e);
  }
}

/**
 * Reverse pass of messageForward for P half pairs: gx [N, 3F] += dE/dx (only when needGx != 0: the
 * first block's x is a function of the species alone), gv2 [N, 3, F] += dE/dvIn
 * (vv only), and per pair gDir [3P] += dE/dr̂, gFc [P] += dE/df_c, gRbfc [P, K] += dE/d(rbf·f_c) through
 * filt = rbfc fk + fc fb (fkT = fkᵀ [3F, K]). gs [N, F] and gv [N, 3, F] are dE/ds and dE/dv after
 * the messages. gfilt: scratch of 6F values (dE/dfilt of two pairs, whose gRbfc rows are then made
 * together so that each load of fkT serves both). With tab != 0 (tabulated filters, M intervals,
 * invH = M/rc, pair distances r [P]) gR [P] += dE/dr instead, and gFc, gRbfc, fkT, fb are not used.
 */
export function messageBackward(P: i32, F: i32, K: i32, pi: usize, pj: usize, dir: usize, filt: usize, x: usize, gs: usize, gv: usize, vIn: usize, vv: i32,
  needGx: i32, gx: usize, gv2: usize, gDir: usize, gFc: usize, gRbfc: usize, fkT: usize, fb: usize, gfilt: usize,
  r: usize, tab: usize, M: i32, invH: f64, gR: usize): void {
  // F = 32 compiled apart, for the two cases that occur (vv and needGx both on or both off)
  if (F == 32 && vv && needGx) messageBackwardF(P, 32, K, pi, pj, dir, filt, x, gs, gv, vIn, 1, 1, gx, gv2, gDir, gFc, gRbfc, fkT, fb, gfilt, r, tab, M, invH, gR);
  else if (F == 32 && !vv && !needGx) messageBackwardF(P, 32, K, pi, pj, dir, filt, x, gs, gv, vIn, 0, 0, gx, gv2, gDir, gFc, gRbfc, fkT, fb, gfilt, r, tab, M, invH, gR);
  else messageBackwardF(P, F, K, pi, pj, dir, filt, x, gs, gv, vIn, vv, needGx, gx, gv2, gDir, gFc, gRbfc, fkT, fb, gfilt, r, tab, M, invH, gR);
}

@inline function messageBackwardF(P: i32, F: i32, K: i32, pi: usize, pj: usize, dir: usize, filt: usize, x: usize, gs: usize, gv: usize, vIn: usize, vv: i32,
  needGx: i32, gx: usize, gv2: usize, gDir: usize, gFc: usize, gRbfc: usize, fkT: usize, fb: usize, gfilt: usize,
  r: usize, tab: usize, M: i32, invH: f64, gR: usize): void {
  const F3 = 3 * F, F2 = 2 * F;
  const zero = f64x2.splat(0.0);
  const B = <usize>F << 3, B2 = B << 1, B3 = B * 3;
  for (let p = 0; p < P; p++) {
    const gf = gfilt + <usize>(p & 1) * B3;
    const i = <usize>li(pi, p), j = <usize>li(pj, p);
    const fp = filt + <usize>p * B3, xI = x + i * B3, xJ = x + j * B3, gsI = gs + i * B, gsJ = gs + j * B;
    const gvI = gv + i * B3, gvJ = gv + j * B3, gxI = gx + i * B3, gxJ = gx + j * B3;
    const wI = vIn + i * B3, wJ = vIn + j * B3, g2I = gv2 + i * B3, g2J = gv2 + j * B3;
    const dp = dir + <usize>(3 * p) * 8, dx = v128.load64_splat(dp), dy = v128.load64_splat(dp, 8), dz = v128.load64_splat(dp, 16);
    let gdx = zero, gdy = zero, gdz = zero, gfc = zero;
    for (let o: usize = 0; o < B; o += 16) {
      const fss = v128.load(fp + o), fvs = v128.load(fp + o + B2);
      const gsi = v128.load(gsI + o), gsj = v128.load(gsJ + o);
      const gss = f64x2.add(f64x2.mul(gsi, v128.load(xJ + o)), f64x2.mul(gsj, v128.load(xI + o)));
      v128.store(gf + o, gss);
      if (needGx) {
        v128.store(gxJ + o, f64x2.add(v128.load(gxJ + o), f64x2.mul(gsi, fss)));
        v128.store(gxI + o, f64x2.add(v128.load(gxI + o), f64x2.mul(gsj, fss)));
      }
      const gix = v128.load(gvI + o), giy = v128.load(gvI + o + B), giz = v128.load(gvI + o + B2);
      const gjx = v128.load(gvJ + o), gjy = v128.load(gvJ + o + B), gjz = v128.load(gvJ + o + B2);
      const wi = f64x2.add(f64x2.add(f64x2.mul(gix, dx), f64x2.mul(giy, dy)), f64x2.mul(giz, dz));
      const wj = f64x2.add(f64x2.add(f64x2.mul(gjx, dx), f64x2.mul(gjy, dy)), f64x2.mul(gjz, dz)); // the j side's weight is -wj
      const xvsj = v128.load(xJ + o + B2), xvsi = v128.load(xI + o + B2);
      const gvs = f64x2.sub(f64x2.mul(wi, xvsj), f64x2.mul(wj, xvsi));
      v128.store(gf + o + B2, gvs);
      if (!tab) gfc = f64x2.add(gfc, f64x2.add(f64x2.mul(gss, v128.load(fb + o)), f64x2.mul(gvs, v128.load(fb + o + B2))));
      if (needGx) {
        v128.store(gxJ + o + B2, f64x2.add(v128.load(gxJ + o + B2), f64x2.mul(wi, fvs)));
        v128.store(gxI + o + B2, f64x2.sub(v128.load(gxI + o + B2), f64x2.mul(wj, fvs)));
      }
      const ci = f64x2.mul(xvsj, fvs), cj = f64x2.mul(xvsi, fvs);
      gdx = f64x2.add(gdx, f64x2.sub(f64x2.mul(gix, ci), f64x2.mul(gjx, cj)));
      gdy = f64x2.add(gdy, f64x2.sub(f64x2.mul(giy, ci), f64x2.mul(gjy, cj)));
      gdz = f64x2.add(gdz, f64x2.sub(f64x2.mul(giz, ci), f64x2.mul(gjz, cj)));
      if (vv) {
        const fvv = v128.load(fp + o + B), xvvj = v128.load(xJ + o + B), xvvi = v128.load(xI + o + B);
        const ti = f64x2.add(f64x2.add(f64x2.mul(gix, v128.load(wJ + o)), f64x2.mul(giy, v128.load(wJ + o + B))), f64x2.mul(giz, v128.load(wJ + o + B2)));
        const tj = f64x2.add(f64x2.add(f64x2.mul(gjx, v128.load(wI + o)), f64x2.mul(gjy, v128.load(wI + o + B))), f64x2.mul(gjz, v128.load(wI + o + B2)));
        const gvv = f64x2.add(f64x2.mul(ti, xvvj), f64x2.mul(tj, xvvi));
        v128.store(gf + o + B, gvv);
        if (!tab) gfc = f64x2.add(gfc, f64x2.mul(gvv, v128.load(fb + o + B)));
        if (needGx) {
          v128.store(gxJ + o + B, f64x2.add(v128.load(gxJ + o + B), f64x2.mul(ti, fvv)));
          v128.store(gxI + o + B, f64x2.add(v128.load(gxI + o + B), f64x2.mul(tj, fvv)));
        }
        const ai = f64x2.mul(xvvj, fvv), aj = f64x2.mul(xvvi, fvv);
        v128.store(g2J + o, f64x2.add(v128.load(g2J + o), f64x2.mul(gix, ai)));
        v128.store(g2J + o + B, f64x2.add(v128.load(g2J + o + B), f64x2.mul(giy, ai)));
        v128.store(g2J + o + B2, f64x2.add(v128.load(g2J + o + B2), f64x2.mul(giz, ai)));
        v128.store(g2I + o, f64x2.add(v128.load(g2I + o), f64x2.mul(gjx, aj)));
        v128.store(g2I + o + B, f64x2.add(v128.load(g2I + o + B), f64x2.mul(gjy, aj)));
        v128.store(g2I + o + B2, f64x2.add(v128.load(g2I + o + B2), f64x2.mul(gjz, aj)));
      }
    }
    st(gDir, 3 * p, ld(gDir, 3 * p) + hsum(gdx));
    st(gDir, 3 * p + 1, ld(gDir, 3 * p + 1) + hsum(gdy));
    st(gDir, 3 * p + 2, ld(gDir, 3 * p + 2) + hsum(gdz));
    if (tab) { // tabulated filters: dE/dr directly, by the interpolant's slope
      st(gR, p, ld(gR, p) + tableSlopeDot(ld(r, p), invH, M, tab, gf, B, vv));
      continue;
    }
    st(gFc, p, ld(gFc, p) + hsum(gfc));
    // dE/drbfc_n = Σ_o gfilt[o] fk[n, o], for pairs p - 1 and p together (the vv third only with vv)
    const last = p + 1 == P;
    if ((p & 1) || last) {
      const q = (p & 1) ? p - 1 : p, g0 = gfilt, g1 = (p & 1) ? gfilt + (<usize>F3 << 3) : gfilt;
      const y0 = gRbfc + (<usize>(q * K) << 3), y1 = (p & 1) ? y0 + (<usize>K << 3) : gfilt + (<usize>(2 * F3) << 3);
      if (vv) accRows2(g0, g1, 0, F3, fkT, K, y0, y1);
      else {
        accRows2(g0, g1, 0, F, fkT, K, y0, y1);
        accRows2(g0, g1, F2, F3, fkT, K, y0, y1);
      }
    }
  }
}

// ---- per-atom steps of the update block and the activation (two lanes over the channels f)

/** h = silu(z) = z σ(z), dh = silu'(z) = σ(z)(1 + z(1 - σ(z))) over [0, n); h may be z. */
export function silu(z: usize, h: usize, dh: usize, n: i32): void {
  const one = f64x2.splat(1.0);
  for (let o = 0; o < n; o += 2) {
    // an odd n: the last pair's second lane reads one value past the end and is not stored
    const x = vld(z, o);
    const sg = f64x2.div(one, f64x2.add(one, vexp(f64x2.neg(x))));
    const y = f64x2.mul(x, sg), d = f64x2.mul(sg, f64x2.add(one, f64x2.mul(x, f64x2.sub(one, sg))));
    if (o + 1 < n) { vst(h, o, y); vst(dh, o, d); }
    else { st(h, o, f64x2.extract_lane(y, 0)); st(dh, o, f64x2.extract_lane(d, 0)); }
  }
}

/** ctx [N, 2F] = [s | ‖Vv‖] with ‖Vv‖_f = sqrt(Σ_d Vv[i, d, f]² + eps); Vv [N, 3, F]. */
export function updateContext(N: i32, F: i32, s: usize, Vv: usize, ctx: usize, eps: f64): void {
  const F2 = 2 * F, e = f64x2.splat(eps);
  for (let i = 0; i < N; i++) {
    const q = 3 * i * F, c = i * F2, si = i * F;
    for (let f = 0; f < F; f += 2) {
      const a = vld(Vv, q + f), b = vld(Vv, q + F + f), cc = vld(Vv, q + F2 + f);
      vst(ctx, c + f, vld(s, si + f));
      vst(ctx, c + F + f, f64x2.sqrt(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b)), f64x2.mul(cc, cc)), e)));
    }
  }
}

/** s += a_ss + a_sv (Uv·Vv); with upd, v += a_vv ∘ Uv. u [N, 3F] = [a_vv | a_sv | a_ss]. */
export function updateApply(N: i32, F: i32, s: usize, v: usize, Uv: usize, Vv: usize, u: usize, upd: i32): void {
  const F2 = 2 * F, F3 = 3 * F;
  for (let i = 0; i < N; i++) {
    const q = 3 * i * F, uo = i * F3, si = i * F;
    for (let f = 0; f < F; f += 2) {
      const ux = vld(Uv, q + f), uy = vld(Uv, q + F + f), uz = vld(Uv, q + F2 + f);
      const dot = f64x2.add(f64x2.add(f64x2.mul(ux, vld(Vv, q + f)), f64x2.mul(uy, vld(Vv, q + F + f))), f64x2.mul(uz, vld(Vv, q + F2 + f)));
      vst(s, si + f, f64x2.add(vld(s, si + f), f64x2.add(vld(u, uo + F2 + f), f64x2.mul(vld(u, uo + F + f), dot))));
      if (upd) {
        const avv = vld(u, uo + f);
        vadd(v, q + f, f64x2.mul(avv, ux)); vadd(v, q + F + f, f64x2.mul(avv, uy)); vadd(v, q + F2 + f, f64x2.mul(avv, uz));
      }
    }
  }
}

/** Reverse of updateApply into gu [N, 3F] = [g_avv | g_asv | g_ass] (g_avv = 0 when gvZero). */
export function updateBackU(N: i32, F: i32, gs: usize, gv: usize, Uv: usize, Vv: usize, gu: usize, gvZero: i32): void {
  const F2 = 2 * F, F3 = 3 * F, z = f64x2.splat(0.0);
  for (let i = 0; i < N; i++) {
    const q = 3 * i * F, uo = i * F3, si = i * F;
    for (let f = 0; f < F; f += 2) {
      const ux = vld(Uv, q + f), uy = vld(Uv, q + F + f), uz = vld(Uv, q + F2 + f);
      const dot = f64x2.add(f64x2.add(f64x2.mul(ux, vld(Vv, q + f)), f64x2.mul(uy, vld(Vv, q + F + f))), f64x2.mul(uz, vld(Vv, q + F2 + f)));
      const g = vld(gs, si + f);
      vst(gu, uo + f, gvZero ? z : f64x2.add(f64x2.add(f64x2.mul(vld(gv, q + f), ux), f64x2.mul(vld(gv, q + F + f), uy)), f64x2.mul(vld(gv, q + F2 + f), uz)));
      vst(gu, uo + F + f, f64x2.mul(g, dot));
      vst(gu, uo + F2 + f, g);
    }
  }
}

/**
 * Reverse of the update down to Uv, Vv and s: gUv = gv ∘ a_vv + g_dot Vv, gVv = g_dot Uv + g_norm Vv
 * (g_dot = gs a_sv, g_norm = gctx_norm / ‖Vv‖), gs += gctx_s. gctx [N, 2F] = dE/d[s | ‖Vv‖].
 */
export function updateBackV(N: i32, F: i32, gs: usize, gv: usize, Uv: usize, Vv: usize, u: usize, gctx: usize, gUv: usize, gVv: usize, gvZero: i32, eps: f64): void {
  const F2 = 2 * F, F3 = 3 * F, e = f64x2.splat(eps), z = f64x2.splat(0.0);
  for (let i = 0; i < N; i++) {
    const q = 3 * i * F, uo = i * F3, si = i * F, c = i * F2;
    for (let f = 0; f < F; f += 2) {
      const g = vld(gs, si + f), gdot = f64x2.mul(g, vld(u, uo + F + f)), avv = vld(u, uo + f);
      const a = vld(Vv, q + f), b = vld(Vv, q + F + f), cc = vld(Vv, q + F2 + f);
      const gn = f64x2.div(vld(gctx, c + F + f), f64x2.sqrt(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b)), f64x2.mul(cc, cc)), e)));
      const ux = vld(Uv, q + f), uy = vld(Uv, q + F + f), uz = vld(Uv, q + F2 + f);
      const gx = gvZero ? z : f64x2.mul(vld(gv, q + f), avv), gy = gvZero ? z : f64x2.mul(vld(gv, q + F + f), avv), gz = gvZero ? z : f64x2.mul(vld(gv, q + F2 + f), avv);
      vst(gUv, q + f, f64x2.add(gx, f64x2.mul(gdot, a)));
      vst(gUv, q + F + f, f64x2.add(gy, f64x2.mul(gdot, b)));
      vst(gUv, q + F2 + f, f64x2.add(gz, f64x2.mul(gdot, cc)));
      vst(gVv, q + f, f64x2.add(f64x2.mul(gdot, ux), f64x2.mul(gn, a)));
      vst(gVv, q + F + f, f64x2.add(f64x2.mul(gdot, uy), f64x2.mul(gn, b)));
      vst(gVv, q + F2 + f, f64x2.add(f64x2.mul(gdot, uz), f64x2.mul(gn, cc)));
      vst(gs, si + f, f64x2.add(g, vld(gctx, c + f)));
    }
  }
}

// ---- pair geometry: r̂, the Bessel basis × cutoff, and the chain rule back to dE/dd_p

let gS1: v128 = f64x2.splat(0.0), gC1: v128 = f64x2.splat(0.0), gFcv: v128 = f64x2.splat(0.0), gDfcv: v128 = f64x2.splat(0.0);

/** sin θ, cos θ (θ = πr/rc ∈ [0, π]) into gS1, gC1 and f_c, df_c/dr into gFcv, gDfcv, for the lanes of r. */
@inline function radial(r: v128, rc: f64, poly: i32, pp: i32): void {
  const y = f64x2.sub(f64x2.mul(r, f64x2.splat(Math.PI / rc)), f64x2.splat(0.5 * Math.PI));
  gS1 = vcosHalf(y); // sin(y + π/2)
  gC1 = f64x2.neg(vsinHalf(y)); // cos(y + π/2)
  const one = f64x2.splat(1.0);
  if (!poly) {
    gFcv = f64x2.mul(f64x2.splat(0.5), f64x2.add(gC1, one));
    gDfcv = f64x2.mul(f64x2.splat(-0.5 * Math.PI / rc), gS1);
    return;
  }
  const p = <f64>pp, pa = ((p + 1) * (p + 2)) / 2, pb = p * (p + 2), pc = (p * (p + 1)) / 2;
  const u = f64x2.mul(r, f64x2.splat(1.0 / rc));
  let up1 = one;
  for (let k = 1; k < pp; k++) up1 = f64x2.mul(up1, u);
  const up = f64x2.mul(up1, u), upu = f64x2.mul(up, u);
  gFcv = f64x2.add(f64x2.sub(one, f64x2.mul(f64x2.splat(pa), up)), f64x2.sub(f64x2.mul(f64x2.splat(pb), upu), f64x2.mul(f64x2.splat(pc), f64x2.mul(upu, u))));
  gDfcv = f64x2.mul(f64x2.add(f64x2.sub(f64x2.mul(f64x2.splat(pb * (p + 1)), up), f64x2.mul(f64x2.splat(pa * p), up1)), f64x2.mul(f64x2.splat(-pc * (p + 2)), upu)), f64x2.splat(1.0 / rc));
}

/** One pair's r̂ and rbfc row [K] = sin(nθ)/r · f_c, n = 1..K, two n per lane pair (steps of 2θ). */
@inline function basisRow(p: i32, K: i32, r: f64, s1: f64, c1: f64, fc: f64, vec: usize, dir: usize, rbfc: usize): void {
  const inv = 1.0 / r;
  st(dir, 3 * p, ld(vec, 3 * p) * inv); st(dir, 3 * p + 1, ld(vec, 3 * p + 1) * inv); st(dir, 3 * p + 2, ld(vec, 3 * p + 2) * inv);
  const s2 = 2.0 * s1 * c1, c2 = c1 * c1 - s1 * s1, ss = f64x2.splat(s2), cs = f64x2.splat(c2), sc = f64x2.splat(inv * fc);
  let S = f64x2.replace_lane(f64x2.splat(s1), 1, s2), C = f64x2.replace_lane(f64x2.splat(c1), 1, c2);
  const row = p * K;
  let n = 0;
  for (; n + 1 < K; n += 2) {
    vst(rbfc, row + n, f64x2.mul(S, sc));
    const S2 = f64x2.add(f64x2.mul(S, cs), f64x2.mul(C, ss));
    C = f64x2.sub(f64x2.mul(C, cs), f64x2.mul(S, ss));
    S = S2;
  }
  if (n < K) st(rbfc, row + n, f64x2.extract_lane(S, 0) * inv * fc);
}

/**
 * For P pairs (r [P], d = vec [3P]): dir = d/r, fcv = f_c(r), rbfc [P, K] = sin(nπr/rc)/r · f_c(r).
 * Cosine cutoff, or (poly != 0) the polynomial one of degree pp. r is read in pairs (one value past
 * an odd P: padding, unused).
 */
export function pairBasis(P: i32, K: i32, r: usize, vec: usize, dir: usize, rbfc: usize, fcv: usize, rc: f64, poly: i32, pp: i32): void {
  for (let p = 0; p < P; p += 2) {
    const rv = vld(r, p);
    radial(rv, rc, poly, pp);
    st(fcv, p, f64x2.extract_lane(gFcv, 0));
    basisRow(p, K, f64x2.extract_lane(rv, 0), f64x2.extract_lane(gS1, 0), f64x2.extract_lane(gC1, 0), f64x2.extract_lane(gFcv, 0), vec, dir, rbfc);
    if (p + 1 < P) {
      st(fcv, p + 1, f64x2.extract_lane(gFcv, 1));
      basisRow(p + 1, K, f64x2.extract_lane(rv, 1), f64x2.extract_lane(gS1, 1), f64x2.extract_lane(gC1, 1), f64x2.extract_lane(gFcv, 1), vec, dir, rbfc);
    }
  }
}

/** One pair's dE/dd = (dE/dr) r̂ + (g_r̂ - (g_r̂·r̂) r̂)/r from gFc, gRbfc [K] and gDir. */
@inline function gradRow(p: i32, K: i32, r: f64, s1: f64, c1: f64, fc: f64, dfc: f64, rc: f64, dir: usize, gFc: usize, gRbfc: usize, gDir: usize, grad: usize): void {
  const inv = 1.0 / r;
  const s2 = 2.0 * s1 * c1, c2 = c1 * c1 - s1 * s1, ss = f64x2.splat(s2), cs = f64x2.splat(c2);
  let S = f64x2.replace_lane(f64x2.splat(s1), 1, s2), C = f64x2.replace_lane(f64x2.splat(c1), 1, c2);
  let kn = f64x2.replace_lane(f64x2.splat(Math.PI / rc), 1, 2.0 * Math.PI / rc);
  const dk = f64x2.splat(2.0 * Math.PI / rc), vinv = f64x2.splat(inv), vfc = f64x2.splat(fc), vdfc = f64x2.splat(dfc);
  let acc = f64x2.splat(0.0);
  const row = p * K;
  let n = 0;
  for (; n < K; n += 2) {
    // d(sin(kr)/r · f_c)/dr = f_c (k cos(kr) - rbf)/r + rbf f_c'
    const rbf = f64x2.mul(S, vinv);
    const term = f64x2.add(f64x2.mul(vfc, f64x2.mul(f64x2.sub(f64x2.mul(kn, C), rbf), vinv)), f64x2.mul(rbf, vdfc));
    const g = n + 1 < K ? vld(gRbfc, row + n) : f64x2.replace_lane(f64x2.splat(0.0), 0, ld(gRbfc, row + n));
    acc = f64x2.add(acc, f64x2.mul(g, term));
    const S2 = f64x2.add(f64x2.mul(S, cs), f64x2.mul(C, ss));
    C = f64x2.sub(f64x2.mul(C, cs), f64x2.mul(S, ss));
    S = S2;
    kn = f64x2.add(kn, dk);
  }
  pairChain(p, ld(gFc, p) * dfc + hsum(acc), inv, dir, gDir, grad);
}

/** grad[p] = dE/dd_p = (dE/dr) r̂ + (g_r̂ - (g_r̂·r̂) r̂)/r for pair p, given gr = dE/dr and inv = 1/r. */
@inline function pairChain(p: i32, gr: f64, inv: f64, dir: usize, gDir: usize, grad: usize): void {
  const dx = ld(dir, 3 * p), dy = ld(dir, 3 * p + 1), dz = ld(dir, 3 * p + 2);
  const ax = ld(gDir, 3 * p), ay = ld(gDir, 3 * p + 1), az = ld(gDir, 3 * p + 2);
  const proj = ax * dx + ay * dy + az * dz;
  st(grad, 3 * p, gr * dx + (ax - proj * dx) * inv);
  st(grad, 3 * p + 1, gr * dy + (ay - proj * dy) * inv);
  st(grad, 3 * p + 2, gr * dz + (az - proj * dz) * inv);
}

/** grad [3P] = dE/dd_p from gFc [P], gRbfc [P, K], gDir [3P] (dE/df_c, dE/d(rbf·f_c), dE/dr̂). */
export function pairGradients(P: i32, K: i32, r: usize, dir: usize, gFc: usize, gRbfc: usize, gDir: usize, grad: usize, rc: f64, poly: i32, pp: i32): void {
  for (let p = 0; p < P; p += 2) {
    const rv = vld(r, p);
    radial(rv, rc, poly, pp);
    gradRow(p, K, f64x2.extract_lane(rv, 0), f64x2.extract_lane(gS1, 0), f64x2.extract_lane(gC1, 0), f64x2.extract_lane(gFcv, 0), f64x2.extract_lane(gDfcv, 0), rc, dir, gFc, gRbfc, gDir, grad);
    if (p + 1 < P) gradRow(p + 1, K, f64x2.extract_lane(rv, 1), f64x2.extract_lane(gS1, 1), f64x2.extract_lane(gC1, 1), f64x2.extract_lane(gFcv, 1), f64x2.extract_lane(gDfcv, 1), rc, dir, gFc, gRbfc, gDir, grad);
  }
}

// ---- tabulated filters (src-shared/ml/inference/painnFilterTable.ts): per block a table of M intervals
// on [0, rc], node m = [W | h W' | h² W''] (3·F3 values), evaluated by the quintic Hermite interpolant

let hm: usize = 0, hc0: f64 = 0, hc1: f64 = 0, hc2: f64 = 0, hc3: f64 = 0, hc4: f64 = 0, hc5: f64 = 0;

/** Interval of r into hm (clamped to [0, M-1]); the six weights (der = 0) or their r-derivatives (der != 0) into hc0..hc5. */
@inline function hermite(r: f64, invH: f64, M: i32, der: i32): void {
  const x = r * invH;
  let m = <i32>Math.floor(x);
  if (m > M - 1) m = M - 1;
  if (m < 0) m = 0;
  hm = <usize>m;
  const t = x - <f64>m, t2 = t * t, t3 = t2 * t;
  if (!der) {
    const u = t3 * (10.0 - 15.0 * t + 6.0 * t2);
    hc0 = 1.0 - u;
    hc1 = t - t3 * (6.0 - 8.0 * t + 3.0 * t2);
    hc2 = 0.5 * t2 * (1.0 - 3.0 * t + 3.0 * t2 - t3);
    hc3 = u;
    hc4 = -t3 * (4.0 - 7.0 * t + 3.0 * t2);
    hc5 = 0.5 * t3 * (1.0 - 2.0 * t + t2);
  } else {
    const du = 30.0 * t2 * (1.0 - 2.0 * t + t2) * invH;
    hc0 = -du;
    hc1 = (1.0 - t2 * (18.0 - 32.0 * t + 15.0 * t2)) * invH;
    hc2 = t * (1.0 - 4.5 * t + 6.0 * t2 - 2.5 * t3) * invH;
    hc3 = du;
    hc4 = -t2 * (12.0 - 28.0 * t + 15.0 * t2) * invH;
    hc5 = t2 * (1.5 - 4.0 * t + 2.5 * t2) * invH;
  }
}

/** Σ_q c_q T_q at byte address a of T0 (T_q = a + q·B3). */
@inline function hermiteAt(a: usize, B3: usize, c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128): v128 {
  const s = f64x2.add(f64x2.add(f64x2.mul(c0, v128.load(a)), f64x2.mul(c1, v128.load(a + B3))), f64x2.mul(c2, v128.load(a + 2 * B3)));
  const e = f64x2.add(f64x2.add(f64x2.mul(c3, v128.load(a + 3 * B3)), f64x2.mul(c4, v128.load(a + 4 * B3))), f64x2.mul(c5, v128.load(a + 5 * B3)));
  return f64x2.add(s, e);
}

/** dir [3P] = vec / r (the table path needs no basis). */
export function pairDirections(P: i32, r: usize, vec: usize, dir: usize): void {
  for (let p = 0; p < P; p++) {
    const inv = 1.0 / ld(r, p);
    st(dir, 3 * p, ld(vec, 3 * p) * inv); st(dir, 3 * p + 1, ld(vec, 3 * p + 1) * inv); st(dir, 3 * p + 2, ld(vec, 3 * p + 2) * inv);
  }
}

/** filt[p, :] = W(r_p) interpolated from tab (M intervals, invH = M/rc); vv = 0: the ss and vs thirds only. */
export function tableFilters(P: i32, F: i32, r: usize, tab: usize, M: i32, invH: f64, filt: usize, vv: i32): void {
  if (F == 32) tableFiltersF(P, 32, r, tab, M, invH, filt, vv);
  else tableFiltersF(P, F, r, tab, M, invH, filt, vv);
}

@inline function tableFiltersF(P: i32, F: i32, r: usize, tab: usize, M: i32, invH: f64, filt: usize, vv: i32): void {
  const B = <usize>F << 3, B2 = B << 1, B3 = B * 3;
  for (let p = 0; p < P; p++) {
    hermite(ld(r, p), invH, M, 0);
    const c0 = f64x2.splat(hc0), c1 = f64x2.splat(hc1), c2 = f64x2.splat(hc2), c3 = f64x2.splat(hc3), c4 = f64x2.splat(hc4), c5 = f64x2.splat(hc5);
    const base = tab + hm * B3 * 3, y = filt + <usize>p * B3;
    for (let o: usize = 0; o < B; o += 16) {
      v128.store(y + o, hermiteAt(base + o, B3, c0, c1, c2, c3, c4, c5));
      v128.store(y + o + B2, hermiteAt(base + o + B2, B3, c0, c1, c2, c3, c4, c5));
      if (vv) v128.store(y + o + B, hermiteAt(base + o + B, B3, c0, c1, c2, c3, c4, c5));
    }
  }
}

/** dE/dr of one pair through the table: Σ_o gfilt[o] dW/dr[o] over the thirds in use (gf: this pair's gfilt). */
@inline function tableSlopeDot(r: f64, invH: f64, M: i32, tab: usize, gf: usize, B: usize, vv: i32): f64 {
  hermite(r, invH, M, 1);
  const c0 = f64x2.splat(hc0), c1 = f64x2.splat(hc1), c2 = f64x2.splat(hc2), c3 = f64x2.splat(hc3), c4 = f64x2.splat(hc4), c5 = f64x2.splat(hc5);
  const B2 = B << 1, B3 = B * 3, base = tab + hm * B3 * 3;
  let acc = f64x2.splat(0.0), acc2 = acc;
  for (let o: usize = 0; o < B; o += 16) {
    acc = f64x2.add(acc, f64x2.mul(v128.load(gf + o), hermiteAt(base + o, B3, c0, c1, c2, c3, c4, c5)));
    acc2 = f64x2.add(acc2, f64x2.mul(v128.load(gf + o + B2), hermiteAt(base + o + B2, B3, c0, c1, c2, c3, c4, c5)));
    if (vv) acc = f64x2.add(acc, f64x2.mul(v128.load(gf + o + B), hermiteAt(base + o + B, B3, c0, c1, c2, c3, c4, c5)));
  }
  return hsum(f64x2.add(acc, acc2));
}

/** grad [3P] = dE/dd_p = (dE/dr) r̂ + (g_r̂ - (g_r̂·r̂) r̂)/r from gR [P] (dE/dr through the tables) and gDir. */
export function pairGradientsTable(P: i32, r: usize, dir: usize, gR: usize, gDir: usize, grad: usize): void {
  for (let p = 0; p < P; p++) pairChain(p, ld(gR, p), 1.0 / ld(r, p), dir, gDir, grad);
}
