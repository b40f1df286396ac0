// Subsampling by farthest-point sampling (FPS) in a descriptor space (Gonzalez 1985, "Clustering to
// minimize the maximum intercluster distance"; used for MLIP training-set selection e.g. in
// Imbalzano et al., J. Chem. Phys. 148, 241730 (2018)): start from one frame, then repeatedly add
// the frame whose distance to its nearest already-chosen frame is largest. The chosen set covers
// the space evenly instead of following where an MD run spent its time. O(frames x n x dim).
// The start is the frame farthest from the mean descriptor (deterministic), or a seeded random one.
import { createRng } from '../space/rng';
import { descriptorDistance } from './descriptor';

export interface FpsResult {
  /** Chosen indices, in the order chosen. */
  selected: number[];
  /** Distance of each chosen frame to the frames chosen before it (the first: Infinity). */
  minDistances: number[];
}

export function farthestPointSampling(vectors: readonly Float64Array[], n: number, options: { seed?: number; start?: number } = {}): FpsResult {
  const m = vectors.length;
  const want = Math.min(Math.max(0, Math.floor(n)), m);
  if (want === 0) return { selected: [], minDistances: [] };
  let start = options.start;
  if (start === undefined) {
    if (options.seed !== undefined) start = createRng(options.seed).int(m);
    else {
      const dim = vectors[0].length;
      const mean = new Float64Array(dim);
      for (const v of vectors) for (let k = 0; k < dim; k++) mean[k] += v[k] / m;
      let best = -1;
      start = 0;
      vectors.forEach((v, i) => {
        const d = descriptorDistance(v, mean);
        if (d > best) {
          best = d;
          start = i;
        }
      });
    }
  }
  if (!(start >= 0 && start < m)) throw new Error(`FPS start index ${start} out of range 0..${m - 1}`);
  const minD = new Float64Array(m).fill(Infinity);
  const chosen = new Uint8Array(m);
  const selected = [start];
  const minDistances = [Infinity];
  chosen[start] = 1;
  let last = start;
  while (selected.length < want) {
    let next = -1;
    let far = -1;
    for (let i = 0; i < m; i++) {
      if (chosen[i]) continue;
      const d = descriptorDistance(vectors[i], vectors[last]);
      if (d < minD[i]) minD[i] = d;
      if (minD[i] > far) {
        far = minD[i];
        next = i;
      }
    }
    chosen[next] = 1;
    selected.push(next);
    minDistances.push(far);
    last = next;
  }
  return { selected, minDistances };
}
