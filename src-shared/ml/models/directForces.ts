// Direct (non-conservative) force heads: the one extension of the model interface for models that
// predict forces as an output instead of -dE/dR (e.g. PaiNN's vector head F_i = W v_i, painn.ts).
//
// Such forces are equivariant but NOT the gradient of any energy: their curl need not vanish, the
// work around a closed path need not be zero, and NVE dynamics with them does not conserve the
// model's energy (the drift study of issue 5 measures exactly that). They exist for that study and
// for speed (no backward pass at inference); every conservative use should keep them off.
//
// predict.ts hands the force part of a prediction to `predictWithDirectForces` when the model
// implements `DirectForceModel` (and only then): energies and direct forces come from one forward
// pass; the stress, when asked for, still comes from the energy's virial (a second, conservative
// pass through `conservative`, the engine's own predict). Everything downstream (loss, evaluation,
// the Calculator) is unchanged, so a force loss trains the head with first-order gradients.
import type { GraphTensors } from '../data/batch';
import type { Tensor1D, Tensor2D } from '../tf/types';
import type { AtomisticModel } from './model';
import type { Prediction, PredictOptions } from './predict';

export interface DirectForceModel extends AtomisticModel {
  /** Per-atom energies (eV, E0 excluded) [N] and direct forces (eV/Å) [N, 3], one forward pass. */
  energiesAndDirectForces(batch: GraphTensors, edgeVectorsA: Tensor2D): { atomicEnergiesEv: Tensor1D; forcesEvPerA: Tensor2D };
}

/** Whether the model predicts its forces directly (a non-conservative head is switched on). */
export function hasDirectForces(model: AtomisticModel): model is DirectForceModel {
  return typeof (model as Partial<DirectForceModel>).energiesAndDirectForces === 'function';
}

/** A prediction whose forces come from the model's direct head; stress from dE/dε via `conservative`. */
export function predictWithDirectForces(
  model: DirectForceModel,
  batch: GraphTensors,
  opts: PredictOptions,
  conservative: (m: AtomisticModel, b: GraphTensors, o: PredictOptions) => Prediction,
): Prediction {
  const tf = model.tf;
  const B = batch.host.nFrames;
  if (opts.stress) {
    const p = conservative(model, batch, { stress: true });
    p.forcesEvPerA = model.energiesAndDirectForces(batch, batch.edgeVectorsA).forcesEvPerA; // [N, 3]
    return p;
  }
  const { atomicEnergiesEv, forcesEvPerA } = model.energiesAndDirectForces(batch, batch.edgeVectorsA);
  return { atomicEnergiesEv, energyEv: tf.unsortedSegmentSum(atomicEnergiesEv, batch.atomFrame, B), forcesEvPerA };
}
