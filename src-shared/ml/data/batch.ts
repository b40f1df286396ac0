// Batches as flat arrays: many structures become one disconnected graph (the PyTorch Geometric /
// MACE convention), so one forward pass serves any mix of sizes. Batches are filled up to an atom
// budget, not a frame count (GUIDE §6.4: out-of-memory on large cells); a frame larger than the
// budget forms a batch alone.
//
// Within a batch atoms are ordered by species (all species-0 atoms of all frames, then species 1,
// ...), so per-element networks act on contiguous row blocks (a slice, not a gather). atomOrigin
// maps back to (frame, atom) for outputs. Labels are masked per item: weight 0 = no label.
import type { Tensor1D, Tensor2D, Tensor, Tf } from '../tf/types';
import type { FrameGraph } from './graph';

/** Graph part of a batch (what a model sees). */
export interface HostGraphBatch {
  nFrames: number;
  nAtoms: number;
  nSpecies: number;
  /** [S] atoms of each species; rows of species s are [Σ_{t<s} count_t, Σ_{t<=s} count_t). */
  speciesCounts: Int32Array;
  /** [N] species index (non-decreasing). */
  species: Int32Array;
  /** [N] frame (0..B-1) of each atom. */
  atomFrame: Int32Array;
  /** [N] atom index within its frame. */
  atomOrigin: Int32Array;
  /** [B] atom count per frame. */
  atomsPerFrame: Int32Array;
  /** [B] cell volume Å³, 0 when the frame is not 3D periodic. */
  volumeA3: Float64Array;
  /** [P] edge centre / neighbour (batch atom indices) and frame. */
  edgeI: Int32Array;
  edgeJ: Int32Array;
  edgeFrame: Int32Array;
  /** [3P] r_ij, Å. */
  edgeVectorsA: Float32Array;
  /** [T] triplet edges (batch edge indices). */
  tripletA: Int32Array;
  tripletB: Int32Array;
}

/** A batch with its targets for the loss (float32, masked). */
export interface HostBatch extends HostGraphBatch {
  /** [B] dataset index of each frame. */
  frames: Int32Array;
  /** [B] Σ E0 per frame, eV (float64). */
  e0SumEv: Float64Array;
  /** [B] (E - ΣE0)/N, eV/atom; [B] weight (0 where no energy). */
  energyPerAtomEv: Float32Array;
  energyWeight: Float32Array;
  /** [3N] forces eV/Å in batch atom order; [N] weight (0 where the frame has no forces). */
  forcesEvPerA: Float32Array;
  forceWeight: Float32Array;
  /** [9B] stress eV/Å³; [B] weight. */
  stressEvPerA3: Float32Array;
  stressWeight: Float32Array;
  /** 1 where the item carries the label: [B] energy, [N] forces (per atom), [B] stress. */
  labelled: { energy: Uint8Array; forces: Uint8Array; stress: Uint8Array };
  /** Labelled frames / force components / stress components (the loss denominators). */
  energyCount: number;
  forceCount: number;
  stressCount: number;
}

export interface GraphItem {
  graph: FrameGraph;
  /** [N] species index per atom. */
  species: Int32Array;
}

/** Greedy packing of `order` (frame indices, already shuffled if wanted) into batches of <= maxAtoms atoms. */
export function planBatches(order: readonly number[], atomCount: (k: number) => number, maxAtoms: number): number[][] {
  if (!(maxAtoms >= 1)) throw new Error(`batch size must be at least one atom, got ${maxAtoms}`);
  const batches: number[][] = [];
  let cur: number[] = [];
  let atoms = 0;
  for (const k of order) {
    const n = atomCount(k);
    if (cur.length > 0 && atoms + n > maxAtoms) {
      batches.push(cur);
      cur = [];
      atoms = 0;
    }
    cur.push(k);
    atoms += n;
  }
  if (cur.length) batches.push(cur);
  return batches;
}

/** Concatenate frame graphs into one species-ordered batch graph. */
export function assembleGraphBatch(items: readonly GraphItem[], nSpecies: number): HostGraphBatch {
  const B = items.length;
  let N = 0, P = 0, T = 0;
  for (const it of items) {
    N += it.graph.nAtoms;
    P += it.graph.edgeI.length;
    T += it.graph.tripletA.length;
  }
  const speciesCounts = new Int32Array(nSpecies);
  for (const it of items) for (const s of it.species) speciesCounts[s]++;
  const start = new Int32Array(nSpecies);
  for (let s = 1; s < nSpecies; s++) start[s] = start[s - 1] + speciesCounts[s - 1];
  const species = new Int32Array(N), atomFrame = new Int32Array(N), atomOrigin = new Int32Array(N);
  const atomsPerFrame = new Int32Array(B), volumeA3 = new Float64Array(B);
  const edgeI = new Int32Array(P), edgeJ = new Int32Array(P), edgeFrame = new Int32Array(P);
  const edgeVectorsA = new Float32Array(3 * P);
  const tripletA = new Int32Array(T), tripletB = new Int32Array(T);
  const next = start.slice();
  let p0 = 0, t0 = 0;
  const newIndex = new Int32Array(Math.max(0, ...items.map((it) => it.graph.nAtoms)));
  items.forEach((it, b) => {
    const g = it.graph;
    atomsPerFrame[b] = g.nAtoms;
    volumeA3[b] = g.volumeA3;
    for (let a = 0; a < g.nAtoms; a++) {
      const s = it.species[a];
      const q = next[s]++;
      newIndex[a] = q;
      species[q] = s;
      atomFrame[q] = b;
      atomOrigin[q] = a;
    }
    const nE = g.edgeI.length;
    for (let e = 0; e < nE; e++) {
      edgeI[p0 + e] = newIndex[g.edgeI[e]];
      edgeJ[p0 + e] = newIndex[g.edgeJ[e]];
      edgeFrame[p0 + e] = b;
    }
    edgeVectorsA.set(g.edgeVectorsA, 3 * p0);
    for (let t = 0; t < g.tripletA.length; t++) {
      tripletA[t0 + t] = g.tripletA[t] + p0;
      tripletB[t0 + t] = g.tripletB[t] + p0;
    }
    p0 += nE;
    t0 += g.tripletA.length;
  });
  return { nFrames: B, nAtoms: N, nSpecies, speciesCounts, species, atomFrame, atomOrigin, atomsPerFrame, volumeA3, edgeI, edgeJ, edgeFrame, edgeVectorsA, tripletA, tripletB };
}

export interface LabelSource {
  energyEv?: number;
  forcesEvPerA?: Float64Array;
  stressEvPerA3?: Float64Array;
}

/** Attach masked, weighted targets to a batch graph. `e0SumEv[b]`, `weight[b]` per batch frame. */
export function attachLabels(g: HostGraphBatch, frames: Int32Array, labels: readonly LabelSource[], e0SumEv: Float64Array, weight: ArrayLike<number>): HostBatch {
  const B = g.nFrames, N = g.nAtoms;
  const energyPerAtomEv = new Float32Array(B), energyWeight = new Float32Array(B);
  const forcesEvPerA = new Float32Array(3 * N), forceWeight = new Float32Array(N);
  const stressEvPerA3 = new Float32Array(9 * B), stressWeight = new Float32Array(B);
  let energyCount = 0, forceCount = 0, stressCount = 0;
  const labelled = { energy: new Uint8Array(B), forces: new Uint8Array(N), stress: new Uint8Array(B) };
  for (let b = 0; b < B; b++) {
    const l = labels[b];
    if (l.energyEv !== undefined && g.atomsPerFrame[b] > 0) {
      energyPerAtomEv[b] = (l.energyEv - e0SumEv[b]) / g.atomsPerFrame[b];
      energyWeight[b] = weight[b];
      labelled.energy[b] = 1;
      energyCount++;
    }
    if (l.stressEvPerA3 && g.volumeA3[b] > 0) {
      stressEvPerA3.set(l.stressEvPerA3, 9 * b);
      stressWeight[b] = weight[b];
      labelled.stress[b] = 1;
      stressCount += 9;
    }
  }
  for (let q = 0; q < N; q++) {
    const b = g.atomFrame[q];
    const f = labels[b].forcesEvPerA;
    if (!f) continue;
    const a = g.atomOrigin[q];
    forcesEvPerA[3 * q] = f[3 * a];
    forcesEvPerA[3 * q + 1] = f[3 * a + 1];
    forcesEvPerA[3 * q + 2] = f[3 * a + 2];
    forceWeight[q] = weight[b];
    labelled.forces[q] = 1;
    forceCount += 3;
  }
  return { ...g, frames, e0SumEv, energyPerAtomEv, energyWeight, forcesEvPerA, forceWeight, stressEvPerA3, stressWeight, labelled, energyCount, forceCount, stressCount };
}

/** Device copies of a batch graph. Create inside a tidy or call dispose(). */
export interface GraphTensors {
  host: HostGraphBatch;
  species: Tensor1D; // [N] int32
  atomFrame: Tensor1D; // [N] int32
  edgeI: Tensor1D; // [P] int32
  edgeJ: Tensor1D; // [P] int32
  edgeFrame: Tensor1D; // [P] int32
  edgeVectorsA: Tensor2D; // [P, 3]
  tripletA: Tensor1D; // [T] int32
  tripletB: Tensor1D; // [T] int32
  /** [B] volume Å³ (1 where not periodic, to keep divisions finite). */
  volumeA3: Tensor1D;
  /** Model-specific tensors (descriptor segment ids, ...), from AtomisticModel.prepareBatch. */
  extra: Record<string, Tensor>;
}

export function graphTensors(tf: Tf, g: HostGraphBatch): GraphTensors {
  return {
    host: g,
    species: tf.tensor1d(g.species, 'int32'),
    atomFrame: tf.tensor1d(g.atomFrame, 'int32'),
    edgeI: tf.tensor1d(g.edgeI, 'int32'),
    edgeJ: tf.tensor1d(g.edgeJ, 'int32'),
    edgeFrame: tf.tensor1d(g.edgeFrame, 'int32'),
    edgeVectorsA: tf.tensor2d(g.edgeVectorsA, [g.edgeI.length, 3], 'float32'),
    tripletA: tf.tensor1d(g.tripletA, 'int32'),
    tripletB: tf.tensor1d(g.tripletB, 'int32'),
    volumeA3: tf.tensor1d(Float32Array.from(g.volumeA3, (v) => (v > 0 ? v : 1)), 'float32'),
    extra: {},
  };
}

/** Dispose every tensor of a GraphTensors (when not created inside a tidy). */
export function disposeGraphTensors(t: GraphTensors): void {
  for (const [k, v] of Object.entries(t)) {
    if (k === 'host') continue;
    if (k === 'extra') for (const x of Object.values(v as Record<string, Tensor>)) x.dispose();
    else (v as Tensor).dispose();
  }
}
