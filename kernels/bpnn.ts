// Behler-Parrinello inference kernels in AssemblyScript with WebAssembly SIMD (float64x2), built by
// kernels/build.mjs into kernels/bpnn.wasm. The same mathematics as
// src-shared/ml/inference/symmetryFunctionsFast.ts and atomicNetworks.ts (read those first): G2 on a
// half pair list, G4/G5 per centre over its directed neighbours, the per-element networks with their
// reverse pass, and the reverse pass of the descriptors onto pair gradients g_p = dE/dd_p.
//
// Speed (shared/notes/wasm-simd-kernels.md): two lanes = two pairs (radial) or two triplets with
// the same centre and first edge (angular), so per-lane work never branches; exp and the cosine
// cutoff are SIMD polynomials (simdMath.ts); evenly spaced Gaussians use the exact recurrence (2 exps
// per pair); angular exp(-η s) is a product of per-edge factors and one exp for r_jk; descriptor sums
// stay in per-centre accumulators; nothing is allocated (the host lays out all memory).
//
// Memory contract: the host (src-shared/ml/inference/bpnnWasm.ts) writes a configuration block of
// float64 values (indices C_* below: sizes, constants and byte offsets of every array) and calls
// setConfig(ptr). Pair arrays are padded to an even count with a dummy pair (r = 2 rc) and the
// per-centre scratch holds maxNeighbors + 4 entries.

// @ts-nocheck (AssemblyScript)
import { vexp, vcutoff, cutFc, cutDfc } from './simdMath';

// configuration block (float64 each)
const C_S = 0, C_F = 1, C_KR = 2, C_RC = 3, C_NRUNS = 4, C_ETA = 5, C_RS = 6, C_RUNS = 7, C_RUNSTEP = 8, C_STEP = 9;
const C_HASANG = 10, C_G4 = 11, C_RCA = 12, C_NETA = 13, C_AETA = 14, C_NZ = 15, C_ZETA = 16, C_ZSCALE = 17, C_NL = 18, C_LAM = 19, C_KA = 20, C_BLOCKOF = 21;
const C_NLAYERS = 22, C_SIZES = 23, C_PSIZES = 24, C_ACT = 25, C_WPTRS = 26, C_BPTRS = 27, C_E0 = 28;
const C_N = 29, C_P = 30, C_SPECIES = 31, C_PI = 32, C_PJ = 33, C_VEC = 34, C_R = 35, C_NBRSTART = 36, C_NBRPAIR = 37, C_NBRSIGN = 38;
const C_G = 39, C_W = 40, C_E = 41, C_GRAD = 42, C_SCRATCH = 43, C_MAXNBR = 44, C_NSCR = 45, C_ZPOW2 = 46, C_ZMAX = 47;

let cfg: usize = 0;

@inline function ci(k: i32): i32 { return <i32>load<f64>(cfg + (<usize>k << 3)); }
@inline function cf(k: i32): f64 { return load<f64>(cfg + (<usize>k << 3)); }
@inline function cp(k: i32): usize { return <usize>load<f64>(cfg + (<usize>k << 3)); }
@inline function ld(p: usize, k: i32): f64 { return load<f64>(p + (<usize>k << 3)); }
@inline function li(p: usize, k: i32): i32 { return load<i32>(p + (<usize>k << 2)); }
@inline function addTo(p: usize, k: i32, v: f64): void { const a = p + (<usize>k << 3); store<f64>(a, load<f64>(a) + v); }
@inline function vld(p: usize, k: i32): v128 { return v128.load(p + (<usize>k << 3)); }
@inline function vst(p: usize, k: i32, v: v128): void { v128.store(p + (<usize>k << 3), v); }
/** (p[k0], p[k1]) as one vector. */
@inline function gather(p: usize, k0: i32, k1: i32): v128 { return f64x2.replace_lane(v128.load64_splat(p + (<usize>k0 << 3)), 1, load<f64>(p + (<usize>k1 << 3))); }
/** p[k0] += lane 0, p[k1] += lane 1 (k0 != k1). */
@inline function scatter(p: usize, k0: i32, k1: i32, v: v128): void { addTo(p, k0, f64x2.extract_lane(v, 0)); addTo(p, k1, f64x2.extract_lane(v, 1)); }

export function setConfig(ptr: usize): void { cfg = ptr; }
export function heapBase(): usize { return __heap_base; }

/** e_k(r) = exp(-η_k (r - rs_k)²) of both lanes for every radial function into ek [Kr] v128. */
@inline function radialTerms(r: v128, ek: usize): void {
  const nRuns = ci(C_NRUNS), eta = cp(C_ETA), rs = cp(C_RS), runs = cp(C_RUNS), runStep = cp(C_RUNSTEP), step = cp(C_STEP);
  for (let u = 0; u < nRuns; u++) {
    const k0 = li(runs, 2 * u), len = li(runs, 2 * u + 1);
    const e0 = ld(eta, k0);
    const d0 = f64x2.sub(r, f64x2.splat(ld(rs, k0)));
    let e = e0 == 0 ? f64x2.splat(1.0) : vexp(f64x2.mul(f64x2.splat(-e0), f64x2.mul(d0, d0)));
    v128.store(ek + (<usize>k0 << 4), e);
    if (len > 1) {
      const B = vexp(f64x2.mul(f64x2.splat(ld(runStep, u)), d0));
      for (let m = 1; m < len; m++) {
        e = f64x2.mul(e, f64x2.mul(B, f64x2.splat(ld(step, k0 + m))));
        v128.store(ek + (<usize>(k0 + m) << 4), e);
      }
    }
  }
}

/** G2 of all pairs added into G (two pairs per iteration). */
export function radialForward(): void {
  const F = ci(C_F), Kr = ci(C_KR), rc = cf(C_RC);
  const P = ci(C_P), pI = cp(C_PI), pJ = cp(C_PJ), R = cp(C_R), sp = cp(C_SPECIES), G = cp(C_G), ek = cp(C_SCRATCH);
  for (let p = 0; p < P; p += 2) {
    const r = vld(R, p);
    vcutoff(r, rc, false);
    const fc = cutFc;
    radialTerms(r, ek);
    const i0 = li(pI, p), j0 = li(pJ, p), i1 = li(pI, p + 1), j1 = li(pJ, p + 1);
    const bi0 = i0 * F + li(sp, j0) * Kr, bj0 = j0 * F + li(sp, i0) * Kr, bi1 = i1 * F + li(sp, j1) * Kr, bj1 = j1 * F + li(sp, i1) * Kr;
    for (let k = 0; k < Kr; k++) {
      const v = f64x2.mul(v128.load(ek + (<usize>k << 4)), fc);
      const a = f64x2.extract_lane(v, 0), b = f64x2.extract_lane(v, 1);
      addTo(G, bi0 + k, a);
      addTo(G, bj0 + k, a);
      addTo(G, bi1 + k, b);
      addTo(G, bj1 + k, b);
    }
  }
}

/** Radial reverse pass: grad_p = dE/dd_p (overwritten) from W = dE/dG. */
export function radialBackward(): void {
  const F = ci(C_F), Kr = ci(C_KR), rc = cf(C_RC), eta = cp(C_ETA), rs = cp(C_RS);
  const P = ci(C_P), pI = cp(C_PI), pJ = cp(C_PJ), R = cp(C_R), V = cp(C_VEC), sp = cp(C_SPECIES), W = cp(C_W), grad = cp(C_GRAD), ek = cp(C_SCRATCH);
  for (let p = 0; p < P; p += 2) {
    const r = vld(R, p);
    vcutoff(r, rc, true);
    const fc = cutFc, dfc = cutDfc;
    radialTerms(r, ek);
    const i0 = li(pI, p), j0 = li(pJ, p), i1 = li(pI, p + 1), j1 = li(pJ, p + 1);
    const bi0 = i0 * F + li(sp, j0) * Kr, bj0 = j0 * F + li(sp, i0) * Kr, bi1 = i1 * F + li(sp, j1) * Kr, bj1 = j1 * F + li(sp, i1) * Kr;
    let dEdr = f64x2.splat(0.0);
    for (let k = 0; k < Kr; k++) {
      const w = f64x2.replace_lane(f64x2.splat(ld(W, bi0 + k) + ld(W, bj0 + k)), 1, ld(W, bi1 + k) + ld(W, bj1 + k));
      const de = f64x2.sub(dfc, f64x2.mul(f64x2.mul(f64x2.splat(2.0 * ld(eta, k)), f64x2.sub(r, f64x2.splat(ld(rs, k)))), fc));
      dEdr = f64x2.add(dEdr, f64x2.mul(f64x2.mul(w, v128.load(ek + (<usize>k << 4))), de));
    }
    const c = f64x2.div(dEdr, r); // (c0, c1)
    const q = 3 * p; // grad[q..q+5] = (c0 x0, c0 y0, c0 z0, c1 x1, c1 y1, c1 z1)
    vst(grad, q, f64x2.mul(f64x2.shuffle(c, c, 0, 0), vld(V, q)));
    vst(grad, q + 2, f64x2.mul(c, vld(V, q + 2)));
    vst(grad, q + 4, f64x2.mul(f64x2.shuffle(c, c, 1, 1), vld(V, q + 4)));
  }
}

/** PW[k] = b^(2^k - 1), k <= kmax (kmax >= 0), else PW[n] = b^n, n < zmax. */
@inline function powerChain(base: v128, PW: usize, kmax: i32, zmax: i32): void {
  let p = f64x2.splat(1.0);
  v128.store(PW, p);
  if (kmax >= 0) {
    for (let k = 1; k <= kmax; k++) {
      p = f64x2.mul(f64x2.mul(p, p), base);
      v128.store(PW + (<usize>k << 4), p);
    }
  } else {
    for (let n = 1; n < zmax; n++) {
      p = f64x2.mul(p, base);
      v128.store(PW + (<usize>n << 4), p);
    }
  }
}

/**
 * (1 + λ cos)^ζ 2^(1-ζ) and its cos-derivative for every (ζ, λ), both lanes, into A, dA [nζ·nλ] v128.
 * b^(ζ-1) comes from the chain p_0 = 1, p_{k+1} = p_k² b (p_k = b^(2^k - 1)) when every ζ is a power
 * of two (kmax = largest k; the n2p2 defaults), else from b^n, n = 0..max ζ - 1, by repeated
 * multiplication, into PW; `pconst` holds per (ζ, λ): the index into PW, 2^(1-ζ), 2^(1-ζ) ζ λ
 * (hoisted out of the triplet loop by the caller, with λ per l in `lams`).
 */
@inline function angularPowers(cos: v128, A: usize, dA: usize, PW: usize, nZ: i32, nL: i32, lams: usize, kmax: i32, zmax: i32, pconst: usize): void {
  for (let l = 0; l < nL; l++) {
    const base = f64x2.add(f64x2.splat(1.0), f64x2.mul(v128.load(lams + (<usize>l << 4)), cos));
    powerChain(base, PW, kmax, zmax);
    for (let z = 0; z < nZ; z++) {
      const q = <usize>(z * nL + l) << 4;
      const pc = pconst + q * 3; // 48 bytes per (ζ, λ): index, c, cζλ (each splat as v128)
      const pm1 = v128.load(PW + (<usize>i32x4.extract_lane(v128.load(pc), 0) << 4));
      v128.store(A + q, f64x2.mul(v128.load(pc, 16), f64x2.mul(pm1, base)));
      v128.store(dA + q, f64x2.mul(v128.load(pc, 32), pm1));
    }
  }
}

/**
 * Angular G4/G5: forward (backward = 0) adds into G; backward (1) adds the reverse pass onto grad.
 * Per centre: gather its directed neighbours (sign-corrected vectors, cutoffs, per-edge exps) into
 * scratch, then for each first edge a, two second edges b, b+1 per iteration.
 */
export function angular(backward: i32): void {
  const S = ci(C_S), F = ci(C_F), g4 = ci(C_G4) != 0, rcA = cf(C_RCA), rcA2 = rcA * rcA;
  const nEta = ci(C_NETA), aeta = cp(C_AETA), nZL = ci(C_NZ) * ci(C_NL), Ka = ci(C_KA), blockOf = cp(C_BLOCKOF);
  const angOff = S * ci(C_KR), nAcc = ((S * (S + 1)) >> 1) * Ka;
  const N = ci(C_N), sp = cp(C_SPECIES), pI = cp(C_PI), pJ = cp(C_PJ), V = cp(C_VEC), R = cp(C_R);
  const start = cp(C_NBRSTART), nbrPair = cp(C_NBRPAIR), nbrSign = cp(C_NBRSIGN), G = cp(C_G), W = cp(C_W), grad = cp(C_GRAD);
  const mPad = (ci(C_MAXNBR) + 5) & ~1;
  const nx = cp(C_SCRATCH), ny = nx + (<usize>mPad << 3), nz = ny + (<usize>mPad << 3), nr = nz + (<usize>mPad << 3);
  const nfc = nr + (<usize>mPad << 3), ndfc = nfc + (<usize>mPad << 3), ngx = ndfc + (<usize>mPad << 3), ngy = ngx + (<usize>mPad << 3), ngz = ngy + (<usize>mPad << 3);
  const nsp = ngz + (<usize>mPad << 3), ninv = nsp + (<usize>mPad << 3), nE = ninv + (<usize>mPad << 3), acc = nE + (<usize>(mPad * nEta) << 3);
  const blist = acc + (<usize>nAcc << 4), A = blist + (<usize>((mPad + 7) & ~3) << 2), dA = A + (<usize>nZL << 4), X = dA + (<usize>nZL << 4), PW = X + (<usize>nEta << 4);
  const nZ = ci(C_NZ), nL = ci(C_NL), kmax = ci(C_ZPOW2), zmax = ci(C_ZMAX);
  const lams = PW + (<usize>(max(zmax, 8)) << 4), pconst = lams + (<usize>nL << 4);
  {
    const zetas = cp(C_ZETA), zs = cp(C_ZSCALE), lam = cp(C_LAM);
    for (let l = 0; l < nL; l++) v128.store(lams + (<usize>l << 4), f64x2.splat(ld(lam, l)));
    for (let z = 0; z < nZ; z++) {
      for (let l = 0; l < nL; l++) {
        const zeta = li(zetas, z);
        const pc = pconst + ((<usize>(z * nL + l) << 4) * 3);
        v128.store(pc, i32x4.splat(kmax >= 0 ? ctz(zeta) : zeta - 1));
        v128.store(pc, f64x2.splat(ld(zs, z)), 16);
        v128.store(pc, f64x2.splat(ld(zs, z) * <f64>zeta * ld(lam, l)), 32);
      }
    }
  }
  const bw = backward != 0;
  for (let k = 0; k < nAcc; k++) v128.store(acc + (<usize>k << 4), f64x2.splat(0.0));
  for (let i = 0; i < N; i++) {
    const m0 = li(start, i), m = li(start, i + 1) - m0;
    if (m < 2) continue;
    for (let u = 0; u < m; u++) {
      const p = li(nbrPair, m0 + u), sg = ld(nbrSign, m0 + u);
      store<f64>(nx + (<usize>u << 3), sg * ld(V, 3 * p));
      store<f64>(ny + (<usize>u << 3), sg * ld(V, 3 * p + 1));
      store<f64>(nz + (<usize>u << 3), sg * ld(V, 3 * p + 2));
      store<f64>(nr + (<usize>u << 3), ld(R, p));
      store<i32>(nsp + (<usize>u << 2), li(sp, sg > 0 ? li(pJ, p) : li(pI, p)));
    }
    for (let u = m; u < m + 2; u++) { // dummy neighbours: far away, zero cutoff
      store<f64>(nx + (<usize>u << 3), 1.0e4);
      store<f64>(ny + (<usize>u << 3), 0.0);
      store<f64>(nz + (<usize>u << 3), 0.0);
      store<f64>(nr + (<usize>u << 3), 1.0e4);
      store<i32>(nsp + (<usize>u << 2), li(nsp, 0));
    }
    for (let u = 0; u < m + 2; u += 2) {
      const r = vld(nr, u);
      vcutoff(r, rcA, true);
      vst(nfc, u, cutFc);
      vst(ndfc, u, cutDfc);
      vst(ninv, u, f64x2.div(f64x2.splat(1.0), r));
      const r2 = f64x2.mul(r, r);
      for (let e = 0; e < nEta; e++) {
        const et = ld(aeta, e);
        vst(nE + (<usize>(e * mPad) << 3), u, et == 0 ? f64x2.splat(1.0) : vexp(f64x2.mul(f64x2.splat(-et), r2)));
      }
      vst(ngx, u, f64x2.splat(0.0));
      vst(ngy, u, f64x2.splat(0.0));
      vst(ngz, u, f64x2.splat(0.0));
    }
    // dummy lanes exactly zero (exp of their huge r² would be subnormal, and subnormals are slow)
    for (let e = 0; e < nEta; e++) {
      const base = nE + (<usize>(e * mPad) << 3);
      store<f64>(base + (<usize>m << 3), 0.0);
      store<f64>(base + (<usize>(m + 1) << 3), 0.0);
    }
    const rowW = W + (<usize>(i * F) << 3);
    for (let a = 0; a < m - 1; a++) {
      const xa0 = ld(nx, a), ya0 = ld(ny, a), za0 = ld(nz, a);
      const xa = f64x2.splat(xa0), ya = f64x2.splat(ya0), za = f64x2.splat(za0), ia = f64x2.splat(ld(ninv, a));
      const fca = f64x2.splat(ld(nfc, a)), dfa = f64x2.splat(ld(ndfc, a));
      const sa = li(nsp, a);
      // second edges b > a that form a triplet (G4: r_jk < rc), compacted: about half the pairs
      // fail the r_jk test in a crystal, and a lane spent on them is wasted; padded with dummy m
      let cnt = 0;
      if (g4) {
        for (let b = a + 1; b < m; b++) {
          const dx = ld(nx, b) - xa0, dy = ld(ny, b) - ya0, dz = ld(nz, b) - za0;
          store<i32>(blist + (<usize>cnt << 2), b);
          cnt += i32(dx * dx + dy * dy + dz * dz < rcA2);
        }
      } else for (let b = a + 1; b < m; b++) store<i32>(blist + (<usize>(cnt++) << 2), b);
      store<i32>(blist + (<usize>cnt << 2), m);
      let gax = f64x2.splat(0.0), gay = f64x2.splat(0.0), gaz = f64x2.splat(0.0);
      for (let t = 0; t < cnt; t += 2) {
        const b0 = li(blist, t), b1 = li(blist, t + 1);
        const xb = gather(nx, b0, b1), yb = gather(ny, b0, b1), zb = gather(nz, b0, b1), fcb = gather(nfc, b0, b1);
        let fcjk = f64x2.splat(1.0), dfjk = f64x2.splat(0.0), rjk = f64x2.splat(1.0), rjk2 = f64x2.splat(0.0);
        if (g4) {
          const dx = f64x2.sub(xb, xa), dy = f64x2.sub(yb, ya), dz = f64x2.sub(zb, za);
          rjk2 = f64x2.add(f64x2.add(f64x2.mul(dx, dx), f64x2.mul(dy, dy)), f64x2.mul(dz, dz));
          rjk = f64x2.sqrt(rjk2);
          vcutoff(rjk, rcA, bw);
          fcjk = cutFc;
          dfjk = cutDfc;
        }
        for (let e = 0; e < nEta; e++) {
          const base = nE + (<usize>(e * mPad) << 3);
          let x = f64x2.mul(f64x2.splat(ld(base, a)), gather(base, b0, b1));
          const et = ld(aeta, e);
          if (g4 && et != 0) x = f64x2.mul(x, vexp(f64x2.mul(f64x2.splat(-et), rjk2)));
          v128.store(X + (<usize>e << 4), x);
        }
        const ib = gather(ninv, b0, b1), iab = f64x2.mul(ia, ib);
        const cos = f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(xa, xb), f64x2.mul(ya, yb)), f64x2.mul(za, zb)), iab);
        const f3 = f64x2.mul(f64x2.mul(fca, fcb), fcjk);
        const blk0 = li(blockOf, sa * S + li(nsp, b0)), blk1 = li(blockOf, sa * S + li(nsp, b1));
        const same = blk0 == blk1;
        if (!bw) {
          // G[block, e, q] += A_q X_e f3, with A_q = 2^(1-ζ)(1 + λ cos)^ζ built per λ by the power chain
          for (let e = 0; e < nEta; e++) v128.store(X + (<usize>e << 4), f64x2.mul(v128.load(X + (<usize>e << 4)), f3));
          const o0 = acc + (<usize>(blk0 - angOff) << 4), o1 = acc + (<usize>(blk1 - angOff) << 4);
          for (let l = 0; l < nL; l++) {
            const base = f64x2.add(f64x2.splat(1.0), f64x2.mul(v128.load(lams + (<usize>l << 4)), cos));
            powerChain(base, PW, kmax, zmax);
            for (let z = 0; z < nZ; z++) {
              const qi = z * nL + l;
              const pc = pconst + ((<usize>qi << 4) * 3);
              const Aq = f64x2.mul(v128.load(pc, 16), f64x2.mul(v128.load(PW + (<usize>i32x4.extract_lane(v128.load(pc), 0) << 4)), base));
              for (let e = 0; e < nEta; e++) {
                const c = f64x2.mul(Aq, v128.load(X + (<usize>e << 4)));
                const off = <usize>(e * nZL + qi) << 4;
                if (same) v128.store(o0 + off, f64x2.add(v128.load(o0 + off), c));
                else {
                  v128.store(o0 + off, f64x2.add(v128.load(o0 + off), f64x2.replace_lane(c, 1, 0.0)));
                  v128.store(o1 + off, f64x2.add(v128.load(o1 + off), f64x2.replace_lane(c, 0, 0.0)));
                }
              }
            }
          }
          continue;
        }
        angularPowers(cos, A, dA, PW, nZ, nL, lams, kmax, zmax, pconst);
        // reverse pass: contract dE/dG with the derivatives of this triplet's terms
        let dEdcos = f64x2.splat(0.0), dEds = f64x2.splat(0.0), dEdf3 = f64x2.splat(0.0);
        for (let e = 0; e < nEta; e++) {
          let tt = f64x2.splat(0.0), uu = f64x2.splat(0.0);
          for (let q = 0; q < nZL; q++) {
            const col = e * nZL + q;
            const w = same ? v128.load64_splat(rowW + (<usize>(blk0 + col) << 3)) : f64x2.replace_lane(f64x2.splat(ld(rowW, blk0 + col)), 1, ld(rowW, blk1 + col));
            tt = f64x2.add(tt, f64x2.mul(w, v128.load(A + (<usize>q << 4))));
            uu = f64x2.add(uu, f64x2.mul(w, v128.load(dA + (<usize>q << 4))));
          }
          const xe = v128.load(X + (<usize>e << 4));
          dEdcos = f64x2.add(dEdcos, f64x2.mul(xe, uu));
          const xt = f64x2.mul(xe, tt);
          dEds = f64x2.sub(dEds, f64x2.mul(f64x2.splat(ld(aeta, e)), xt));
          dEdf3 = f64x2.add(dEdf3, xt);
        }
        dEdcos = f64x2.mul(dEdcos, f3);
        dEds = f64x2.mul(dEds, f3);
        const dfb = gather(ndfc, b0, b1);
        const fcab = f64x2.mul(fca, fcb);
        const jk = g4 ? f64x2.div(f64x2.mul(f64x2.mul(dEdf3, fcab), dfjk), rjk) : f64x2.splat(0.0);
        const sA = f64x2.splat(g4 ? 4.0 : 2.0);
        const cross = f64x2.sub(f64x2.sub(f64x2.mul(dEdcos, iab), g4 ? f64x2.add(dEds, dEds) : f64x2.splat(0.0)), jk);
        const dc = f64x2.mul(dEdcos, cos), sd = f64x2.mul(sA, dEds), f3jk = f64x2.mul(dEdf3, fcjk);
        const alphaA = f64x2.add(f64x2.add(f64x2.sub(sd, f64x2.mul(dc, f64x2.mul(ia, ia))), f64x2.mul(f64x2.mul(f64x2.mul(f3jk, dfa), fcb), ia)), jk);
        const alphaB = f64x2.add(f64x2.add(f64x2.sub(sd, f64x2.mul(dc, f64x2.mul(ib, ib))), f64x2.mul(f64x2.mul(f64x2.mul(f3jk, fca), dfb), ib)), jk);
        gax = f64x2.add(gax, f64x2.add(f64x2.mul(alphaA, xa), f64x2.mul(cross, xb)));
        gay = f64x2.add(gay, f64x2.add(f64x2.mul(alphaA, ya), f64x2.mul(cross, yb)));
        gaz = f64x2.add(gaz, f64x2.add(f64x2.mul(alphaA, za), f64x2.mul(cross, zb)));
        scatter(ngx, b0, b1, f64x2.add(f64x2.mul(alphaB, xb), f64x2.mul(cross, xa)));
        scatter(ngy, b0, b1, f64x2.add(f64x2.mul(alphaB, yb), f64x2.mul(cross, ya)));
        scatter(ngz, b0, b1, f64x2.add(f64x2.mul(alphaB, zb), f64x2.mul(cross, za)));
      }
      if (bw) {
        addTo(ngx, a, f64x2.extract_lane(gax, 0) + f64x2.extract_lane(gax, 1));
        addTo(ngy, a, f64x2.extract_lane(gay, 0) + f64x2.extract_lane(gay, 1));
        addTo(ngz, a, f64x2.extract_lane(gaz, 0) + f64x2.extract_lane(gaz, 1));
      }
    }
    if (bw) {
      for (let u = 0; u < m; u++) {
        const p = li(nbrPair, m0 + u), sg = ld(nbrSign, m0 + u);
        addTo(grad, 3 * p, sg * ld(ngx, u));
        addTo(grad, 3 * p + 1, sg * ld(ngy, u));
        addTo(grad, 3 * p + 2, sg * ld(ngz, u));
      }
    } else {
      const row = G + (<usize>(i * F + angOff) << 3);
      for (let k = 0; k < nAcc; k++) {
        const v = v128.load(acc + (<usize>k << 4));
        addTo(row, k, f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
        v128.store(acc + (<usize>k << 4), f64x2.splat(0.0));
      }
    }
  }
}

// ---- per-element networks -------------------------------------------------------------------
// Layer l of species s: kernel [sizes[l] × psizes[l+1]] (columns padded to even with zeros), bias
// [psizes[l+1]]; activations (C_ACT): 0 linear, 1 tanh, 2 sigmoid, 3 silu, 4 softplus, 5 shifted softplus.
// Scratch (C_NSCR): for each layer l, h_l, act'(z_l), δ_l of psizes[l] float64 each (zeroed by the host).

/** act(z) into z and act'(z) into dh, both lanes. */
@inline function activate(act: i32, zp: usize, dhp: usize): void {
  const z = v128.load(zp);
  let h = z, d = f64x2.splat(1.0);
  if (act == 1) {
    const t = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(vexp(f64x2.add(z, z)), f64x2.splat(1.0))));
    h = t;
    d = f64x2.sub(f64x2.splat(1.0), f64x2.mul(t, t));
  } else if (act == 2 || act == 3) {
    const s = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), vexp(f64x2.neg(z))));
    if (act == 2) {
      h = s;
      d = f64x2.mul(s, f64x2.sub(f64x2.splat(1.0), s));
    } else {
      h = f64x2.mul(z, s);
      d = f64x2.mul(s, f64x2.add(f64x2.splat(1.0), f64x2.mul(z, f64x2.sub(f64x2.splat(1.0), s))));
    }
  } else if (act >= 4) {
    const z0 = f64x2.extract_lane(z, 0), z1 = f64x2.extract_lane(z, 1);
    const sh = act == 5 ? Math.LN2 : 0.0;
    h = f64x2.replace_lane(f64x2.splat((z0 > 30 ? z0 : Math.log1p(Math.exp(z0))) - sh), 1, (z1 > 30 ? z1 : Math.log1p(Math.exp(z1))) - sh);
    d = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), vexp(f64x2.neg(z))));
  }
  v128.store(zp, h);
  v128.store(dhp, d);
}

/** Per-atom energies into E (E0 included) and, when withGrad, dE/dG into W. Returns Σ E_i. */
export function networks(withGrad: i32): f64 {
  const L = ci(C_NLAYERS), sizes = cp(C_SIZES), psizes = cp(C_PSIZES), act = ci(C_ACT), wp = cp(C_WPTRS), bp = cp(C_BPTRS), e0 = cp(C_E0);
  const N = ci(C_N), F = ci(C_F), G = cp(C_G), W = cp(C_W), E = cp(C_E), sp = cp(C_SPECIES), scr = cp(C_NSCR);
  // scratch layout: per layer l (0..L): H_l, DH_l, D_l at offsets off_l
  let maxP = 0;
  for (let l = 0; l <= L; l++) maxP = max(maxP, li(psizes, l));
  const stride = <usize>maxP << 3; // bytes per vector
  let total = 0.0;
  for (let i = 0; i < N; i++) {
    const s = li(sp, i);
    let inp = G + (<usize>(i * F) << 3);
    for (let l = 0; l < L; l++) {
      const K = <usize>li(wp, s * L + l), B = <usize>li(bp, s * L + l), nin = li(sizes, l), outP = li(psizes, l + 1);
      const z = scr + <usize>(3 * (l + 1)) * stride;
      for (let o = 0; o < outP; o += 2) vst(z, o, vld(B, o));
      for (let k = 0; k < nin; k++) {
        const xk = f64x2.splat(ld(inp, k));
        const row = K + (<usize>(k * outP) << 3);
        for (let o = 0; o < outP; o += 2) vst(z, o, f64x2.add(vld(z, o), f64x2.mul(xk, vld(row, o))));
      }
      if (l + 1 < L) for (let o = 0; o < outP; o += 2) activate(act, z + (<usize>o << 3), z + stride + (<usize>o << 3));
      inp = z;
    }
    const e = ld(inp, 0) + ld(e0, s);
    store<f64>(E + (<usize>i << 3), e);
    total += e;
    if (withGrad == 0) continue;
    // reverse: δ_L = (1, 0); δh_l[k] = Σ_o δz_{l+1}[o] W_{l+1}[k, o]; δz_l = δh_l ∘ act'(z_l)
    const dL = scr + <usize>(3 * L + 2) * stride;
    vst(dL, 0, f64x2.replace_lane(f64x2.splat(1.0), 1, 0.0));
    for (let l = L - 1; l >= 0; l--) {
      const K = <usize>li(wp, s * L + l), nin = li(sizes, l), outP = li(psizes, l + 1);
      const dz = scr + <usize>(3 * (l + 1) + 2) * stride;
      const out = l == 0 ? W + (<usize>(i * F) << 3) : scr + <usize>(3 * l + 2) * stride;
      const dh = scr + <usize>(3 * l + 1) * stride;
      for (let k = 0; k < nin; k++) {
        const row = K + (<usize>(k * outP) << 3);
        let a = f64x2.splat(0.0);
        for (let o = 0; o < outP; o += 2) a = f64x2.add(a, f64x2.mul(vld(dz, o), vld(row, o)));
        const v = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
        store<f64>(out + (<usize>k << 3), l == 0 ? v : v * ld(dh, k));
      }
    }
  }
  return total;
}
