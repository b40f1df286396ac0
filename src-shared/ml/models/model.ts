// The interface every machine-learned potential implements (Behler-Parrinello, linear ridge, and
// later PaiNN), after e3nn/MACE: a model maps a batch graph to per-atom energies, and everything
// else (frame energies, forces, stress, the loss, the Calculator) is generic (predict.ts).
//
// Contract:
//  - Inputs are edges, not positions. A batch (data/batch.ts) is a disconnected graph of several
//    structures: atoms ordered by species (contiguous row blocks per element), edges (i, j) with
//    vectors r_ij = x_j + n·cell - x_i [P, 3] in Å (full list, both directions, r_ij < cutoffA),
//    and optionally triplets of edges sharing a centre (graphSpec.triplets).
//  - `atomicEnergies(batch, edgeVectorsA)` returns E_i [N] in eV WITHOUT the reference energies E0,
//    as a differentiable function of `edgeVectorsA` (use that argument, not batch.edgeVectorsA).
//    It must be invariant under rotations/reflections of all edge vectors and under permutations of
//    like atoms; then F = -dE/dR and stress = (1/V) dE/dε follow from dE/dr_ij (predict.ts) and are
//    equivariant by construction. Translation invariance holds because positions never enter.
//  - Only ops with correct second-order gradients (tf/activations.ts; notes/tfjs-higher-order-gradients.md):
//    the force loss differentiates dE/dr again with respect to the weights.
//  - `prepareBatch` may turn host arrays into extra int/float tensors once per batch (descriptor
//    segment ids, per-edge species); they arrive in batch.extra.
//  - Trainable state is `variables` (tf.Variable, float32, names unique and stable: they key the
//    optimiser moments and the saved weights). Fixed arrays (input statistics) go into `save().buffers`.
//  - A model holds the `tf` it was created with (the injected backend) and owns its tensors:
//    `dispose()` frees them.
//
// To add a model: implement AtomisticModel and a ModelType (registry.ts), then run the shared
// checks of testing/modelChecks.ts (forces/stress vs finite differences, assertEquivariant,
// extensivity, gradient check of the loss) in its spec.
import type { GraphTensors, HostGraphBatch } from '../data/batch';
import type { FrameGraph, GraphSpec } from '../data/graph';
import type { LabelScales, ReferenceEnergies } from '../data/referenceEnergies';
import type { SpeciesTable } from '../data/species';
import type { Tensor, Tensor1D, Tensor2D, Tf, Variable } from '../tf/types';
import type { SavedModel } from './serialization';

export interface NamedVariable {
  name: string;
  variable: Variable;
}

export interface AtomisticModel {
  /** Registry name ('bpnn', 'linear', ...). */
  readonly type: string;
  /** The JSON configuration the model was built from (as stored in the model file). */
  readonly config: unknown;
  readonly species: SpeciesTable;
  /** Neighbour data the model needs; graphSpec.cutoffA is the interaction range. */
  readonly graphSpec: GraphSpec;
  /** [S] E0 per species, eV (added in float64 outside the graph). */
  readonly e0: ReferenceEnergies;
  /** Label scales of the training data (the network output is in units of s_E). */
  readonly scales: LabelScales;
  readonly variables: readonly NamedVariable[];
  readonly tf: Tf;
  /** Extra per-batch tensors (see above); the caller disposes them with the batch. */
  prepareBatch(batch: HostGraphBatch): Record<string, Tensor>;
  /** [N] per-atom energies, eV, E0 excluded, differentiable in edgeVectorsA [P, 3]. */
  atomicEnergies(batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor1D;
  /** Plain-object snapshot (weights copied out of the backend). */
  save(metadata?: Record<string, unknown>): SavedModel;
  dispose(): void;
}

/** What a model needs from the data to be created (input statistics, energy scale, E0). */
export interface ModelInit {
  species: SpeciesTable;
  e0: ReferenceEnergies;
  scales: LabelScales;
  /** Seed of the weight initialisation. */
  seed: number;
  /**
   * Training structures for input statistics, as (graph, species) pairs built for this model's
   * graph spec. Models without statistics ignore it.
   */
  trainingGraphs?: () => Iterable<{ graph: FrameGraph; species: Int32Array }>;
}

/** Number of trainable scalars. */
export function parameterCount(model: AtomisticModel): number {
  let n = 0;
  for (const v of model.variables) n += v.variable.size;
  return n;
}
