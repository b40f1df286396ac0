// The symmetry functions of symmetryFunctions.ts as a TensorFlow.js graph of the edge vectors, so
// forces and stress follow by automatic differentiation (and the force loss by differentiating
// again). Per edge p: r, fc(r) and the radial Gaussians [P, Kr]; per triplet t (edges a, b of one
// centre): cos θ, the exponent, the cutoff product and (1 + λ cos θ)^ζ by repeated multiplication;
// both reduced onto (atom, element block) with one segment sum each.
//
// Only ops with correct second-order gradients are used (shared/notes/tfjs-higher-order-gradients.md):
// the Gaussians use the safe exp of tf/activations.ts; cos, sqrt, square, mul, gather and
// unsortedSegmentSum are correct as they are.
import type { HostGraphBatch, GraphTensors } from '../data/batch';
import { pairIndex } from '../data/species';
import { safeOps } from '../tf/activations';
import type { Tensor, Tensor1D, Tensor2D, Tf } from '../tf/types';
import { featureLayout, type SymmetryFunctionConfig } from './symmetryFunctions';
import { harmonicNorms, powerSpectrumLayout, type PowerSpectrumConfig } from './powerSpectrum';

/** Segment ids of the descriptor sums, computed once per batch on the host. */
export function descriptorSegments(c: SymmetryFunctionConfig, b: HostGraphBatch): { radial: Int32Array; angular: Int32Array } {
  const S = b.nSpecies;
  const radial = new Int32Array(b.edgeI.length);
  for (let p = 0; p < radial.length; p++) radial[p] = b.edgeI[p] * S + b.species[b.edgeJ[p]];
  const nPairs = (S * (S + 1)) / 2;
  const angular = new Int32Array(c.angular ? b.tripletA.length : 0);
  for (let t = 0; t < angular.length; t++) {
    const pa = b.tripletA[t], pb = b.tripletB[t];
    angular[t] = b.edgeI[pa] * nPairs + pairIndex(b.species[b.edgeJ[pa]], b.species[b.edgeJ[pb]], S);
  }
  return { radial, angular };
}

export function descriptorSegmentTensors(tf: Tf, c: SymmetryFunctionConfig, b: HostGraphBatch): Record<string, Tensor> {
  const seg = descriptorSegments(c, b);
  return { sfRadialSegments: tf.tensor1d(seg.radial, 'int32'), sfAngularSegments: tf.tensor1d(seg.angular, 'int32') };
}

/** Constants of the graph, made once per model. */
export interface SymmetryFunctionConstants {
  radialEta: Tensor; // [1, Kr]
  radialRs: Tensor; // [1, Kr]
  angularEta: Tensor | null; // [1, nη]
  lambda: Tensor | null; // [1, nλ]
}

export function symmetryFunctionConstants(tf: Tf, c: SymmetryFunctionConfig): SymmetryFunctionConstants {
  return {
    radialEta: tf.tensor2d(c.radial.map((r) => r.etaPerA2), [1, c.radial.length]),
    radialRs: tf.tensor2d(c.radial.map((r) => r.rsA), [1, c.radial.length]),
    angularEta: c.angular ? tf.tensor2d(c.angular.etaPerA2, [1, c.angular.etaPerA2.length]) : null,
    lambda: c.angular ? tf.tensor2d(c.angular.lambda, [1, c.angular.lambda.length]) : null,
  };
}

export function disposeConstants(k: SymmetryFunctionConstants): void {
  for (const t of Object.values(k)) (t as Tensor | null)?.dispose();
}

/** Cosine cutoff ½(cos(π r/rc) + 1) of r [P]; r < rc is guaranteed by the neighbour list. */
function cosineCutoff(tf: Tf, r: Tensor, cutoffA: number): Tensor {
  return tf.mul(0.5, tf.add(tf.cos(tf.mul(r, Math.PI / cutoffA)), 1));
}

/** Widths of the blocks descriptorsTf returns: [S·Kr] radial, then [S(S+1)/2·Ka] angular (non-empty ones). */
export function descriptorBlockWidths(c: SymmetryFunctionConfig, nSpecies: number): number[] {
  const L = featureLayout(c, nSpecies);
  const w: number[] = [];
  if (L.nRadial > 0) w.push(nSpecies * L.nRadial);
  if (L.nAngular > 0) w.push(L.nPairs * L.nAngular);
  if (L.nPower > 0) w.push(L.nPower);
  return w;
}

/**
 * G for a batch as column blocks ([N, S·Kr] radial, [N, S(S+1)/2·Ka] angular; concatenated they
 * are the feature layout of symmetryFunctions.ts). Blocks rather than one [N, F] tensor: the first
 * network layer multiplies each block by its rows of the weight matrix, which avoids a concat of
 * the activations and the split in its backward pass. `edgeVectorsA` [P, 3] is the tensor forces
 * are taken with respect to. Uses batch.extra.sfRadialSegments / sfAngularSegments (made here if absent).
 */
export function descriptorsTf(tf: Tf, c: SymmetryFunctionConfig, k: SymmetryFunctionConstants, batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor2D[] {
  const ops = safeOps(tf);
  const h = batch.host;
  const seg = batch.extra.sfRadialSegments && batch.extra.sfAngularSegments ? batch.extra : descriptorSegmentTensors(tf, c, h);
  const N = h.nAtoms, S = h.nSpecies, P = h.edgeI.length, T = h.tripletA.length;
  const L = featureLayout(c, S);
  const blocks: Tensor[] = [];
  const r2 = tf.sum(tf.square(edgeVectorsA), 1); // [P]
  const r = tf.sqrt(r2); // [P]
  if (L.nRadial > 0) {
    const fc = cosineCutoff(tf, r, c.cutoffA); // [P]
    const d = tf.sub(tf.reshape(r, [P, 1]), k.radialRs); // [P, Kr]
    const gauss = ops.exp(tf.mul(tf.neg(k.radialEta), tf.square(d))); // [P, Kr]
    const terms = tf.mul(gauss, tf.reshape(fc, [P, 1])); // [P, Kr]
    const g2 = tf.unsortedSegmentSum(terms, seg.sfRadialSegments as Tensor1D, N * S); // [N·S, Kr]
    blocks.push(tf.reshape(g2, [N, S * L.nRadial]));
  }
  const a = c.angular;
  if (a && L.nAngular > 0) {
    if (T === 0) blocks.push(tf.zeros([N, L.nPairs * L.nAngular]));
    else {
      const fcA = cosineCutoff(tf, r, a.cutoffA); // [P] (used only for edges < rcA)
      const va = tf.gather(edgeVectorsA, batch.tripletA); // [T, 3]
      const vb = tf.gather(edgeVectorsA, batch.tripletB); // [T, 3]
      const ra2 = tf.gather(r2, batch.tripletA); // [T]
      const rb2 = tf.gather(r2, batch.tripletB); // [T]
      const dot = tf.sum(tf.mul(va, vb), 1); // [T]
      const cos = tf.div(dot, tf.sqrt(tf.mul(ra2, rb2))); // [T]
      let f3 = tf.mul(tf.gather(fcA, batch.tripletA), tf.gather(fcA, batch.tripletB)); // [T]
      let s = tf.add(ra2, rb2); // [T]
      if (a.kind === 'G4') {
        const rjk2 = tf.sum(tf.square(tf.sub(vb, va)), 1); // [T]
        f3 = tf.mul(f3, cosineCutoff(tf, tf.sqrt(rjk2), a.cutoffA));
        s = tf.add(s, rjk2);
      }
      const nEta = a.etaPerA2.length;
      const radialPart = tf.mul(ops.exp(tf.mul(tf.reshape(s, [T, 1]), tf.neg(k.angularEta!))), tf.reshape(f3, [T, 1])); // [T, nη]
      const base = tf.add(1, tf.mul(tf.reshape(cos, [T, 1]), k.lambda!)); // [T, nλ]
      const powers = new Map<number, Tensor>([[1, base]]);
      const power = (z: number): Tensor => {
        const hit = powers.get(z);
        if (hit) return hit;
        const v = z % 2 === 0 ? tf.square(power(z / 2)) : tf.mul(power(z - 1), base);
        powers.set(z, v);
        return v;
      };
      const angParts = a.zeta.map((z) => tf.mul(power(z), 2 ** (1 - z))); // nζ × [T, nλ]
      const angPart = angParts.length === 1 ? angParts[0] : tf.concat(angParts, 1); // [T, nζ·nλ]
      const nZL = a.zeta.length * a.lambda.length;
      const terms = tf.reshape(tf.mul(tf.reshape(radialPart, [T, nEta, 1]), tf.reshape(angPart, [T, 1, nZL])), [T, L.nAngular]); // [T, Ka]
      const g4 = tf.unsortedSegmentSum(terms, seg.sfAngularSegments as Tensor1D, N * L.nPairs); // [N·SP, Ka]
      blocks.push(tf.reshape(g4, [N, L.nPairs * L.nAngular]));
    }
  }
  if (c.powerSpectrum && L.nPower > 0) blocks.push(powerSpectrumTf(tf, c.powerSpectrum, h, S, seg.sfRadialSegments as Tensor1D, edgeVectorsA, r, N));
  return blocks as Tensor2D[];
}

/**
 * The power spectrum of powerSpectrum.ts as a graph: per edge g_n(r) Y_lm(r̂) (the harmonics by the
 * same recurrence, as polynomials of r̂ = r/|r|), summed onto (atom, element) rows, then per degree l
 * the products Σ_m c^s_{nlm} c^t_{n'lm} as one batched matMul, and the layout's columns gathered.
 */
function powerSpectrumTf(tf: Tf, ps: PowerSpectrumConfig, host: HostGraphBatch, S: number, segments: Tensor1D, v: Tensor2D, r: Tensor, N: number): Tensor2D {
  const ops = safeOps(tf);
  const lay = powerSpectrumLayout(ps, S), Nn = lay.nMax, L = lay.lMax, LM = lay.nLm, P = v.shape[0];
  // edges beyond the density's cutoff add nothing (decided on the host's edge lengths: a step has no gradient)
  const hv = host.edgeVectorsA, rc2 = ps.cutoffA * ps.cutoffA;
  const inside = tf.tensor1d(Float32Array.from({ length: P }, (_, p) => (hv[3 * p] ** 2 + hv[3 * p + 1] ** 2 + hv[3 * p + 2] ** 2 < rc2 ? 1 : 0)));
  const fc = tf.mul(cosineCutoff(tf, r, ps.cutoffA), inside);
  const eta = tf.tensor2d(ps.radial.map((f) => f.etaPerA2), [1, Nn]), rs = tf.tensor2d(ps.radial.map((f) => f.rsA), [1, Nn]);
  const g = tf.mul(ops.exp(tf.mul(tf.neg(eta), tf.square(tf.sub(tf.reshape(r, [P, 1]), rs)))), tf.reshape(fc, [P, 1])); // [P, Nn]
  const u = tf.div(v, tf.reshape(r, [P, 1]));
  const [x, y, z] = tf.split(u, 3, 1) as Tensor[]; // [P, 1] each
  const cs: Tensor[] = [tf.onesLike(x)], sn: Tensor[] = [tf.zerosLike(x)];
  for (let m = 1; m <= L; m++) {
    cs.push(tf.sub(tf.mul(x, cs[m - 1]), tf.mul(y, sn[m - 1])));
    sn.push(tf.add(tf.mul(x, sn[m - 1]), tf.mul(y, cs[m - 1])));
  }
  const norms = harmonicNorms(L);
  const Y: Tensor[] = new Array(LM);
  for (let m = 0; m <= L; m++) {
    // Q_l^m(z) on the unit sphere: Q_m^m constant, Q_{m+1}^m = (2m+1) z Q_m^m, then the three-term recurrence
    let qmm = 1;
    for (let k = 1; k <= m; k++) qmm *= -(2 * k - 1);
    const Q: Tensor[] = [tf.mul(tf.onesLike(z), qmm)];
    if (m + 1 <= L) Q.push(tf.mul(z, (2 * m + 1) * qmm));
    for (let l = m + 2; l <= L; l++) Q.push(tf.sub(tf.mul(z, tf.mul(Q[l - m - 1], (2 * l - 1) / (l - m))), tf.mul(Q[l - m - 2], (l + m - 1) / (l - m))));
    for (let l = m; l <= L; l++) {
      const nf = norms[l * l + l + m], q = Q[l - m];
      Y[l * l + l + m] = tf.mul(q, tf.mul(cs[m], nf));
      if (m > 0) Y[l * l + l - m] = tf.mul(q, tf.mul(sn[m], nf));
    }
  }
  const Yt = tf.concat(Y, 1); // [P, LM]
  const b = tf.reshape(tf.mul(tf.reshape(g, [P, Nn, 1]), tf.reshape(Yt, [P, 1, LM])), [P, Nn * LM]);
  const c = tf.reshape(tf.unsortedSegmentSum(b, segments, N * S), [N, S * Nn, LM]);
  const SN = S * Nn;
  const perL: Tensor[] = [];
  for (let l = 0; l <= L; l++) {
    const Cl = tf.slice(c, [0, 0, l * l], [N, SN, 2 * l + 1]);
    perL.push(tf.reshape(tf.matMul(Cl as Tensor, Cl as Tensor, false, true), [N, SN * SN]));
  }
  const all = perL.length === 1 ? perL[0] : tf.concat(perL, 1); // [N, (L+1)·SN²]
  const cols = Int32Array.from(lay.features, (f) => f.l * SN * SN + (f.s * Nn + f.n) * SN + f.t * Nn + f.n2);
  const norm = tf.tensor2d(Float32Array.from(lay.features, (f) => (4 * Math.PI) / (2 * f.l + 1)), [1, lay.width]);
  return tf.mul(tf.gather(all, tf.tensor1d(cols, 'int32'), 1), norm) as Tensor2D;
}

/** Per-species standardisation constants (n2p2 scaling), split into the descriptor blocks. */
export interface BlockStandardizer {
  widths: number[];
  /** [S][block] [1, F_b] */
  mean: Tensor2D[][];
  invStd: Tensor2D[][];
  dispose(): void;
}

export function blockStandardizer(tf: Tf, mean: Float64Array, std: Float64Array, nSpecies: number, widths: number[]): BlockStandardizer {
  const F = widths.reduce((a, b) => a + b, 0);
  const make = (src: Float64Array, f: (x: number) => number) =>
    Array.from({ length: nSpecies }, (_, s) => {
      let off = s * F;
      return widths.map((w) => {
        const t = tf.tensor2d(Float32Array.from(src.subarray(off, off + w), f), [1, w]);
        off += w;
        return t;
      });
    });
  const m = make(mean, (x) => x), inv = make(std, (x) => 1 / x);
  return { widths, mean: m, invStd: inv, dispose: () => [...m.flat(), ...inv.flat()].forEach((t) => t.dispose()) };
}

/**
 * Standardised descriptor blocks of each species present: atoms are species-ordered, so species s
 * owns a contiguous row range. Returns, per species with atoms, x_b = (G_b - μ_sb) / σ_sb [n_s, F_b].
 */
export function standardizedBlocks(tf: Tf, st: BlockStandardizer, blocks: Tensor2D[], speciesCounts: Int32Array): { species: number; rows: Tensor2D[] }[] {
  const out: { species: number; rows: Tensor2D[] }[] = [];
  let start = 0;
  const S = speciesCounts.length;
  for (let s = 0; s < S; s++) {
    const n = speciesCounts[s];
    if (n === 0) continue;
    const rows = blocks.map((G, b) => {
      const Gs = S === 1 ? G : (tf.slice(G, [start, 0], [n, st.widths[b]]) as Tensor2D); // [n_s, F_b]
      return tf.mul(tf.sub(Gs, st.mean[s][b]), st.invStd[s][b]) as Tensor2D;
    });
    out.push({ species: s, rows });
    start += n;
  }
  return out;
}
