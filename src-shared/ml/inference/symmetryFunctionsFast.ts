// Float64 symmetry functions (n2p2 G2 / G4 / G5, models/symmetryFunctions.ts) and their reverse
// pass on the pair geometry of pairGeometry.ts, in plain TypeScript: the reference of the
// WebAssembly kernel (kernels/bpnn.ts) and the path where WebAssembly SIMD is unavailable.
//
// Forward:  G [N, F] (row i = atom i: S radial blocks of Kr, then S(S+1)/2 angular blocks of Ka).
// Reverse:  given W = dE/dG [N, F], the pair gradients g_p = dE/dd_p [P, 3] (pairGeometry.grad),
// by the chain rule through each pair's radial terms and each triplet's angular terms, never
// materialising dG/dr (which would be P·F·3 numbers):
//   radial, pair p = (i, j):  dE/dr_p = Σ_k (W_i,[s_j k] + W_j,[s_i k]) e_k(r) (-2η_k (r - rs_k) fc + fc')
//     (a half list: each pair adds to G_i and G_j, so each radial value is computed once);
//   angular, triplet (centre i; edges a, b): with A_q = 2^(1-ζ)(1 + λ cos)^ζ, X_e = exp(-η_e s),
//   s = r_a² + r_b² (+ r_jk² for G4), f3 = fc_a fc_b (fc_jk) and w_eq = W_i,[block, e, q]
//     dE/dcos = f3 Σ_e X_e Σ_q w_eq A_q',   dE/ds = -f3 Σ_e η_e X_e Σ_q w_eq A_q,   dE/df3 = Σ_e X_e Σ_q w_eq A_q
//   then g_a = α_a r_a + β r_b, g_b = α_b r_b + β r_a (coefficients below), signed onto the pairs.
// Evenly spaced radial Gaussians sharing one η use the exact recurrence
//   exp(-η(r - rs_0 - kΔ)²) = exp(-η(r - rs_0)²) · B^k · exp(-ηΔ²k²),  B = exp(2ηΔ(r - rs_0))
// (2 exps per pair for the whole run; shared/notes/wasm-simd-kernels.md), and the angular
// exp(-η_e s) is the product of per-edge factors exp(-η_e r²) (and one per triplet for r_jk).
import { featureLayout, type SymmetryFunctionConfig } from '../models/symmetryFunctions';
import { pairIndex } from '../data/species';
import { powerSpectrumPlan, type PowerSpectrumPlan } from '../models/powerSpectrum';
import type { PairGeometry } from './pairGeometry';

/** The constants of a symmetry-function set, flattened for the kernels. */
export interface SymmetryFunctionPlan {
  nSpecies: number;
  nFeatures: number;
  nRadial: number;
  cutoffA: number;
  /** [Kr] η and rs of each radial function. */
  radialEta: Float64Array;
  radialRs: Float64Array;
  /** Runs of radial functions evaluated together: [start, length] pairs; length > 1 = recurrence. */
  runs: Int32Array;
  /** Per run: B-exponent factor 2ηΔ and the step factors exp(-ηΔ²(2k-1)), k = 1..len-1 (at runStart in stepFactor). */
  runStep: Float64Array;
  stepFactor: Float64Array;
  /** Angular part (null: none). */
  angular: {
    g4: boolean;
    cutoffA: number;
    eta: Float64Array;
    /** [nZ] ζ and 2^(1-ζ). */
    zeta: Int32Array;
    zetaScale: Float64Array;
    lambda: Float64Array;
    /** Functions per species-pair block: nη·nζ·nλ. */
    nAngular: number;
    /** Column of the first angular block (S·Kr). */
    offset: number;
    /** [S·S] column of the block of species pair {s, t}. */
    blockOf: Int32Array;
  } | null;
  /** Power spectrum (models/powerSpectrum.ts) from column powerOffset, or null. */
  power: PowerSpectrumPlan | null;
  powerOffset: number;
}

export function symmetryFunctionPlan(c: SymmetryFunctionConfig, nSpecies: number): SymmetryFunctionPlan {
  const L = featureLayout(c, nSpecies);
  const Kr = L.nRadial;
  const eta = Float64Array.from(c.radial, (f) => f.etaPerA2), rs = Float64Array.from(c.radial, (f) => f.rsA);
  const runs: number[] = [], runStep: number[] = [];
  const stepFactor = new Float64Array(Kr);
  const rc = c.cutoffA;
  for (let k = 0; k < Kr; ) {
    let len = 1;
    const e0 = eta[k];
    if (e0 > 0) {
      while (k + len < Kr && eta[k + len] === e0) len++;
      if (len > 2) {
        // keep the longest evenly spaced prefix
        const d = rs[k + 1] - rs[k];
        let m = 2;
        while (m < len && Math.abs(rs[k + m] - rs[k] - m * d) <= 1e-12 * Math.max(1, Math.abs(rs[k + m]))) m++;
        len = m;
      }
      if (len > 1) {
        const d = rs[k + 1] - rs[k];
        // the recurrence multiplies exp(-η(r - rs_0)²) by up to B^(len-1): keep both inside float64 range
        const far = Math.max(rs[k] * rs[k], (rc - rs[k]) ** 2);
        const grow = 2 * e0 * Math.abs(d) * (len - 1) * Math.max(Math.abs(rs[k]), Math.abs(rc - rs[k]));
        if (!(d !== 0 && e0 * far < 600 && grow < 600)) len = 1;
      }
    }
    runs.push(k, len);
    if (len > 1) {
      const d = rs[k + 1] - rs[k];
      runStep.push(2 * e0 * d);
      for (let m = 1; m < len; m++) stepFactor[k + m] = Math.exp(-e0 * d * d * (2 * m - 1));
    } else runStep.push(0);
    k += len;
  }
  const a = c.angular;
  let angular: SymmetryFunctionPlan['angular'] = null;
  if (a && a.etaPerA2.length && a.zeta.length && a.lambda.length) {
    const blockOf = new Int32Array(nSpecies * nSpecies);
    for (let s = 0; s < nSpecies; s++) for (let t = 0; t < nSpecies; t++) blockOf[s * nSpecies + t] = nSpecies * Kr + pairIndex(s, t, nSpecies) * L.nAngular;
    angular = {
      g4: a.kind === 'G4',
      cutoffA: a.cutoffA,
      eta: Float64Array.from(a.etaPerA2),
      zeta: Int32Array.from(a.zeta),
      zetaScale: Float64Array.from(a.zeta, (z) => 2 ** (1 - z)),
      lambda: Float64Array.from(a.lambda),
      nAngular: L.nAngular,
      offset: nSpecies * Kr,
      blockOf,
    };
  }
  const power = c.powerSpectrum ? powerSpectrumPlan(c.powerSpectrum, nSpecies) : null;
  return { nSpecies, nFeatures: L.nFeatures, nRadial: Kr, cutoffA: rc, radialEta: eta, radialRs: rs, runs: Int32Array.from(runs), runStep: Float64Array.from(runStep), stepFactor, angular, power, powerOffset: L.powerOffset };
}

/** e_k(r) = exp(-η_k (r - rs_k)²) for all radial functions into `out` [Kr]. */
function radialGaussians(plan: SymmetryFunctionPlan, r: number, out: Float64Array): void {
  const runs = plan.runs, eta = plan.radialEta, rs = plan.radialRs, step = plan.stepFactor;
  for (let u = 0, nr = runs.length >> 1; u < nr; u++) {
    const k0 = runs[2 * u], len = runs[2 * u + 1];
    const d0 = r - rs[k0];
    let e = eta[k0] === 0 ? 1 : Math.exp(-eta[k0] * d0 * d0);
    out[k0] = e;
    if (len > 1) {
      const B = Math.exp(plan.runStep[u] * d0);
      for (let m = 1; m < len; m++) {
        e *= B * step[k0 + m];
        out[k0 + m] = e;
      }
    }
  }
}

/** Per-call scratch of the TypeScript kernels (grown on demand, never shrunk). */
export interface SymmetryFunctionScratch {
  ek: Float64Array;
  /** Per-centre neighbour data, [maxNeighbors] (and ·nη for the exps). */
  nx: Float64Array; ny: Float64Array; nz: Float64Array; nr: Float64Array; nfc: Float64Array; ndfc: Float64Array;
  nsp: Int32Array; nE: Float64Array; ngx: Float64Array; ngy: Float64Array; ngz: Float64Array;
  A: Float64Array; dA: Float64Array; X: Float64Array;
}

export function symmetryFunctionScratch(plan: SymmetryFunctionPlan): SymmetryFunctionScratch {
  const a = plan.angular;
  const nZL = a ? a.zeta.length * a.lambda.length : 0, nEta = a ? a.eta.length : 0;
  const z = () => new Float64Array(0);
  return {
    ek: new Float64Array(plan.nRadial),
    nx: z(), ny: z(), nz: z(), nr: z(), nfc: z(), ndfc: z(), nsp: new Int32Array(0), nE: z(), ngx: z(), ngy: z(), ngz: z(),
    A: new Float64Array(nZL), dA: new Float64Array(nZL), X: new Float64Array(nEta),
  };
}

function ensureNeighborScratch(s: SymmetryFunctionScratch, m: number, nEta: number): void {
  if (s.nx.length >= m) return;
  const c = Math.max(m, 2 * s.nx.length);
  s.nx = new Float64Array(c); s.ny = new Float64Array(c); s.nz = new Float64Array(c); s.nr = new Float64Array(c);
  s.nfc = new Float64Array(c); s.ndfc = new Float64Array(c); s.nsp = new Int32Array(c); s.nE = new Float64Array(c * nEta);
  s.ngx = new Float64Array(c); s.ngy = new Float64Array(c); s.ngz = new Float64Array(c);
}

/** Radial G2 of all pairs into G [N·F] (G must be zeroed by the caller). */
export function radialForward(plan: SymmetryFunctionPlan, g: PairGeometry, species: Int32Array, G: Float64Array, s: SymmetryFunctionScratch): void {
  const F = plan.nFeatures, Kr = plan.nRadial, piRc = Math.PI / plan.cutoffA, ek = s.ek;
  const P = g.nPairs, pi = g.pairI, pj = g.pairJ, rr = g.r;
  for (let p = 0; p < P; p++) {
    const i = pi[p], j = pj[p], r = rr[p];
    const fc = 0.5 * (Math.cos(piRc * r) + 1);
    radialGaussians(plan, r, ek);
    const bi = i * F + species[j] * Kr, bj = j * F + species[i] * Kr;
    for (let k = 0; k < Kr; k++) {
      const v = ek[k] * fc;
      G[bi + k] += v;
      G[bj + k] += v;
    }
  }
}

/** Radial reverse pass: g_p = dE/dd_p from W = dE/dG (OVERWRITES g.grad for every pair). */
export function radialBackward(plan: SymmetryFunctionPlan, g: PairGeometry, species: Int32Array, W: Float64Array, s: SymmetryFunctionScratch): void {
  const F = plan.nFeatures, Kr = plan.nRadial, piRc = Math.PI / plan.cutoffA, ek = s.ek, eta = plan.radialEta, rs = plan.radialRs;
  const P = g.nPairs, pi = g.pairI, pj = g.pairJ, rr = g.r, v = g.vec, grad = g.grad;
  for (let p = 0; p < P; p++) {
    const i = pi[p], j = pj[p], r = rr[p];
    const fc = 0.5 * (Math.cos(piRc * r) + 1), dfc = -0.5 * piRc * Math.sin(piRc * r);
    radialGaussians(plan, r, ek);
    const bi = i * F + species[j] * Kr, bj = j * F + species[i] * Kr;
    let dEdr = 0;
    for (let k = 0; k < Kr; k++) dEdr += (W[bi + k] + W[bj + k]) * ek[k] * (dfc - 2 * eta[k] * (r - rs[k]) * fc);
    const c = dEdr / r, q = 3 * p;
    grad[q] = c * v[q];
    grad[q + 1] = c * v[q + 1];
    grad[q + 2] = c * v[q + 2];
  }
}

/** (1 + λ cos)^ζ · 2^(1-ζ) and its derivative in cos for every (ζ, λ), into A, dA [nζ·nλ]. */
function angularPowers(a: NonNullable<SymmetryFunctionPlan['angular']>, cos: number, A: Float64Array, dA: Float64Array): void {
  const zs = a.zeta, sc = a.zetaScale, lam = a.lambda, nL = lam.length;
  for (let l = 0; l < nL; l++) {
    const b = 1 + lam[l] * cos;
    for (let z = 0; z < zs.length; z++) {
      const zeta = zs[z];
      // b^(ζ-1) by repeated squaring (finite derivative at b = 0, unlike pow)
      let pm1 = 1, base = b, e = zeta - 1;
      while (e > 0) {
        if (e & 1) pm1 *= base;
        base *= base;
        e >>= 1;
      }
      A[z * nL + l] = sc[z] * pm1 * b;
      dA[z * nL + l] = sc[z] * zeta * lam[l] * pm1;
    }
  }
}

/**
 * Angular G4/G5 of every centre: into G (forward) or, with `W` given, the reverse pass added onto
 * g.grad (after radialBackward). One routine for both so that the triplet geometry is shared code.
 */
export function angularPass(plan: SymmetryFunctionPlan, g: PairGeometry, species: Int32Array, G: Float64Array | null, W: Float64Array | null, s: SymmetryFunctionScratch): void {
  const a = plan.angular;
  if (!a) return;
  const F = plan.nFeatures, S = plan.nSpecies, g4 = a.g4, rcA = a.cutoffA, rcA2 = rcA * rcA, piA = Math.PI / rcA;
  const etas = a.eta, nEta = etas.length, nZL = a.zeta.length * a.lambda.length, blockOf = a.blockOf;
  ensureNeighborScratch(s, g.maxNeighbors, nEta);
  const { nx, ny, nz, nr, nfc, ndfc, nsp, nE, ngx, ngy, ngz, A, dA, X } = s;
  const start = g.nbrStart, nbrPair = g.nbrPair, nbrSign = g.nbrSign, v = g.vec, rr = g.r, pj = g.pairJ, pi = g.pairI, grad = g.grad;
  for (let i = 0; i < g.nAtoms; i++) {
    const m0 = start[i], m = start[i + 1] - m0;
    if (m < 2) continue;
    for (let u = 0; u < m; u++) {
      const p = nbrPair[m0 + u], sg = nbrSign[m0 + u], r = rr[p];
      nx[u] = sg * v[3 * p];
      ny[u] = sg * v[3 * p + 1];
      nz[u] = sg * v[3 * p + 2];
      nr[u] = r;
      nfc[u] = 0.5 * (Math.cos(piA * r) + 1);
      ndfc[u] = -0.5 * piA * Math.sin(piA * r);
      nsp[u] = species[sg > 0 ? pj[p] : pi[p]];
      for (let e = 0; e < nEta; e++) nE[u * nEta + e] = etas[e] === 0 ? 1 : Math.exp(-etas[e] * r * r);
      ngx[u] = ngy[u] = ngz[u] = 0;
    }
    const row = i * F;
    for (let ua = 0; ua < m - 1; ua++) {
      const xa = nx[ua], ya = ny[ua], za = nz[ua], ra = nr[ua], fca = nfc[ua], sa = nsp[ua];
      for (let ub = ua + 1; ub < m; ub++) {
        const xb = nx[ub], yb = ny[ub], zb = nz[ub], rb = nr[ub];
        let fcjk = 1, dfjk = 0, rjk = 1;
        if (g4) {
          const dx = xb - xa, dy = yb - ya, dz = zb - za;
          const rjk2 = dx * dx + dy * dy + dz * dz;
          if (rjk2 >= rcA2) continue;
          rjk = Math.sqrt(rjk2);
          fcjk = 0.5 * (Math.cos(piA * rjk) + 1);
          if (W) dfjk = -0.5 * piA * Math.sin(piA * rjk);
          for (let e = 0; e < nEta; e++) X[e] = nE[ua * nEta + e] * nE[ub * nEta + e] * (etas[e] === 0 ? 1 : Math.exp(-etas[e] * rjk2));
        } else for (let e = 0; e < nEta; e++) X[e] = nE[ua * nEta + e] * nE[ub * nEta + e];
        const rab = ra * rb;
        const cos = (xa * xb + ya * yb + za * zb) / rab;
        const fcb = nfc[ub];
        const f3 = fca * fcb * fcjk;
        angularPowers(a, cos, A, dA);
        const col = row + blockOf[sa * S + nsp[ub]];
        if (G) {
          for (let e = 0; e < nEta; e++) {
            const xf = X[e] * f3, o = col + e * nZL;
            for (let q = 0; q < nZL; q++) G[o + q] += A[q] * xf;
          }
          continue;
        }
        // reverse pass
        let dEdcos = 0, dEds = 0, dEdf3 = 0;
        for (let e = 0; e < nEta; e++) {
          const o = col + e * nZL;
          let t = 0, uu = 0;
          for (let q = 0; q < nZL; q++) {
            const w = W![o + q];
            t += w * A[q];
            uu += w * dA[q];
          }
          dEdcos += X[e] * uu;
          dEds -= etas[e] * X[e] * t;
          dEdf3 += X[e] * t;
        }
        dEdcos *= f3;
        dEds *= f3;
        const dfa = ndfc[ua], dfb = ndfc[ub];
        const jk = g4 ? (dEdf3 * fca * fcb * dfjk) / rjk : 0;
        const sA = g4 ? 4 : 2; // ds/dr_a = 4 r_a - 2 r_b (G4), 2 r_a (G5)
        const cross = dEdcos / rab - (g4 ? 2 * dEds : 0) - jk;
        const alphaA = (-dEdcos * cos) / (ra * ra) + sA * dEds + (dEdf3 * dfa * fcb * fcjk) / ra + jk;
        const alphaB = (-dEdcos * cos) / (rb * rb) + sA * dEds + (dEdf3 * fca * dfb * fcjk) / rb + jk;
        ngx[ua] += alphaA * xa + cross * xb;
        ngy[ua] += alphaA * ya + cross * yb;
        ngz[ua] += alphaA * za + cross * zb;
        ngx[ub] += alphaB * xb + cross * xa;
        ngy[ub] += alphaB * yb + cross * ya;
        ngz[ub] += alphaB * zb + cross * za;
      }
    }
    if (W) {
      for (let u = 0; u < m; u++) {
        const p = nbrPair[m0 + u], sg = nbrSign[m0 + u], q = 3 * p;
        grad[q] += sg * ngx[u];
        grad[q + 1] += sg * ngy[u];
        grad[q + 2] += sg * ngz[u];
      }
    }
  }
}
