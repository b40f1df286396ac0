// Reference pair search by brute force, for tests: every atom pair (i, j) and every lattice image
// n that could possibly be within the cutoff, O(N² · images). It shares no code with the cell
// list in neighborList.ts (no wrapping, no bins), so agreement between the two is a real check
// (JAX-MD's tests compare neighbour lists with dense all-pairs distances the same way).
import { cartesianToFractional, cellHeightsA, completeCell, invert3, type Pbc } from '../space/cell';

export interface BrutePair {
  i: number;
  j: number;
  /** integer image offsets n, r_ij = x_j + n·cell - x_i */
  image: [number, number, number];
  distanceA: number;
  vectorA: [number, number, number];
}

/**
 * All (i, j, n) with |x_j + n·cell - x_i| < cutoff (or < pairCutoff(i, j) when given) and
 * >= minDistanceA, excluding i == j with n == 0. `half` keeps i < j, and for i == j the
 * lexicographically positive n.
 * @param positionsA [3N] Å (need not be wrapped)
 * @param cellA [9] rows a, b, c (Å) or null for free space
 */
export function bruteForcePairs(
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: Pbc,
  cutoffA: number,
  options: { half?: boolean; minDistanceA?: number; pairCutoffA?: (i: number, j: number) => number } = {},
): BrutePair[] {
  const n = positionsA.length / 3;
  const periodic = !!cellA && (pbc[0] || pbc[1] || pbc[2]);
  const cell = periodic ? completeCell(new Float64Array(9), cellA as ArrayLike<number>) : new Float64Array(9);
  const range = [0, 0, 0];
  if (periodic) {
    const h = cellHeightsA(new Float64Array(3), cell);
    const frac = cartesianToFractional(new Float64Array(3 * n), positionsA, cell, invert3(new Float64Array(9), cell));
    for (let k = 0; k < 3; k++) {
      if (!pbc[k]) continue;
      let lo = Infinity, hi = -Infinity;
      for (let a = 0; a < n; a++) {
        lo = Math.min(lo, frac[3 * a + k]);
        hi = Math.max(hi, frac[3 * a + k]);
      }
      range[k] = Math.ceil(cutoffA / h[k] + (hi - lo)) + 1;
    }
  }
  const minD = options.minDistanceA ?? 0;
  const out: BrutePair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (options.half && j < i) continue;
      for (let n0 = -range[0]; n0 <= range[0]; n0++) {
        for (let n1 = -range[1]; n1 <= range[1]; n1++) {
          for (let n2 = -range[2]; n2 <= range[2]; n2++) {
            if (i === j) {
              if (n0 === 0 && n1 === 0 && n2 === 0) continue;
              if (options.half && (n0 < 0 || (n0 === 0 && (n1 < 0 || (n1 === 0 && n2 < 0))))) continue;
            }
            const vx = positionsA[3 * j] - positionsA[3 * i] + n0 * cell[0] + n1 * cell[3] + n2 * cell[6];
            const vy = positionsA[3 * j + 1] - positionsA[3 * i + 1] + n0 * cell[1] + n1 * cell[4] + n2 * cell[7];
            const vz = positionsA[3 * j + 2] - positionsA[3 * i + 2] + n0 * cell[2] + n1 * cell[5] + n2 * cell[8];
            const d = Math.sqrt(vx * vx + vy * vy + vz * vz);
            if (d >= cutoffA || d < minD) continue;
            if (options.pairCutoffA && d >= options.pairCutoffA(i, j)) continue;
            out.push({ i, j, image: [n0, n1, n2], distanceA: d, vectorA: [vx, vy, vz] });
          }
        }
      }
    }
  }
  return out;
}
