// Symmetry functions of one training frame for the fused Behler-Parrinello loss (bpFusedGrad.ts), in
// float64 on the frame graph's DIRECTED edge list (data/graph.ts: both directions, so each edge
// p = (i, j) adds only to row i of G). Three maps, all linear in their argument except the forward:
//   forward   G [n, F]                          (once per frame; positions never change in training)
//   reverse   g_p = Σ_i (dG_i/dd_p)ᵀ W_i         W = dE/dG [n, F]  ->  dE/dd_p [P, 3]   (forces, stress)
//   tangent   H_i = Σ_p (dG_i/dd_p) u_p          u = dL/d(dE/dd) [P, 3]  ->  dL/dW [n, F]
// The tangent is the transpose of the reverse map: it carries the force/stress residual back onto
// the descriptor gradient W without ever forming dG/dd (P·F·3 numbers).
// Radial G2 (n2p2, models/symmetryFunctions.ts), edge p = (i, j), e_k = exp(-η_k (r - rs_k)²):
//   G_i[s_j, k] += e_k fc,   dG_i[s_j, k]/dd_p = c_pk d_p / r,   c_pk = e_k (fc' - 2η_k (r - rs_k) fc)
// (c_pk is kept per frame while a memory budget allows, else recomputed.)
// Angular G4/G5: forward and reverse are angularPass of inference/symmetryFunctionsFast.ts (read-only
// reuse) on a geometry whose "pairs" are the directed edges, every neighbour entry signed +1; the
// tangent below follows the same triplet loop: with X_e = exp(-η_e s), f3 = fc_a fc_b (fc_jk),
//   dcos = (u_a·r_b + u_b·r_a)/(r_a r_b) - cos (u_a·r_a/r_a² + u_b·r_b/r_b²)
//   ds   = 2 r_a·u_a + 2 r_b·u_b (+ 2 r_jk·u_jk for G4, r_jk = r_b - r_a, u_jk = u_b - u_a)
//   df3  = fc_a' (r_a·u_a/r_a) fc_b fc_jk + fc_a fc_b' (r_b·u_b/r_b) fc_jk (+ fc_a fc_b fc_jk' (r_jk·u_jk/r_jk))
//   dG[e, q] = X_e (f3 (A_q' dcos - η_e A_q ds) + A_q df3),   A_q = 2^(1-ζ)(1 + λ cos)^ζ.
import type { FrameGraph } from '../data/graph';
import { angularPass, symmetryFunctionScratch, type SymmetryFunctionPlan, type SymmetryFunctionScratch } from '../inference/symmetryFunctionsFast';
import type { PairGeometry } from '../inference/pairGeometry';

/** A frame's directed edges in the layout angularPass reads, plus cached radial slopes. */
export interface FrameGeometry {
  /** Directed edges as "pairs" (pairI = centre), neighbour entries within the angular cutoff, all signed +1. */
  geom: PairGeometry;
  species: Int32Array;
  /** Cell volume Å³ when 3D periodic, else 0. */
  volumeA3: number;
  /** [P·Kr] c_pk of every edge (null: over the memory budget, recomputed per call). */
  radialSlope: Float64Array | null;
}

/** Directed-edge geometry of a frame graph (float64 edge vectors, as the graph holds them). */
export function frameGeometry(plan: SymmetryFunctionPlan, g: FrameGraph, species: Int32Array, keepSlopes: boolean): FrameGeometry {
  const P = g.edgeI.length, n = g.nAtoms;
  const v = g.edgeVectorsA;
  const r = new Float64Array(P);
  for (let p = 0; p < P; p++) r[p] = Math.hypot(v[3 * p], v[3 * p + 1], v[3 * p + 2]);
  const rcA = plan.angular ? plan.angular.cutoffA : 0;
  const start = new Int32Array(n + 1);
  for (let p = 0; p < P; p++) if (r[p] < rcA) start[g.edgeI[p] + 1]++;
  let maxNeighbors = 0;
  for (let i = 0; i < n; i++) {
    maxNeighbors = Math.max(maxNeighbors, start[i + 1]);
    start[i + 1] += start[i];
  }
  const nbrPair = new Int32Array(start[n]);
  const cursor = start.slice(0, n);
  for (let p = 0; p < P; p++) if (r[p] < rcA) nbrPair[cursor[g.edgeI[p]]++] = p;
  const geom = {
    cutoffA: plan.cutoffA,
    angularCutoffA: rcA,
    cache: null, // angularPass reads only the arrays below; there is no neighbour cache behind them
    nAtoms: n,
    nPairs: P,
    pairI: g.edgeI,
    pairJ: g.edgeJ,
    vec: v,
    r,
    grad: new Float64Array(3 * P),
    nbrStart: start,
    nbrPair,
    nbrSign: new Float64Array(nbrPair.length).fill(1),
    maxNeighbors,
  } as unknown as PairGeometry;
  const fg: FrameGeometry = { geom, species, volumeA3: g.volumeA3, radialSlope: null };
  if (keepSlopes) {
    fg.radialSlope = new Float64Array(P * plan.nRadial);
    radialSlopes(plan, fg, 0, P, fg.radialSlope);
  }
  return fg;
}

/** e_k(r) for all radial functions (the evenly spaced runs by the recurrence of symmetryFunctionsFast.ts). */
function radialGaussians(plan: SymmetryFunctionPlan, r: number, out: Float64Array, o: number): void {
  const runs = plan.runs, eta = plan.radialEta, rs = plan.radialRs, step = plan.stepFactor;
  for (let u = 0, nr = runs.length >> 1; u < nr; u++) {
    const k0 = runs[2 * u], len = runs[2 * u + 1];
    const d0 = r - rs[k0];
    let e = eta[k0] === 0 ? 1 : Math.exp(-eta[k0] * d0 * d0);
    out[o + k0] = e;
    if (len > 1) {
      const B = Math.exp(plan.runStep[u] * d0);
      for (let m = 1; m < len; m++) {
        e *= B * step[k0 + m];
        out[o + k0 + m] = e;
      }
    }
  }
}

/** c_pk = d(e_k fc)/dr for edges [p0, p1) into out[(p - p0)·Kr + k]. */
function radialSlopes(plan: SymmetryFunctionPlan, fg: FrameGeometry, p0: number, p1: number, out: Float64Array): void {
  const Kr = plan.nRadial, piRc = Math.PI / plan.cutoffA, eta = plan.radialEta, rs = plan.radialRs, rr = fg.geom.r;
  for (let p = p0; p < p1; p++) {
    const r = rr[p], o = (p - p0) * Kr;
    const fc = 0.5 * (Math.cos(piRc * r) + 1), dfc = -0.5 * piRc * Math.sin(piRc * r);
    radialGaussians(plan, r, out, o);
    for (let k = 0; k < Kr; k++) out[o + k] *= dfc - 2 * eta[k] * (r - rs[k]) * fc;
  }
}

/** Scratch of the per-frame passes (grown on demand). */
export interface DescriptorScratch {
  sf: SymmetryFunctionScratch;
  slope: Float64Array;
  A: Float64Array;
  dA: Float64Array;
  X: Float64Array;
  nE: Float64Array;
}

export function descriptorScratch(plan: SymmetryFunctionPlan): DescriptorScratch {
  const sf = symmetryFunctionScratch(plan);
  return { sf, slope: new Float64Array(0), A: sf.A.slice(), dA: sf.dA.slice(), X: sf.X.slice(), nE: new Float64Array(0) };
}

/** G [n·F] of the frame (unscaled). */
export function frameDescriptors(plan: SymmetryFunctionPlan, fg: FrameGeometry, s: DescriptorScratch): Float64Array {
  const g = fg.geom, F = plan.nFeatures, Kr = plan.nRadial, piRc = Math.PI / plan.cutoffA, sp = fg.species;
  const G = new Float64Array(g.nAtoms * F);
  const ek = s.sf.ek;
  for (let p = 0; p < g.nPairs; p++) {
    const r = g.r[p];
    const fc = 0.5 * (Math.cos(piRc * r) + 1);
    radialGaussians(plan, r, ek, 0);
    const o = g.pairI[p] * F + sp[g.pairJ[p]] * Kr;
    for (let k = 0; k < Kr; k++) G[o + k] += ek[k] * fc;
  }
  angularPass(plan, g, sp, G, null, s.sf);
  return G;
}

function slopesOf(plan: SymmetryFunctionPlan, fg: FrameGeometry, s: DescriptorScratch): Float64Array {
  if (fg.radialSlope) return fg.radialSlope;
  const need = fg.geom.nPairs * plan.nRadial;
  if (s.slope.length < need) s.slope = new Float64Array(need);
  radialSlopes(plan, fg, 0, fg.geom.nPairs, s.slope);
  return s.slope;
}

/** Reverse pass: fg.geom.grad [3P] = dE/dd_p from W = dE/dG [n·F]. */
export function descriptorReverse(plan: SymmetryFunctionPlan, fg: FrameGeometry, W: Float64Array, s: DescriptorScratch): Float64Array {
  const g = fg.geom, F = plan.nFeatures, Kr = plan.nRadial, sp = fg.species, grad = g.grad, v = g.vec;
  const c = slopesOf(plan, fg, s);
  for (let p = 0; p < g.nPairs; p++) {
    const o = g.pairI[p] * F + sp[g.pairJ[p]] * Kr, oc = p * Kr;
    let dEdr = 0;
    for (let k = 0; k < Kr; k++) dEdr += W[o + k] * c[oc + k];
    const t = dEdr / g.r[p], q = 3 * p;
    grad[q] = t * v[q];
    grad[q + 1] = t * v[q + 1];
    grad[q + 2] = t * v[q + 2];
  }
  angularPass(plan, g, sp, null, W, s.sf);
  return grad;
}

/** Tangent pass: H [n·F] += Σ_p (dG/dd_p) u_p for edge tangents u [3P]. */
export function descriptorTangent(plan: SymmetryFunctionPlan, fg: FrameGeometry, u: Float64Array, H: Float64Array, s: DescriptorScratch): void {
  const g = fg.geom, F = plan.nFeatures, Kr = plan.nRadial, sp = fg.species, v = g.vec;
  const c = slopesOf(plan, fg, s);
  for (let p = 0; p < g.nPairs; p++) {
    const q = 3 * p;
    const t = (v[q] * u[q] + v[q + 1] * u[q + 1] + v[q + 2] * u[q + 2]) / g.r[p];
    if (t === 0) continue;
    const o = g.pairI[p] * F + sp[g.pairJ[p]] * Kr, oc = p * Kr;
    for (let k = 0; k < Kr; k++) H[o + k] += c[oc + k] * t;
  }
  angularTangent(plan, fg, u, H, s);
}

/** (1 + λ cos)^ζ 2^(1-ζ) and its cos-derivative (as symmetryFunctionsFast.angularPowers). */
function angularPowers(a: NonNullable<SymmetryFunctionPlan['angular']>, cos: number, A: Float64Array, dA: Float64Array): void {
  const zs = a.zeta, sc = a.zetaScale, lam = a.lambda, nL = lam.length;
  for (let l = 0; l < nL; l++) {
    const b = 1 + lam[l] * cos;
    for (let z = 0; z < zs.length; z++) {
      let pm1 = 1, base = b, e = zs[z] - 1;
      while (e > 0) {
        if (e & 1) pm1 *= base;
        base *= base;
        e >>= 1;
      }
      A[z * nL + l] = sc[z] * pm1 * b;
      dA[z * nL + l] = sc[z] * zs[z] * lam[l] * pm1;
    }
  }
}

function angularTangent(plan: SymmetryFunctionPlan, fg: FrameGeometry, u: Float64Array, H: Float64Array, s: DescriptorScratch): void {
  const a = plan.angular;
  if (!a) return;
  const g = fg.geom, F = plan.nFeatures, S = plan.nSpecies, g4 = a.g4, rcA = a.cutoffA, rcA2 = rcA * rcA, piA = Math.PI / rcA;
  const etas = a.eta, nEta = etas.length, nZL = a.zeta.length * a.lambda.length, blockOf = a.blockOf;
  const { A, dA, X } = s;
  if (s.nE.length < g.maxNeighbors * nEta) s.nE = new Float64Array(g.maxNeighbors * nEta);
  const nE = s.nE, v = g.vec, rr = g.r, pj = g.pairJ, sp = fg.species, start = g.nbrStart, nbr = g.nbrPair;
  for (let i = 0; i < g.nAtoms; i++) {
    const m0 = start[i], m = start[i + 1] - m0;
    if (m < 2) continue;
    for (let w = 0; w < m; w++) {
      const r = rr[nbr[m0 + w]];
      for (let e = 0; e < nEta; e++) nE[w * nEta + e] = etas[e] === 0 ? 1 : Math.exp(-etas[e] * r * r);
    }
    const row = i * F;
    for (let wa = 0; wa < m - 1; wa++) {
      const pa = nbr[m0 + wa], qa = 3 * pa;
      const xa = v[qa], ya = v[qa + 1], za = v[qa + 2], ra = rr[pa];
      const uxa = u[qa], uya = u[qa + 1], uza = u[qa + 2];
      const fca = 0.5 * (Math.cos(piA * ra) + 1), dfa = -0.5 * piA * Math.sin(piA * ra);
      const ta = (xa * uxa + ya * uya + za * uza) / ra; // dr_a
      const sa = sp[pj[pa]];
      for (let wb = wa + 1; wb < m; wb++) {
        const pb = nbr[m0 + wb], qb = 3 * pb;
        const xb = v[qb], yb = v[qb + 1], zb = v[qb + 2], rb = rr[pb];
        const uxb = u[qb], uyb = u[qb + 1], uzb = u[qb + 2];
        let fcjk = 1, dfjk = 0, tjk = 0, rjk = 0;
        if (g4) {
          const dx = xb - xa, dy = yb - ya, dz = zb - za;
          const rjk2 = dx * dx + dy * dy + dz * dz;
          if (rjk2 >= rcA2) continue;
          rjk = Math.sqrt(rjk2);
          fcjk = 0.5 * (Math.cos(piA * rjk) + 1);
          dfjk = -0.5 * piA * Math.sin(piA * rjk);
          tjk = (dx * (uxb - uxa) + dy * (uyb - uya) + dz * (uzb - uza)) / rjk;
          for (let e = 0; e < nEta; e++) X[e] = nE[wa * nEta + e] * nE[wb * nEta + e] * (etas[e] === 0 ? 1 : Math.exp(-etas[e] * rjk2));
        } else for (let e = 0; e < nEta; e++) X[e] = nE[wa * nEta + e] * nE[wb * nEta + e];
        const fcb = 0.5 * (Math.cos(piA * rb) + 1), dfb = -0.5 * piA * Math.sin(piA * rb);
        const tb = (xb * uxb + yb * uyb + zb * uzb) / rb;
        const rab = ra * rb;
        const cos = (xa * xb + ya * yb + za * zb) / rab;
        const dcos = (uxa * xb + uya * yb + uza * zb + uxb * xa + uyb * ya + uzb * za) / rab - cos * (ta / ra + tb / rb);
        const ds = 2 * (ra * ta + rb * tb) + 2 * rjk * tjk;
        const f3 = fca * fcb * fcjk;
        const df3 = dfa * ta * fcb * fcjk + fca * dfb * tb * fcjk + fca * fcb * dfjk * tjk;
        angularPowers(a, cos, A, dA);
        const col = row + blockOf[sa * S + sp[pj[pb]]];
        for (let e = 0; e < nEta; e++) {
          const o = col + e * nZL, xe = X[e], cA = xe * (df3 - f3 * etas[e] * ds), cdA = xe * f3 * dcos;
          for (let q = 0; q < nZL; q++) H[o + q] += A[q] * cA + dA[q] * cdA;
        }
      }
    }
  }
}
