// PaiNN inference kernels in AssemblyScript with WebAssembly SIMD (float64x2), built by
// kernels/build.mjs into kernels/painn.wasm. The same mathematics as the TypeScript loops of
// src-shared/ml/inference/painnFast.ts (read that first), which calls these on arrays it lays out
// in this module's memory (pointers = byte offsets of its Float64Array / Int32Array views):
//   dense / denseBack   y = x W + b and gx = gy Wᵀ (∘ scale), two lanes over the output columns
//   filters             W(r_p) = rbfc_p fk + fc_p fb for every half pair
//   messageForward      messages to i from j (r̂) and to j from i (-r̂) of each half pair
//   messageBackward     their reverse pass, down to dE/d(rbf·f_c), dE/df_c and dE/dr̂ per pair
// Two lanes = two channels f (F must be even: the host uses the TypeScript loops otherwise).
// Nothing is allocated here.

// @ts-nocheck (AssemblyScript)

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
    for (let k = 0; k < nin; k++) {
      const p0 = f64x2.splat(ld(x0, k)), p1 = f64x2.splat(ld(x1, k)), row = W + (<usize>(k * ldw + o) << 3);
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
 * out[k] = Σ_o g[o] W[k, o] for k < nin (rows of W of length nout), four rows at a time so that each
 * load of g serves four products; then ∘ scale[k] when scale != 0, added to out when accumulate != 0.
 */
@inline function rowDots(g: usize, nout: i32, W: usize, ldw: i32, nin: i32, out: usize, accumulate: i32, scale: usize): void {
  const even = nout & ~1, z = f64x2.splat(0.0);
  let k = 0;
  for (; k + 3 < nin; k += 4) {
    const r0 = W + (<usize>(k * ldw) << 3), r1 = r0 + (<usize>ldw << 3), r2 = r1 + (<usize>ldw << 3), r3 = r2 + (<usize>ldw << 3);
    let b0 = z, b1 = z, b2 = z, b3 = z;
    for (let o = 0; o < even; o += 2) {
      const gv = vld(g, o);
      b0 = f64x2.add(b0, f64x2.mul(gv, vld(r0, o)));
      b1 = f64x2.add(b1, f64x2.mul(gv, vld(r1, o)));
      b2 = f64x2.add(b2, f64x2.mul(gv, vld(r2, o)));
      b3 = f64x2.add(b3, f64x2.mul(gv, vld(r3, o)));
    }
    let v0 = hsum(b0), v1 = hsum(b1), v2 = hsum(b2), v3 = hsum(b3);
    if (even < nout) {
      const t = ld(g, even);
      v0 += t * ld(r0, even); v1 += t * ld(r1, even); v2 += t * ld(r2, even); v3 += t * ld(r3, even);
    }
    if (scale) { v0 *= ld(scale, k); v1 *= ld(scale, k + 1); v2 *= ld(scale, k + 2); v3 *= ld(scale, k + 3); }
    if (accumulate) { v0 += ld(out, k); v1 += ld(out, k + 1); v2 += ld(out, k + 2); v3 += ld(out, k + 3); }
    st(out, k, v0); st(out, k + 1, v1); st(out, k + 2, v2); st(out, k + 3, v3);
  }
  for (; k < nin; k++) {
    const r0 = W + (<usize>(k * ldw) << 3);
    let b0 = z;
    for (let o = 0; o < even; o += 2) b0 = f64x2.add(b0, f64x2.mul(vld(g, o), vld(r0, o)));
    let v0 = hsum(b0);
    if (even < nout) v0 += ld(g, even) * ld(r0, even);
    if (scale) v0 *= ld(scale, k);
    if (accumulate) v0 += ld(out, k);
    st(out, k, v0);
  }
}

/** y[n, nout] = x[n, nin] W[nin, nout] + b (b = 0: no bias). */
export function dense(x: usize, n: i32, nin: i32, W: usize, nout: i32, b: usize, y: usize): void {
  for (let i = 0; i < n; i++) rowGemm(x + (<usize>(i * nin) << 3), nin, W, nout, nout, b, 1.0, y + (<usize>(i * nout) << 3));
}

/** gx[n, nin] (+)= (gy[n, nout] Wᵀ) ∘ scale (scale = 0: none; accumulate != 0: add to gx). */
export function denseBack(gy: usize, n: i32, nout: i32, W: usize, nin: i32, gx: usize, accumulate: i32, scale: usize): void {
  for (let i = 0; i < n; i++) rowDots(gy + (<usize>(i * nout) << 3), nout, W, nout, nin, gx + (<usize>(i * nin) << 3), accumulate, scale ? scale + (<usize>(i * nin) << 3) : 0);
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
  const F3 = 3 * F, F2 = 2 * F;
  for (let p = 0; p < P; p++) {
    const i = li(pi, p), j = li(pj, p), o0 = p * F3, xi = i * F3, xj = j * F3, si = i * F, sj = j * F, vi = 3 * i * F, vj = 3 * j * F;
    const dx = f64x2.splat(ld(dir, 3 * p)), dy = f64x2.splat(ld(dir, 3 * p + 1)), dz = f64x2.splat(ld(dir, 3 * p + 2));
    for (let f = 0; f < F; f += 2) {
      const fss = vld(filt, o0 + f), fvs = vld(filt, o0 + F2 + f);
      vadd(s, si + f, f64x2.mul(vld(x, xj + f), fss));
      vadd(s, sj + f, f64x2.mul(vld(x, xi + f), fss));
      const ci = f64x2.mul(vld(x, xj + F2 + f), fvs), cj = f64x2.mul(vld(x, xi + F2 + f), fvs);
      let ix = f64x2.mul(ci, dx), iy = f64x2.mul(ci, dy), iz = f64x2.mul(ci, dz);
      let jx = f64x2.neg(f64x2.mul(cj, dx)), jy = f64x2.neg(f64x2.mul(cj, dy)), jz = f64x2.neg(f64x2.mul(cj, dz));
      if (vv) {
        const fvv = vld(filt, o0 + F + f);
        const ai = f64x2.mul(vld(x, xj + F + f), fvv), aj = f64x2.mul(vld(x, xi + F + f), fvv);
        ix = f64x2.add(ix, f64x2.mul(vld(vIn, vj + f), ai));
        iy = f64x2.add(iy, f64x2.mul(vld(vIn, vj + F + f), ai));
        iz = f64x2.add(iz, f64x2.mul(vld(vIn, vj + F2 + f), ai));
        jx = f64x2.add(jx, f64x2.mul(vld(vIn, vi + f), aj));
        jy = f64x2.add(jy, f64x2.mul(vld(vIn, vi + F + f), aj));
        jz = f64x2.add(jz, f64x2.mul(vld(vIn, vi + F2 + f), aj));
      }
      vadd(v, vi + f, ix); vadd(v, vi + F + f, iy); vadd(v, vi + F2 + f, iz);
      vadd(v, vj + f, jx); vadd(v, vj + F + f, jy); vadd(v, vj + F2 + f, jz);
    }
  }
}

/**
 * Reverse pass of messageForward for P half pairs: gx [N, 3F] += dE/dx, gv2 [N, 3, F] += dE/dvIn
 * (vv only), and per pair gDir [3P] += dE/dr̂, gFc [P] += dE/df_c, gRbfc [P, K] += dE/d(rbf·f_c) through
 * filt = rbfc fk + fc fb. gs [N, F] and gv [N, 3, F] are dE/ds and dE/dv after the messages.
 * gfilt: scratch of 3F values.
 */
export function messageBackward(P: i32, F: i32, K: i32, pi: usize, pj: usize, dir: usize, filt: usize, x: usize, gs: usize, gv: usize, vIn: usize, vv: i32,
  gx: usize, gv2: usize, gDir: usize, gFc: usize, gRbfc: usize, fk: usize, fb: usize, gfilt: usize): void {
  const F3 = 3 * F, F2 = 2 * F;
  const zero = f64x2.splat(0.0);
  for (let p = 0; p < P; p++) {
    const i = li(pi, p), j = li(pj, p), o0 = p * F3, xi = i * F3, xj = j * F3, si = i * F, sj = j * F, vi = 3 * i * F, vj = 3 * j * F;
    const dx = f64x2.splat(ld(dir, 3 * p)), dy = f64x2.splat(ld(dir, 3 * p + 1)), dz = f64x2.splat(ld(dir, 3 * p + 2));
    let gdx = zero, gdy = zero, gdz = zero;
    for (let f = 0; f < F; f += 2) {
      const fss = vld(filt, o0 + f), fvs = vld(filt, o0 + F2 + f);
      const gsi = vld(gs, si + f), gsj = vld(gs, sj + f);
      vst(gfilt, f, f64x2.add(f64x2.mul(gsi, vld(x, xj + f)), f64x2.mul(gsj, vld(x, xi + f))));
      vadd(gx, xj + f, f64x2.mul(gsi, fss));
      vadd(gx, xi + f, f64x2.mul(gsj, fss));
      const gix = vld(gv, vi + f), giy = vld(gv, vi + F + f), giz = vld(gv, vi + F2 + f);
      const gjx = vld(gv, vj + f), gjy = vld(gv, vj + F + f), gjz = vld(gv, vj + F2 + f);
      const wi = f64x2.add(f64x2.add(f64x2.mul(gix, dx), f64x2.mul(giy, dy)), f64x2.mul(giz, dz));
      const wj = f64x2.neg(f64x2.add(f64x2.add(f64x2.mul(gjx, dx), f64x2.mul(gjy, dy)), f64x2.mul(gjz, dz)));
      const xvsj = vld(x, xj + F2 + f), xvsi = vld(x, xi + F2 + f);
      vst(gfilt, F2 + f, f64x2.add(f64x2.mul(wi, xvsj), f64x2.mul(wj, xvsi)));
      vadd(gx, xj + F2 + f, f64x2.mul(wi, fvs));
      vadd(gx, xi + F2 + f, f64x2.mul(wj, fvs));
      const ci = f64x2.mul(xvsj, fvs), cj = f64x2.mul(xvsi, fvs);
      gdx = f64x2.add(gdx, f64x2.sub(f64x2.mul(gix, ci), f64x2.mul(gjx, cj)));
      gdy = f64x2.add(gdy, f64x2.sub(f64x2.mul(giy, ci), f64x2.mul(gjy, cj)));
      gdz = f64x2.add(gdz, f64x2.sub(f64x2.mul(giz, ci), f64x2.mul(gjz, cj)));
      if (vv) {
        const fvv = vld(filt, o0 + F + f), xvvj = vld(x, xj + F + f), xvvi = vld(x, xi + F + f);
        const ti = f64x2.add(f64x2.add(f64x2.mul(gix, vld(vIn, vj + f)), f64x2.mul(giy, vld(vIn, vj + F + f))), f64x2.mul(giz, vld(vIn, vj + F2 + f)));
        const tj = f64x2.add(f64x2.add(f64x2.mul(gjx, vld(vIn, vi + f)), f64x2.mul(gjy, vld(vIn, vi + F + f))), f64x2.mul(gjz, vld(vIn, vi + F2 + f)));
        vst(gfilt, F + f, f64x2.add(f64x2.mul(ti, xvvj), f64x2.mul(tj, xvvi)));
        vadd(gx, xj + F + f, f64x2.mul(ti, fvv));
        vadd(gx, xi + F + f, f64x2.mul(tj, fvv));
        const ai = f64x2.mul(xvvj, fvv), aj = f64x2.mul(xvvi, fvv);
        vadd(gv2, vj + f, f64x2.mul(gix, ai)); vadd(gv2, vj + F + f, f64x2.mul(giy, ai)); vadd(gv2, vj + F2 + f, f64x2.mul(giz, ai));
        vadd(gv2, vi + f, f64x2.mul(gjx, aj)); vadd(gv2, vi + F + f, f64x2.mul(gjy, aj)); vadd(gv2, vi + F2 + f, f64x2.mul(gjz, aj));
      } else vst(gfilt, F + f, zero);
    }
    st(gDir, 3 * p, ld(gDir, 3 * p) + hsum(gdx));
    st(gDir, 3 * p + 1, ld(gDir, 3 * p + 1) + hsum(gdy));
    st(gDir, 3 * p + 2, ld(gDir, 3 * p + 2) + hsum(gdz));
    // filt = rbfc fk + fc fb: dE/dfc = gfilt · fb, dE/drbfc_n = gfilt · fk[n, :]
    let a = zero;
    for (let o = 0; o < F3; o += 2) a = f64x2.add(a, f64x2.mul(vld(gfilt, o), vld(fb, o)));
    st(gFc, p, ld(gFc, p) + hsum(a));
    if (vv) rowDots(gfilt, F3, fk, F3, K, gRbfc + (<usize>(p * K) << 3), 1, 0);
    else {
      // the vv third of gfilt is 0 without vv: dot only the ss and vs thirds
      rowDots(gfilt, F, fk, F3, K, gRbfc + (<usize>(p * K) << 3), 1, 0);
      rowDots(gfilt + (<usize>F2 << 3), F, fk + (<usize>F2 << 3), F3, K, gRbfc + (<usize>(p * K) << 3), 1, 0);
    }
  }
}
