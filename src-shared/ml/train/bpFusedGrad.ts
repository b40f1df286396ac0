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
import { scatterPairForces } from '../inference/pairGeometry';
import { symmetryFunctionPlan, type SymmetryFunctionPlan } from '../inference/symmetryFunctionsFast';
import type { LossValues, LossWeights } from './loss';
import { descriptorReverse, descriptorScratch, descriptorTangent, frameDescriptors, frameGeometry, type DescriptorScratch, type FrameGeometry } from './bpFusedDescriptors';
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
export function useFusedLoss(model: AtomisticModel, path: TrainLossPath = 'auto'): boolean {
  // the process-wide switch (setTrainLossPath) wins over a run's setting when it is not 'auto'
  const p = lossPath !== 'auto' ? lossPath : path;
  if (!fusedLossSupports(model) || p === 'graph') return false;
  if (p === 'fused') return true;
  const backend = model.tf.getBackend();
  return backend === 'cpu' || backend === 'wasm';
}

export function createBpFusedLoss(model: AtomisticModel, atomSpecies: readonly Int32Array[], graphs: GraphCache, opts: BpFusedOptions = {}): BpFusedLoss {
  if (!fusedLossSupports(model)) throw new Error(`fused loss: model type ${model.type} is not a Behler-Parrinello model`);
  return new FusedBpLoss(model, atomSpecies, graphs, opts);
}

type EvalOptions = { weights?: readonly ArrayLike<number>[]; gradient?: boolean };

/**
 * A class with its hot loops in top-level functions, not closures: V8 then shares one optimised
 * copy between instances (closures made per trainer lose their optimised code when a second
 * trainer is made, and run in the interpreter again for several epochs).
 */
class FusedBpLoss implements BpFusedLoss {
  private readonly plan: SymmetryFunctionPlan;
  private readonly F: number;
  private readonly S: number;
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private readonly sE: number;
  private readonly shift: number;
  /** Variable index of (species s, slot k), by name. */
  private readonly index: number[][];
  private readonly blocks: MlpBlock[];
  private readonly scratch: DescriptorScratch;
  private readonly budget: number;
  private used = 0;
  private readonly cache = new Map<number, FrameEntry>();
  // batch-sized buffers, grown on demand
  private X = new Float64Array(0);
  private Wd = new Float64Array(0);
  private H = new Float64Array(0);
  private hx = new Float64Array(0);
  private y = new Float64Array(0);
  private cq = new Float64Array(0);
  private dF = new Float64Array(0);
  private localOf = new Int32Array(0);
  private u = new Float64Array(0);

  constructor(
    private readonly model: AtomisticModel,
    private readonly atomSpecies: readonly Int32Array[],
    private readonly graphs: GraphCache,
    opts: BpFusedOptions,
  ) {
    const saved = model.save();
    const c = parseBehlerParrinelloConfig(saved.config);
    this.S = saved.species.length;
    this.plan = symmetryFunctionPlan(c.symmetryFunctions, this.S);
    this.F = this.plan.nFeatures;
    this.mean = Float64Array.from(savedArray(saved.buffers, 'feature_mean').data);
    this.std = Float64Array.from(savedArray(saved.buffers, 'feature_std').data);
    this.sE = saved.scales.energyEvPerAtom;
    this.shift = saved.scales.energyMeanEvPerAtom;
    const sizes = [this.F, ...c.hidden, 1];
    this.index = saved.species.map((sym) => {
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
    this.blocks = saved.species.map(() => createMlpBlock(sizes, c.activation));
    this.scratch = descriptorScratch(this.plan);
    this.budget = opts.cacheBytes ?? 512 * 2 ** 20;
  }

  get cachedFrames(): number {
    return this.cache.size;
  }

  private frame(k: number): FrameEntry {
    const hit = this.cache.get(k);
    if (hit) return hit;
    const plan = this.plan, F = this.F;
    const g = this.graphs.get(k), species = this.atomSpecies[k];
    const slopeBytes = 8 * g.edgeI.length * plan.nRadial, xBytes = 8 * g.nAtoms * F + 40 * g.edgeI.length;
    const keep = this.used + xBytes <= this.budget;
    const fg = frameGeometry(plan, g, species, keep && this.used + xBytes + slopeBytes <= this.budget);
    const x = frameDescriptors(plan, fg, this.scratch);
    standardize(x, species, this.mean, this.std, g.nAtoms, F);
    const e: FrameEntry = { fg, x };
    if (keep) {
      this.cache.set(k, e);
      this.used += xBytes + (fg.radialSlope ? slopeBytes : 0);
    }
    return e;
  }

  private grow(N: number): void {
    const F = this.F;
    if (this.X.length >= N * F) return;
    this.X = new Float64Array(N * F);
    this.Wd = new Float64Array(N * F);
    this.H = new Float64Array(N * F);
    this.hx = new Float64Array(N * F);
    this.y = new Float64Array(N);
    this.cq = new Float64Array(N);
    this.dF = new Float64Array(3 * N);
    this.localOf = new Int32Array(N);
  }

  evaluate(host: HostBatch, w: LossWeights, scales: LabelScales, o: EvalOptions = {}): FusedLossResult {
    const { plan, F, S, std, sE, index, blocks, scratch } = this;
    const B = host.nFrames, N = host.nAtoms;
    const wantF = w.forces > 0 && host.forceCount > 0;
    const wantS = w.stress > 0 && host.stressCount > 0;
    const wantGeom = wantF || wantS;
    // float64 copies: one array type at every GEMM site (the optimised loops stay monomorphic)
    const weights: readonly Float64Array[] = (o.weights ?? this.model.variables.map((v) => v.variable.dataSync() as Float32Array)).map((x) => Float64Array.from(x));
    this.grow(N);
    const { X, Wd, H, hx, y, cq, dF, localOf } = this;
    dF.fill(0, 0, 3 * N);
    const entries = Array.from(host.frames, (k) => this.frame(k));
    const off = new Int32Array(B + 1);
    for (let b = 0; b < B; b++) off[b + 1] = off[b] + host.atomsPerFrame[b];
    for (let q = 0; q < N; q++) localOf[q] = off[host.atomFrame[q]] + host.atomOrigin[q];
    gatherRows(X, entries.map((e) => e.x), host.atomFrame, host.atomOrigin, N, F);
    // forward (and dE/dG for forces and stress), per species block
    const starts = new Int32Array(S + 1);
    for (let s = 0; s < S; s++) starts[s + 1] = starts[s] + host.speciesCounts[s];
    for (let s = 0; s < S; s++) {
      const q0 = starts[s], n = starts[s + 1] - q0;
      if (n === 0) continue;
      const ws = index[s].map((k) => weights[k]);
      y.set(blocks[s].forward(ws, X.subarray(q0 * F, (q0 + n) * F), n), q0);
      if (wantGeom) scatterScaledRows(Wd, blocks[s].inputGradient(ws), localOf, q0, n, F, std, s * F, sE);
    }
    const energyEv = new Float64Array(B);
    for (let q = 0; q < N; q++) energyEv[host.atomFrame[q]] += sE * y[q] + this.shift;
    const forces = wantF ? new Float64Array(3 * N) : null;
    const stress = wantS ? new Float64Array(9 * B) : null;
    if (wantGeom) {
      for (let b = 0; b < B; b++) {
        const fg = entries[b].fg;
        const grad = descriptorReverse(plan, fg, Wd.subarray(off[b] * F, off[b + 1] * F), scratch);
        if (forces) scatterPairForces(fg.geom.pairI, fg.geom.pairJ, grad, fg.geom.nPairs, dF, 3 * off[b]); // frame-local layout
        if (stress && fg.volumeA3 > 0) pairStressInto(fg.geom.vec, grad, fg.geom.nPairs, fg.volumeA3, stress, 9 * b);
      }
      if (forces) {
        for (let q = 0; q < N; q++) for (let d = 0; d < 3; d++) forces[3 * q + d] = dF[3 * localOf[q] + d];
        dF.fill(0, 0, 3 * N);
      }
    }
    // loss terms (loss.ts), in float64, and their adjoints
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
    if (forces) forceTerm = forceLossInto(forces, host.forcesEvPerA, host.forceWeight, localOf, N, host.forceCount * scales.forceEvPerA ** 2, w.forces, dF);
    const dW = new Float64Array(9 * B); // dL/dw, w = Σ_e d_e ⊗ p_e
    if (stress) {
      const den = host.stressCount * scales.stressEvPerA3 ** 2;
      const ds = new Float64Array(9);
      for (let b = 0; b < B; b++) {
        const sw = host.stressWeight[b], V = host.volumeA3[b];
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
    const grads = this.model.variables.map((v) => new Float64Array(v.variable.size));
    if (o.gradient === false) return { loss, grads, energyEv, forcesEvPerA: forces, stressEvPerA3: stress };
    // edge adjoints -> dL/dW (frame-local) -> h in batch order
    if (wantGeom) {
      H.fill(0, 0, N * F);
      for (let b = 0; b < B; b++) {
        const fg = entries[b].fg, P = fg.geom.nPairs;
        if (this.u.length < 3 * P) this.u = new Float64Array(3 * P);
        const u = this.u;
        edgeAdjoints(fg.geom.pairI, fg.geom.pairJ, fg.geom.vec, P, forces ? dF : null, 3 * off[b], stress && fg.volumeA3 > 0 ? dW : null, 9 * b, u);
        descriptorTangent(plan, fg, u, H.subarray(off[b] * F, off[b + 1] * F), scratch);
      }
      if (forces) dF.fill(0, 0, 3 * N);
    }
    for (let q = 0; q < N; q++) cq[q] = sE * cE[host.atomFrame[q]];
    for (let s = 0; s < S; s++) {
      const q0 = starts[s], n = starts[s + 1] - q0;
      if (n === 0) continue;
      let h: Float64Array | null = null;
      if (wantGeom) {
        h = hx.subarray(q0 * F, (q0 + n) * F);
        gatherScaledRows(h, H, localOf, q0, n, F, std, s * F, sE);
      }
      // the block's forward state is still the one computed above (one block per species)
      blocks[s].weightGradient(index[s].map((k) => weights[k]), cq.subarray(q0, q0 + n), h, index[s].map((k) => grads[k]));
    }
    return { loss, grads, energyEv, forcesEvPerA: forces, stressEvPerA3: stress };
  }
}

/** x ← (x - μ_s) / σ_s per atom row. */
function standardize(x: Float64Array, species: Int32Array, mean: Float64Array, std: Float64Array, n: number, F: number): void {
  for (let i = 0; i < n; i++) {
    const o = species[i] * F;
    for (let f = 0; f < F; f++) x[i * F + f] = (x[i * F + f] - mean[o + f]) / std[o + f];
  }
}

/** X[q] = frames[atomFrame[q]][atomOrigin[q]] (rows of F). */
function gatherRows(X: Float64Array, frames: Float64Array[], atomFrame: Int32Array, atomOrigin: Int32Array, N: number, F: number): void {
  for (let q = 0; q < N; q++) {
    const src = frames[atomFrame[q]];
    for (let f = 0, o = atomOrigin[q] * F, t = q * F; f < F; f++) X[t + f] = src[o + f];
  }
}

/** out[localOf[q0 + r]] = k · rows[r] / σ (row-wise), r < n. */
function scatterScaledRows(out: Float64Array, rows: Float64Array, localOf: Int32Array, q0: number, n: number, F: number, std: Float64Array, so: number, k: number): void {
  for (let r = 0; r < n; r++) {
    const L = localOf[q0 + r] * F;
    for (let f = 0; f < F; f++) out[L + f] = (k * rows[r * F + f]) / std[so + f];
  }
}

/** out[r] = k · src[localOf[q0 + r]] / σ (row-wise), r < n. */
function gatherScaledRows(out: Float64Array, src: Float64Array, localOf: Int32Array, q0: number, n: number, F: number, std: Float64Array, so: number, k: number): void {
  for (let r = 0; r < n; r++) {
    const L = localOf[q0 + r] * F;
    for (let f = 0; f < F; f++) out[r * F + f] = (k * src[L + f]) / std[so + f];
  }
}

/** σ = sym(Σ_e d_e ⊗ p_e) / V into out[o..o+9]. */
function pairStressInto(v: Float64Array, grad: Float64Array, P: number, V: number, out: Float64Array, o: number): void {
  let xx = 0, xy = 0, xz = 0, yx = 0, yy = 0, yz = 0, zx = 0, zy = 0, zz = 0;
  for (let p = 0; p < P; p++) {
    const q = 3 * p;
    const dx = v[q], dy = v[q + 1], dz = v[q + 2], gx = grad[q], gy = grad[q + 1], gz = grad[q + 2];
    xx += dx * gx; xy += dx * gy; xz += dx * gz;
    yx += dy * gx; yy += dy * gy; yz += dy * gz;
    zx += dz * gx; zy += dz * gy; zz += dz * gz;
  }
  const wv = [xx, xy, xz, yx, yy, yz, zx, zy, zz];
  for (let a = 0; a < 3; a++) for (let c = 0; c < 3; c++) out[o + 3 * a + c] = (0.5 * (wv[3 * a + c] + wv[3 * c + a])) / V;
}

/** Σ fw (F̂ - F)² / den, and dL/dF̂ into adj[3·localOf[q]] (frame-local layout). */
function forceLossInto(forces: Float64Array, target: Float32Array, weight: Float32Array, localOf: Int32Array, N: number, den: number, wF: number, adj: Float64Array): number {
  let sum = 0;
  for (let q = 0; q < N; q++) {
    const fw = weight[q], L = 3 * localOf[q];
    for (let d = 0; d < 3; d++) {
      const err = forces[3 * q + d] - target[3 * q + d];
      sum += (fw * err * err) / den;
      adj[L + d] = (wF * 2 * fw * err) / den;
    }
  }
  return sum;
}

/** u_e = dL/dF̂_i - dL/dF̂_j (+ d_e · dL/dw for a stress term). */
function edgeAdjoints(pi: Int32Array, pj: Int32Array, v: Float64Array, P: number, dF: Float64Array | null, o: number, dW: Float64Array | null, ow: number, u: Float64Array): void {
  for (let p = 0; p < P; p++) {
    const q = 3 * p;
    if (dF) {
      const qi = o + 3 * pi[p], qj = o + 3 * pj[p];
      u[q] = dF[qi] - dF[qj];
      u[q + 1] = dF[qi + 1] - dF[qj + 1];
      u[q + 2] = dF[qi + 2] - dF[qj + 2];
    } else u[q] = u[q + 1] = u[q + 2] = 0;
    if (dW) {
      const x0 = v[q], x1 = v[q + 1], x2 = v[q + 2];
      for (let d = 0; d < 3; d++) u[q + d] += x0 * dW[ow + d] + x1 * dW[ow + 3 + d] + x2 * dW[ow + 6 + d];
    }
  }
}
