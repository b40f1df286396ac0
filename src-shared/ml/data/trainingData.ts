// A dataset made ready for training: species table, split, per-frame group weights, E0 and label
// scales fitted on the training split only, and counts of what each split carries.
// Missing labels are masked, never dropped or zero-filled (GUIDE §6.9): a frame without forces or
// stress still trains on its energy. Training refuses to start on a split with no labels at all,
// and the counts are there to show before training (GUIDE §6.1: labels silently ignored).
import type { Frame } from '../../atoms/frame';
import { assembleGraphBatch, attachLabels, type HostBatch } from './batch';
import type { GraphCache } from './graph';
import { referenceEnergies, referenceSumEv, labelScales, type E0Config, type LabelScales, type ReferenceEnergies } from './referenceEnergies';
import { speciesIndices, speciesOfFrames, speciesTable, type SpeciesTable } from './species';
import { groupWeights, splitDataset, type GroupWeightConfig, type Split, type SplitConfig } from './split';

export interface DataConfig {
  split: SplitConfig;
  e0?: E0Config;
  groupWeights?: GroupWeightConfig;
  /** Elements of the model (symbols); default: every element in the frames. */
  species?: string[];
}

export interface LabelCounts {
  frames: number;
  atoms: number;
  /** Frames with an energy. */
  energy: number;
  /** Frames with forces. */
  forces: number;
  /** Frames with a stress. */
  stress: number;
}

export interface TrainingData {
  frames: readonly Frame[];
  species: SpeciesTable;
  /** Per frame: [N] species index of each atom. */
  atomSpecies: Int32Array[];
  split: Split;
  e0: ReferenceEnergies;
  /** [nFrames] Σ_i E0(Z_i), eV (float64). */
  e0SumEv: Float64Array;
  scales: LabelScales;
  /** [nFrames] per-frame loss weight (group weights). */
  weights: Float64Array;
  counts: Record<'train' | 'valid' | 'test', LabelCounts>;
}

export function countLabels(frames: readonly Frame[], indices: readonly number[]): LabelCounts {
  const c: LabelCounts = { frames: indices.length, atoms: 0, energy: 0, forces: 0, stress: 0 };
  for (const k of indices) {
    const f = frames[k];
    c.atoms += f.numbers.length;
    if (f.energyEv !== undefined) c.energy++;
    if (f.forcesEvPerA) c.forces++;
    if (f.stressEvPerA3) c.stress++;
  }
  return c;
}

/** Split, weight and normalise a dataset. Throws when the training split has no labels. */
export function prepareTrainingData(frames: readonly Frame[], config: DataConfig): TrainingData {
  if (frames.length === 0) throw new Error('no frames to train on');
  const species = config.species ? speciesTable(config.species) : speciesOfFrames(frames);
  const atomSpecies = frames.map((f) => speciesIndices(species, f.numbers));
  const split = splitDataset(frames, config.split);
  const counts = {
    train: countLabels(frames, split.train),
    valid: countLabels(frames, split.valid),
    test: countLabels(frames, split.test),
  };
  if (counts.train.frames === 0) throw new Error('the training split is empty');
  if (counts.train.energy + counts.train.forces + counts.train.stress === 0) {
    throw new Error('the training frames carry no energy, forces or stress (were the labels under another key?)');
  }
  for (const f of frames) {
    if (f.stressEvPerA3 && !(f.cellA && f.pbc.every(Boolean))) throw new Error('a frame has a stress but no 3D-periodic cell');
  }
  const e0 = referenceEnergies(frames, split.train, species, config.e0 ?? { method: 'least_squares' });
  const e0SumEv = Float64Array.from(atomSpecies, (s) => referenceSumEv(e0, s));
  const scales = labelScales(frames, split.train, e0SumEv);
  return { frames, species, atomSpecies, split, e0, e0SumEv, scales, weights: groupWeights(frames, config.groupWeights), counts };
}

/** One line per split for logs: "train 20 frames (1270 atoms): E 20, F 20, S 20". */
export function describeCounts(counts: TrainingData['counts']): string {
  return (['train', 'valid', 'test'] as const)
    .map((k) => {
      const c = counts[k];
      return `${k} ${c.frames} frames (${c.atoms} atoms): E ${c.energy}, F ${c.forces}, S ${c.stress}`;
    })
    .join('; ');
}

/** The training batch of frames `indices` (graphs from `graphs`, built for the model's spec). */
export function makeBatch(data: TrainingData, graphs: GraphCache, indices: readonly number[]): HostBatch {
  const items = indices.map((k) => ({ graph: graphs.get(k), species: data.atomSpecies[k] }));
  const g = assembleGraphBatch(items, data.species.numbers.length);
  return attachLabels(
    g,
    Int32Array.from(indices),
    indices.map((k) => data.frames[k]),
    Float64Array.from(indices, (k) => data.e0SumEv[k]),
    indices.map((k) => data.weights[k]),
  );
}
