// A cheap invariant descriptor of a whole structure for dataset tools (farthest-point sampling,
// deduplication pre-screening): per-element-pair radial distribution histograms, smeared with
// Gaussians so that they change continuously with the positions, normalised per atom, plus the
// composition (element fractions). Invariant under translation, rotation, permutation of atoms and
// the choice of periodic images; a supercell of a periodic structure has the same descriptor.
//   D_ab(r_k) = (1/N) sum_{pairs i<j, {Z_i,Z_j} = {a,b}, r_ij < rc} exp(-(r_ij - r_k)^2 / (2 sigma^2))
// with bin centres r_k = (k + 1/2) rc / nBins and sigma = rc / nBins. This is deliberately
// self-contained and simple (a histogram version of the pair part of Behler-Parrinello G2 functions,
// J. Behler, J. Chem. Phys. 134, 074106 (2011)); the trained models' descriptors (ACSF in
// src-shared/ml, representations in src-shared/representations) are separate and richer.
import type { Frame } from '../atoms/frame';
import { neighborPairs } from '../partition/neighborList';

export interface DescriptorOptions {
  /** Pair cutoff in Å (default 5). */
  cutoffA?: number;
  /** Histogram bins per element pair (default 20). */
  bins?: number;
  /** Weight of the composition part relative to the histograms (default 1). */
  compositionWeight?: number;
}

export interface DescriptorSpace {
  /** Elements in the order used for pairs and composition. */
  elements: string[];
  cutoffA: number;
  bins: number;
  /** Length of every descriptor vector: pairs * bins + elements. */
  length: number;
}

/** The descriptor layout for a dataset: elements sorted by symbol. */
export function descriptorSpace(frames: Iterable<Frame>, options: DescriptorOptions = {}): DescriptorSpace {
  const set = new Set<string>();
  for (const f of frames) for (const s of f.symbols) set.add(s);
  const elements = [...set].sort();
  const bins = Math.max(1, Math.floor(options.bins ?? 20));
  const cutoffA = options.cutoffA ?? 5;
  if (!(cutoffA > 0)) throw new Error(`descriptor cutoff must be positive, got ${cutoffA}`);
  const t = elements.length;
  return { elements, cutoffA, bins, length: ((t * (t + 1)) / 2) * bins + t };
}

/**
 * Descriptor [space.length] of one frame, plus the number of pairs within the cutoff.
 * Pairs come from the cell-list search (src-shared/partition), so the cost is O(N).
 */
export function frameDescriptor(frame: Frame, space: DescriptorSpace, options: DescriptorOptions = {}): { vector: Float64Array; pairs: number } {
  const { elements, cutoffA, bins } = space;
  const t = elements.length;
  const n = frame.symbols.length;
  const out = new Float64Array(space.length);
  if (n === 0) return { vector: out, pairs: 0 };
  const species = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = elements.indexOf(frame.symbols[i]);
    if (k < 0) throw new Error(`element ${frame.symbols[i]} is not in the descriptor space (${elements.join(' ')})`);
    species[i] = k;
  }
  const periodic = !!frame.cellA && frame.pbc.some(Boolean);
  const pairs = neighborPairs(frame.positionsA, periodic ? frame.cellA : null, periodic ? frame.pbc : [false, false, false], cutoffA, { half: true, vectors: false });
  const width = cutoffA / bins;
  const inv2s2 = 1 / (2 * width * width);
  const pairIndex = (a: number, b: number) => {
    const lo = Math.min(a, b), hi = Math.max(a, b);
    return lo * t - (lo * (lo - 1)) / 2 + (hi - lo); // row-major upper triangle
  };
  const d = pairs.distancesA!;
  for (let p = 0; p < pairs.count; p++) {
    const r = d[p];
    if (r >= cutoffA) continue;
    const base = pairIndex(species[pairs.i[p]], species[pairs.j[p]]) * bins;
    // Gaussians beyond 4 sigma are below 3.4e-4 and skipped.
    const kc = Math.floor(r / width);
    for (let k = Math.max(0, kc - 4); k <= Math.min(bins - 1, kc + 4); k++) {
      const x = r - (k + 0.5) * width;
      out[base + k] += Math.exp(-x * x * inv2s2);
    }
  }
  const nh = ((t * (t + 1)) / 2) * bins;
  for (let k = 0; k < nh; k++) out[k] /= n;
  const w = options.compositionWeight ?? 1;
  for (let i = 0; i < n; i++) out[nh + species[i]] += w / n;
  return { vector: out, pairs: pairs.count };
}

/** Descriptors of all frames in one space (see frameDescriptor). */
export function datasetDescriptors(frames: Frame[], options: DescriptorOptions = {}): { space: DescriptorSpace; vectors: Float64Array[]; pairs: Int32Array } {
  const space = descriptorSpace(frames, options);
  const vectors: Float64Array[] = [];
  const pairs = new Int32Array(frames.length);
  frames.forEach((f, k) => {
    const r = frameDescriptor(f, space, options);
    vectors.push(r.vector);
    pairs[k] = r.pairs;
  });
  return { space, vectors, pairs };
}

/** Euclidean distance between two descriptors. */
export function descriptorDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] - b[k];
    s += x * x;
  }
  return Math.sqrt(s);
}
