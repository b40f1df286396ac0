// The training loss of a Behler-Parrinello model (models/behlerParrinello.ts) and its gradient with
// respect to every weight, in plain float64 JavaScript: the same loss as loss.ts batchLoss (same
// masks, group weights, normalisations, label scales, per-atom energies, E0 excluded, stress only
// for 3D-periodic frames), without tf ops, so a training step costs a few GEMM-shaped loops instead
// of hundreds of op dispatches. The trainer hands the gradients to its tf optimiser unchanged
// (Adam/AdamW, clipping, schedules, EMA, checkpoints and resume are the same code).
//
// Model: E_b = Σ_{i in b} [s_E y_i + ē],  y_i = NN_{Z_i}(x_i),  x_i = (G_i - μ_Z) / σ_Z.
// Forces/stress from the descriptor gradient W_i = dE/dG_i = s_E g_i / σ_Z (g_i = dy_i/dx_i):
//   p_e = Σ_i (dG_i/dd_e)ᵀ W_i  (edge e = (i, j), d_e = r_j - r_i + shift),
//   F_k = Σ_{e: i_e = k} p_e - Σ_{e: j_e = k} p_e,  σ_b = sym(Σ_e d_e ⊗ p_e) / V_b   (models/predict.ts).
// Gradient: with c_b = dL/dE_b, dL/dF̂ and dL/dσ̂ from the residuals, the edge adjoint
//   u_e = dL/dF̂_{i_e} - dL/dF̂_{j_e} + Σ_a d_ea dL/dw_ab,   w = Σ_e d_e ⊗ p_e,  dL/dw = (dL/dσ + dL/dσᵀ)/(2V)
// goes back through the descriptor map by the tangent pass (bpFusedDescriptors.ts):
//   dL/dW_i = Σ_e (dG_i/dd_e) u_e,  h_i = dL/dg_i = s_E dL/dW_i / σ_Z,
// and then dL/dθ = d/dθ Σ_i [s_E c_{b(i)} y_i(θ) + h_i · g_i(θ)] at fixed c, h (bpFusedMlp.ts).
// Descriptors (and the radial slopes, under a memory budget) are computed once per frame and kept:
// positions do not change during training.
import type { HostBatch } from '../data/batch';
import type { GraphCache } from '../data/graph';
import type { LabelScales } from '../data/referenceEnergies';
import type { AtomisticModel } from '../models/model';
import { parseBehlerParrinelloConfig } from '../models/behlerParrinello';
import { savedArray } from '../models/serialization';
import { symmetryFunctionPlan, type SymmetryFunctionPlan } from '../inference/symmetryFunctionsFast';
import type { LossValues, LossWeights } from './loss';
import { descriptorReverse, descriptorScratch, descriptorTangent, frameDescriptors, frameGeometry, type FrameGeometry } from './bpFusedDescriptors';
import { createMlpBlock, type MlpBlock } from './bpFusedMlp';

export interface FusedLossResult {
  loss: LossValues;
  /** dL/dθ per model variable, in model.variables order. */
  grads: Float64Array[];
  /** [B] frame energies eV (E0 excluded); [3N] forces eV/Å and [9B] stress eV/Å³ in batch order when computed. */
  energyEv: Float64Array;
  forcesEvPerA: Float64Array | null;
  stressEvPerA3: Float64Array | null;
}

export interface BpFusedLoss {
  /**
   * Loss of a batch made by data/trainingData.makeBatch from the same graphs, and (unless
   * `gradient` is false) its gradient. `weights` overrides the model's current weights (float64,
   * model.variables order; finite-difference checks).
   */
  evaluate(host: HostBatch, w: LossWeights, scales: LabelScales, opts?: { weights?: readonly ArrayLike<number>[]; gradient?: boolean }): FusedLossResult;
  /** Frames whose descriptors are kept. */
  readonly cachedFrames: number;
}

export interface BpFusedOptions {
  /** Bytes of per-frame descriptors and radial slopes to keep (default 512 MiB); beyond it frames are recomputed. */
  cacheBytes?: number;
}

interface FrameEntry {
  fg: FrameGeometry;
  /** [n·F] standardised descriptors. */
  x: Float64Array;
}

/** Whether the fused loss computes this model's loss (bpnn only). */
export function fusedLossSupports(model: AtomisticModel): boolean {
  return model.type === 'bpnn';
}

export type TrainLossPath = 'auto' | 'fused' | 'graph';
let lossPath: TrainLossPath = 'auto';

/**
 * How the trainer computes the loss gradient of a Behler-Parrinello model: 'auto' (fused float64
 * on the cpu and wasm backends, where bench/train measures it faster than the tf graph; the tf
 * graph elsewhere), 'fused', or 'graph' (tf.variableGrads of loss.ts batchLoss) forced.
 */
export function setTrainLossPath(p: TrainLossPath): void {
  if (p !== 'auto' && p !== 'fused' && p !== 'graph') throw new Error(`train loss path must be auto, fused or graph, got ${String(p)}`);
  lossPath = p;
}

export function trainLossPath(): TrainLossPath {
  return lossPath;
}

/** Whether a trainer for `model` on the active backend uses the fused loss. */
export function useFusedLoss(model: AtomisticModel): boolean {
  if (!fusedLossSupports(model) || lossPath === 'graph') return false;
  if (lossPath === 'fused') return true;
  const backend = model.tf.getBackend();
  return backend === 'cpu' || backend === 'wasm';
}

export function createBpFusedLoss(model: AtomisticModel, atomSpecies: readonly Int32Array[], graphs: GraphCache, opts: BpFusedOptions = {}): BpFusedLoss {
  if (!fusedLossSupports(model)) throw new Error(`fused loss: model type ${model.type} is not a Behler-Parrinello model`);
  const saved = model.save();
  const c = parseBehlerParrinelloConfig(saved.config);
  const S = saved.species.length;
  const plan: SymmetryFunctionPlan = symmetryFunctionPlan(c.symmetryFunctions, S);
  const F = plan.nFeatures;
  const mean = savedArray(saved.buffers, 'feature_mean').data, std = savedArray(saved.buffers, 'feature_std').data;
  const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom;
  const sizes = [F, ...c.hidden, 1];
  // variable index of (species s, slot k) by name, so the layout of model.variables is not assumed
  const index = saved.species.map((sym) => {
    const out: number[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      for (const part of ['kernel', 'bias']) {
        const k = model.variables.findIndex((v) => v.name === `${sym}/dense${l}/${part}`);
        if (k < 0) throw new Error(`fused loss: the model has no variable ${sym}/dense${l}/${part}`);
        out.push(k);
      }
    }
    return out;
  });
  const blocks: MlpBlock[] = saved.species.map(() => createMlpBlock(sizes, c.activation));
  const scratch = descriptorScratch(plan);
  const budget = opts.cacheBytes ?? 512 * 2 ** 20;
  let used = 0;
  const cache = new Map<number, FrameEntry>();

  function frame(k: number): FrameEntry {
    const hit = cache.get(k);
    if (hit) return hit;
    const g = graphs.get(k), species = atomSpecies[k];
    const slopeBytes = 8 * g.edgeI.length * plan.nRadial, xBytes = 8 * g.nAtoms * F + 40 * g.edgeI.length;
    const keep = used + xBytes <= budget;
    const fg = frameGeometry(plan, g, species, keep && used + xBytes + slopeBytes <= budget);
    const x = frameDescriptors(plan, fg, scratch);
    for (let i = 0; i < g.nAtoms; i++) {
      const s = species[i];
      for (let f = 0; f < F; f++) x[i * F + f] = (x[i * F + f] - mean[s * F + f]) / std[s * F + f];
    }
    const e: FrameEntry = { fg, x };
    if (keep) {
      cache.set(k, e);
      used += xBytes + (fg.radialSlope ? slopeBytes : 0);
    }
    return e;
  }

  // batch-sized buffers, grown on demand
  let X = new Float64Array(0), Wd = new Float64Array(0), H = new Float64Array(0), hx = new Float64Array(0);
  let y = new Float64Array(0), cq = new Float64Array(0), dF = new Float64Array(0), localOf = new Int32Array(0);
  let uBuf = new Float64Array(0);

  function evaluate(host: HostBatch, w: LossWeights, scales: LabelScales, o: { weights?: readonly ArrayLike<number>[]; gradient?: boolean } = {}): FusedLossResult {
    const B = host.nFrames, N = host.nAtoms;
    const wantF = w.forces > 0 && host.forceCount > 0;
    const wantS = w.stress > 0 && host.stressCount > 0;
    const wantG = o.gradient !== false;
    const weights: readonly ArrayLike<number>[] = o.weights ?? model.variables.map((v) => v.variable.dataSync() as Float32Array);
    if (X.length < N * F) {
      X = new Float64Array(N * F);
      Wd = new Float64Array(N * F);
      H = new Float64Array(N * F);
      hx = new Float64Array(N * F);
      y = new Float64Array(N);
      cq = new Float64Array(N);
      dF = new Float64Array(3 * N);
      localOf = new Int32Array(N);
    }
    dF.fill(0, 0, 3 * N);
    const entries = Array.from(host.frames, (k) => frame(k));
    const off = new Int32Array(B + 1);
    for (let b = 0; b < B; b++) off[b + 1] = off[b] + host.atomsPerFrame[b];
    for (let q = 0; q < N; q++) {
      const b = host.atomFrame[q], a = host.atomOrigin[q];
      localOf[q] = off[b] + a;
      const src = entries[b].x;
      for (let f = 0, o = a * F, t = q * F; f < F; f++) X[t + f] = src[o + f];
    }
    // forward (and dE/dG for forces and stress), per species block
    const wantGeom = wantF || wantS;
    const starts = new Int32Array(S + 1);
    for (let s = 0; s < S; s++) starts[s + 1] = starts[s] + host.speciesCounts[s];
    const wOf = (s: number) => index[s].map((k) => weights[k]);
    for (let s = 0; s < S; s++) {
      const q0 = starts[s], n = starts[s + 1] - q0;
      if (n === 0) continue;
      const ws = wOf(s);
      y.set(blocks[s].forward(ws, X.subarray(q0 * F, (q0 + n) * F), n), q0);
      if (!wantGeom) continue;
      const gx = blocks[s].inputGradient(ws);
      for (let r = 0; r < n; r++) {
        const L = localOf[q0 + r] * F;
        for (let f = 0; f < F; f++) Wd[L + f] = (sE * gx[r * F + f]) / std[s * F + f];
      }
    }
    const energyEv = new Float64Array(B);
    for (let q = 0; q < N; q++) energyEv[host.atomFrame[q]] += sE * y[q] + shift;
    const forces = wantF ? new Float64Array(3 * N) : null;
    const stress = wantS ? new Float64Array(9 * B) : null;
    if (wantGeom) {
      for (let b = 0; b < B; b++) {
        const fg = entries[b].fg, g = fg.geom;
        const grad = descriptorReverse(plan, fg, Wd.subarray(off[b] * F, off[b + 1] * F), scratch);
        if (forces) {
          for (let p = 0; p < g.nPairs; p++) {
            const i = g.pairI[p], j = g.pairJ[p], q = 3 * p;
            const fi = 3 * (off[b] + i), fj = 3 * (off[b] + j);
            for (let d = 0; d < 3; d++) {
              dF[fi + d] += grad[q + d]; // frame-local forces in dF as scratch
              dF[fj + d] -= grad[q + d];
            }
          }
        }
        if (stress && fg.volumeA3 > 0) {
          const v = g.vec, wv = new Float64Array(9);
          for (let p = 0; p < g.nPairs; p++) for (let a = 0; a < 3; a++) for (let c2 = 0; c2 < 3; c2++) wv[3 * a + c2] += v[3 * p + a] * grad[3 * p + c2];
          for (let a = 0; a < 3; a++) for (let c2 = 0; c2 < 3; c2++) stress[9 * b + 3 * a + c2] = (0.5 * (wv[3 * a + c2] + wv[3 * c2 + a])) / fg.volumeA3;
        }
      }
      if (forces) {
        for (let q = 0; q < N; q++) for (let d = 0; d < 3; d++) forces[3 * q + d] = dF[3 * localOf[q] + d];
        dF.fill(0, 0, 3 * N);
      }
    }
    // loss terms (loss.ts), in float64
    let energy = 0, forceTerm = 0, stressTerm = 0;
    const cE = new Float64Array(B);
    if (host.energyCount > 0) {
      const den = host.energyCount * scales.energyEvPerAtom ** 2;
      for (let b = 0; b < B; b++) {
        const nat = Math.max(1, host.atomsPerFrame[b]);
        const err = energyEv[b] / nat - host.energyPerAtomEv[b];
        energy += (host.energyWeight[b] * err * err) / den;
        cE[b] = (w.energy * 2 * host.energyWeight[b] * err) / (den * nat);
      }
    }
    if (forces) {
      const den = host.forceCount * scales.forceEvPerA ** 2;
      for (let q = 0; q < N; q++) {
        const fw = host.forceWeight[q];
        for (let d = 0; d < 3; d++) {
          const err = forces[3 * q + d] - host.forcesEvPerA[3 * q + d];
          forceTerm += (fw * err * err) / den;
          dF[3 * localOf[q] + d] = (w.forces * 2 * fw * err) / den; // frame-local layout
        }
      }
    }
    const dW = new Float64Array(9 * B); // dL/dw, w = Σ_e d_e ⊗ p_e
    if (stress) {
      const den = host.stressCount * scales.stressEvPerA3 ** 2;
      for (let b = 0; b < B; b++) {
        const sw = host.stressWeight[b], V = host.volumeA3[b];
        const ds = new Float64Array(9);
        for (let k = 0; k < 9; k++) {
          const err = stress[9 * b + k] - host.stressEvPerA3[9 * b + k];
          stressTerm += (sw * err * err) / den;
          ds[k] = (w.stress * 2 * sw * err) / den;
        }
        if (V > 0) for (let a = 0; a < 3; a++) for (let c2 = 0; c2 < 3; c2++) dW[9 * b + 3 * a + c2] = (0.5 * (ds[3 * a + c2] + ds[3 * c2 + a])) / V;
      }
    }
    let total = w.energy * energy;
    if (wantF) total += w.forces * forceTerm;
    if (wantS) total += w.stress * stressTerm;
    const loss: LossValues = { total, energy, forces: forceTerm, stress: stressTerm };
    const grads = model.variables.map((v) => new Float64Array(v.variable.size));
    if (!wantG) return { loss, grads, energyEv, forcesEvPerA: forces, stressEvPerA3: stress };
    // edge adjoints -> dL/dW (frame-local) -> h in batch order
    if (wantGeom) {
      H.fill(0, 0, N * F);
      for (let b = 0; b < B; b++) {
        const fg = entries[b].fg, g = fg.geom, P = g.nPairs, v = g.vec;
        if (uBuf.length < 3 * P) uBuf = new Float64Array(3 * P);
        const u = uBuf, o = 3 * off[b], m = dW.subarray(9 * b, 9 * b + 9);
        const hasS = !!stress && fg.volumeA3 > 0;
        for (let p = 0; p < P; p++) {
          const qi = o + 3 * g.pairI[p], qj = o + 3 * g.pairJ[p], q = 3 * p;
          for (let d = 0; d < 3; d++) u[q + d] = forces ? dF[qi + d] - dF[qj + d] : 0;
          if (hasS) {
            const x0 = v[q], x1 = v[q + 1], x2 = v[q + 2];
            for (let d = 0; d < 3; d++) u[q + d] += x0 * m[d] + x1 * m[3 + d] + x2 * m[6 + d];
          }
        }
        descriptorTangent(plan, fg, u, H.subarray(off[b] * F, off[b + 1] * F), scratch);
      }
      if (forces) dF.fill(0, 0, 3 * N);
    }
    for (let q = 0; q < N; q++) cq[q] = sE * cE[host.atomFrame[q]];
    for (let s = 0; s < S; s++) {
      const q0 = starts[s], n = starts[s + 1] - q0;
      if (n === 0) continue;
      const ws = wOf(s);
      let h: Float64Array | null = null;
      if (wantGeom) {
        h = hx.subarray(q0 * F, (q0 + n) * F);
        for (let r = 0; r < n; r++) {
          const L = localOf[q0 + r] * F;
          for (let f = 0; f < F; f++) h[r * F + f] = (sE * H[L + f]) / std[s * F + f];
        }
      }
      // the block's forward state is still the one computed above (one block per species)
      blocks[s].weightGradient(ws, cq.subarray(q0, q0 + n), h, index[s].map((k) => grads[k]));
    }
    return { loss, grads, energyEv, forcesEvPerA: forces, stressEvPerA3: stress };
  }

  return {
    evaluate,
    get cachedFrames() {
      return cache.size;
    },
  };
}
