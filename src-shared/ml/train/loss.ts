// The training loss and the error metrics.
//
// Dimensionless weighted loss (issue 4), with per-frame group weights g_f and masks m (a missing
// label has m = 0, so it neither counts nor contributes):
//   L = w_E · Σ_f g_f m_f (Ê_f/N_f - E_f/N_f)² / (n_E s_E²)
//     + w_F · Σ_{i,c} g_f(i) m_i (F̂_ic - F_ic)² / (n_F s_F²)
//     + w_S · Σ_{f,ab} g_f m_f (σ̂_f,ab - σ_f,ab)² / (n_S s_S²)
// n_E, n_F, n_S = the number of labelled frames / force components / stress components in the batch,
// s_E, s_F, s_S the label scales (data/referenceEnergies.ts). Energies exclude E0 on both sides.
// A batch without force (stress) labels skips the force (stress) pass entirely.
// Metrics: energy MAE/RMSE in meV/atom, force MAE/RMSE per component in eV/Å, stress MAE/RMSE in GPa.
import type { HostBatch, GraphTensors } from '../data/batch';
import { graphTensors } from '../data/batch';
import type { LabelScales } from '../data/referenceEnergies';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '../tf/types';
import type { AtomisticModel } from '../models/model';
import { predict, type Prediction } from '../models/predict';
import { evPerA3ToGpa } from '../../units';

export interface LossWeights {
  energy: number;
  forces: number;
  stress: number;
}

export interface TrainBatchTensors extends GraphTensors {
  host: HostBatch;
  energyPerAtomEv: Tensor1D; // [B]
  energyWeight: Tensor1D; // [B]
  atomsPerFrame: Tensor1D; // [B] float
  forcesEvPerA: Tensor2D; // [N, 3]
  forceWeight: Tensor2D; // [N, 1]
  stressEvPerA3: Tensor2D; // [B, 9]
  stressWeight: Tensor2D; // [B, 1]
}

/** Device copy of a training batch (graph, model extras, labels). Create inside tf.tidy. */
export function trainBatchTensors(model: AtomisticModel, host: HostBatch): TrainBatchTensors {
  const tf = model.tf;
  const g = graphTensors(tf, host);
  g.extra = model.prepareBatch(host);
  const B = host.nFrames, N = host.nAtoms;
  return {
    ...g,
    host,
    energyPerAtomEv: tf.tensor1d(host.energyPerAtomEv),
    energyWeight: tf.tensor1d(host.energyWeight),
    atomsPerFrame: tf.tensor1d(Float32Array.from(host.atomsPerFrame, (n) => Math.max(1, n))),
    forcesEvPerA: tf.tensor2d(host.forcesEvPerA, [N, 3]),
    forceWeight: tf.tensor2d(host.forceWeight, [N, 1]),
    stressEvPerA3: tf.tensor2d(host.stressEvPerA3, [B, 9]),
    stressWeight: tf.tensor2d(host.stressWeight, [B, 1]),
  };
}

export interface LossOutput {
  total: Scalar;
  /** Dimensionless terms before the w_* weights (0 when the batch has no such label). */
  energy: Scalar;
  forces: Scalar;
  stress: Scalar;
  prediction: Prediction;
}

/** Loss of one batch; differentiable in the model variables (call inside tf.variableGrads / tidy). */
export function batchLoss(model: AtomisticModel, b: TrainBatchTensors, w: LossWeights, scales: LabelScales): LossOutput {
  const tf = model.tf;
  const h = b.host;
  const wantF = w.forces > 0 && h.forceCount > 0;
  const wantS = w.stress > 0 && h.stressCount > 0;
  const p = predict(model, b, { forces: wantF, stress: wantS });
  const zero = tf.scalar(0);
  let energy: Scalar = zero, forces: Scalar = zero, stress: Scalar = zero;
  if (h.energyCount > 0) {
    const err = tf.sub(tf.div(p.energyEv, b.atomsPerFrame), b.energyPerAtomEv); // [B]
    energy = tf.div(tf.sum(tf.mul(b.energyWeight, tf.square(err))), h.energyCount * scales.energyEvPerAtom ** 2) as Scalar;
  }
  if (wantF) {
    const err = tf.sub(p.forcesEvPerA!, b.forcesEvPerA); // [N, 3]
    forces = tf.div(tf.sum(tf.mul(b.forceWeight, tf.square(err))), h.forceCount * scales.forceEvPerA ** 2) as Scalar;
  }
  if (wantS) {
    const err = tf.sub(p.stressEvPerA3!, b.stressEvPerA3); // [B, 9]
    stress = tf.div(tf.sum(tf.mul(b.stressWeight, tf.square(err))), h.stressCount * scales.stressEvPerA3 ** 2) as Scalar;
  }
  let total: Tensor = tf.mul(energy, w.energy);
  if (wantF) total = tf.add(total, tf.mul(forces, w.forces));
  if (wantS) total = tf.add(total, tf.mul(stress, w.stress));
  return { total: total as Scalar, energy, forces, stress, prediction: p };
}

export interface Metrics {
  frames: number;
  atoms: number;
  /** null when the set has no such label. */
  energyMaeMevPerAtom: number | null;
  energyRmseMevPerAtom: number | null;
  forceMaeEvPerA: number | null;
  forceRmseEvPerA: number | null;
  stressMaeGpa: number | null;
  stressRmseGpa: number | null;
}

export interface LossValues {
  total: number;
  energy: number;
  forces: number;
  stress: number;
}

/** Float64 sums of errors over many batches, giving metrics and the set's loss (not a batch mean). */
export interface ErrorAccumulator {
  add(h: HostBatch, energyEv: ArrayLike<number>, forcesEvPerA: ArrayLike<number> | null, stressEvPerA3: ArrayLike<number> | null): void;
  metrics(): Metrics;
  loss(w: LossWeights, scales: LabelScales): LossValues;
}

/** Count, sum of |error| and sum of error² of one kind of label (energy per atom eV, force or stress components). */
export interface ErrorSums {
  n: number;
  abs: number;
  sq: number;
}

/** Metrics (meV/atom, eV/Å, GPa; null where nothing was labelled) from error sums in eV, eV/Å, eV/Å³. */
export function metricsFromSums(frames: number, atoms: number, e: ErrorSums, f: ErrorSums, s: ErrorSums): Metrics {
  const mean = (x: ErrorSums, k = 1) => (x.n > 0 ? (x.abs / x.n) * k : null);
  const root = (x: ErrorSums, k = 1) => (x.n > 0 ? Math.sqrt(x.sq / x.n) * k : null);
  const gpa = evPerA3ToGpa(1);
  return {
    frames,
    atoms,
    energyMaeMevPerAtom: mean(e, 1000),
    energyRmseMevPerAtom: root(e, 1000),
    forceMaeEvPerA: mean(f),
    forceRmseEvPerA: root(f),
    stressMaeGpa: mean(s, gpa),
    stressRmseGpa: root(s, gpa),
  };
}

export function createErrorAccumulator(): ErrorAccumulator {
  let frames = 0, atoms = 0;
  let nE = 0, aE = 0, sE = 0, wE = 0;
  let nF = 0, aF = 0, sF = 0, wF = 0;
  let nS = 0, aS = 0, sS = 0, wS = 0;
  return {
    add(h, energyEv, forces, stress) {
      frames += h.nFrames;
      atoms += h.nAtoms;
      for (let b = 0; b < h.nFrames; b++) {
        const labelled = isLabelled(h, 'energy', b);
        if (!labelled) continue;
        const e = energyEv[b] / Math.max(1, h.atomsPerFrame[b]) - h.energyPerAtomEv[b];
        nE++;
        aE += Math.abs(e);
        sE += e * e;
        wE += h.energyWeight[b] * e * e;
      }
      if (forces) {
        for (let q = 0; q < h.nAtoms; q++) {
          if (!isLabelled(h, 'forces', q)) continue;
          for (let c = 0; c < 3; c++) {
            const e = forces[3 * q + c] - h.forcesEvPerA[3 * q + c];
            nF++;
            aF += Math.abs(e);
            sF += e * e;
            wF += h.forceWeight[q] * e * e;
          }
        }
      }
      if (stress) {
        for (let b = 0; b < h.nFrames; b++) {
          if (!isLabelled(h, 'stress', b)) continue;
          for (let k = 0; k < 9; k++) {
            const e = stress[9 * b + k] - h.stressEvPerA3[9 * b + k];
            nS++;
            aS += Math.abs(e);
            sS += e * e;
            wS += h.stressWeight[b] * e * e;
          }
        }
      }
    },
    metrics: () => metricsFromSums(frames, atoms, { n: nE, abs: aE, sq: sE }, { n: nF, abs: aF, sq: sF }, { n: nS, abs: aS, sq: sS }),
    loss(w, scales) {
      const energy = nE ? wE / nE / scales.energyEvPerAtom ** 2 : 0;
      const forces = nF ? wF / nF / scales.forceEvPerA ** 2 : 0;
      const stress = nS ? wS / nS / scales.stressEvPerA3 ** 2 : 0;
      return { total: w.energy * energy + w.forces * forces + w.stress * stress, energy, forces, stress };
    },
  };
}

/**
 * Whether item k (frame for energy/stress, batch atom for forces) of a batch carries the label
 * (a labelled frame of group weight 0 still counts in the metrics).
 */
function isLabelled(h: HostBatch, what: 'energy' | 'forces' | 'stress', k: number): boolean {
  const m = h.labelled;
  return what === 'energy' ? m.energy[k] === 1 : what === 'forces' ? m.forces[k] === 1 : m.stress[k] === 1;
}
