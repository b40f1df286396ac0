// Energies, forces and stress of any AtomisticModel by automatic differentiation of its energy with
// respect to the edge vectors r_p = x_j + n·cell - x_i (data/graph.ts):
//   g_p = dE/dr_p                                   [P, 3]   (one backward pass, tf.valueAndGrad)
//   F_k = Σ_{p: i_p = k} g_p - Σ_{p: j_p = k} g_p   [N, 3]   (= -dE/dx_k)
//   σ_ab = (1/V) Σ_{p in frame} ½ (r_pa g_pb + r_pb g_pa)   [B, 9]
// The stress is the derivative (1/V) dE/dε at ε = 0 of the energy under the homogeneous strain
// x -> x (I + ε), cell -> cell (I + ε), which maps every r_p to r_p (I + ε): by the chain rule
// dE/dε_ab = Σ_p r_pa g_pb, symmetrised for the symmetric ε (ASE sign: positive = tensile). This is
// what applying ε inside the graph and differentiating at 0 computes, without the extra [P, 3, 3]
// ops. Everything stays on the tape, so a loss on F or σ can be differentiated again for the weights.
import type { GraphTensors } from '../data/batch';
import type { Tensor1D, Tensor2D } from '../tf/types';
import type { AtomisticModel } from './model';
import { hasDirectForces, predictWithDirectForces } from './directForces';

export interface PredictOptions {
  forces?: boolean;
  stress?: boolean;
}

export interface Prediction {
  /** [N] eV, E0 excluded, batch atom order. */
  atomicEnergiesEv: Tensor1D;
  /** [B] eV, E0 excluded. */
  energyEv: Tensor1D;
  /** [N, 3] eV/Å, batch atom order. */
  forcesEvPerA?: Tensor2D;
  /** [B, 9] eV/Å³ (0 for frames that are not 3D periodic). */
  stressEvPerA3?: Tensor2D;
}

/** Forward (and, for forces/stress, one backward) pass. Call inside tf.tidy or a gradient function. */
export function predict(model: AtomisticModel, batch: GraphTensors, opts: PredictOptions = {}): Prediction {
  const tf = model.tf;
  const h = batch.host;
  const B = h.nFrames, N = h.nAtoms, P = h.edgeI.length;
  if (opts.forces && hasDirectForces(model)) return predictWithDirectForces(model, batch, opts, predict); // non-conservative heads (directForces.ts)
  if (!opts.forces && !opts.stress) {
    const atomicEnergiesEv = model.atomicEnergies(batch, batch.edgeVectorsA);
    return { atomicEnergiesEv, energyEv: tf.unsortedSegmentSum(atomicEnergiesEv, batch.atomFrame, B) };
  }
  // f returns the per-atom energies; valueAndGrad seeds dy = 1 for every atom, so grad = d(Σ_i E_i)/dr.
  const { value, grad } = tf.valueAndGrad((v: Tensor2D) => model.atomicEnergies(batch, v))(batch.edgeVectorsA);
  const atomicEnergiesEv = value as Tensor1D;
  const g = grad as Tensor2D; // [P, 3]
  const out: Prediction = { atomicEnergiesEv, energyEv: tf.unsortedSegmentSum(atomicEnergiesEv, batch.atomFrame, B) };
  if (opts.forces) {
    // two segment sums: cheaper than one over concat([g, -g]), whose backward is a split
    out.forcesEvPerA = tf.sub(tf.unsortedSegmentSum(g, batch.edgeI, N), tf.unsortedSegmentSum(g, batch.edgeJ, N)) as Tensor2D; // [N, 3]
  }
  if (opts.stress) {
    const outer = tf.reshape(tf.mul(tf.reshape(batch.edgeVectorsA, [P, 3, 1]), tf.reshape(g, [P, 1, 3])), [P, 9]); // [P, 9]
    const w = tf.unsortedSegmentSum(outer, batch.edgeFrame, B); // [B, 9] = dE/dε
    const wT = tf.reshape(tf.transpose(tf.reshape(w, [B, 3, 3]), [0, 2, 1]), [B, 9]);
    const periodic = tf.tensor2d(Float32Array.from(h.volumeA3, (v) => (v > 0 ? 0.5 / v : 0)), [B, 1]);
    out.stressEvPerA3 = tf.mul(tf.add(w, wT), periodic) as Tensor2D; // [B, 9]
  }
  return out;
}
