// Bonds for display through the shared cell-list neighbour list
// (src-shared/partition/neighborList.ts): the same rule as its bondPairs(), d < factor (R_i + R_j)
// with covalent radii R and d >= 0.1 Å, but kept as a persistent Verlet list (allocate once per
// topology, update per frame) so trajectory playback neither allocates nor rebuilds bins while
// atoms stay within skin/2 of the last build. The list holds pairs out to the cutoff + skin: the
// layout (bondLayout.ts) keeps only those within each pair's own cutoff. Images refer to the raw
// positions: r_ij = r_j + n·C - r_i.
import { covalentRadiusA } from '../../src-shared/atoms/elements';
import { allocate, update, type NeighborList } from '../../src-shared/partition/neighborList';

export const BOND_FACTOR = 1.2;
export const BOND_MIN_DISTANCE_A = 0.1;
/** Verlet skin, Å: frames in which no atom moved more than skin/2 reuse the pair list. */
export const BOND_SKIN_A = 0.3;

/** Pairs (i < j, or i == j through an image), images [3 count]: r_ij = r_j + n·C - r_i. */
export interface PairList {
  count: number;
  i: Int32Array;
  j: Int32Array;
  images: Int32Array;
}

/**
 * Half Verlet list of candidate bonds for the structure.
 * @param positionsA [3N] Å (raw, unwrapped is fine)
 * @param cellA [9] Å or null
 */
export function createBondList(
  numbers: ArrayLike<number>,
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: readonly [boolean, boolean, boolean],
  factor = BOND_FACTOR,
  skinA = BOND_SKIN_A,
): NeighborList {
  const n = numbers.length;
  const index = new Map<number, number>();
  const species = new Int32Array(n);
  const radii: number[] = [];
  for (let a = 0; a < n; a++) {
    let t = index.get(numbers[a]);
    if (t === undefined) {
      t = radii.length;
      index.set(numbers[a], t);
      radii.push(covalentRadiusA(numbers[a]));
    }
    species[a] = t;
  }
  const nT = Math.max(1, radii.length);
  const table = new Float64Array(nT * nT);
  for (let s = 0; s < radii.length; s++)
    for (let t = 0; t < radii.length; t++) table[s * nT + t] = factor * (radii[s] + radii[t]);
  const cutoffA = radii.length ? factor * 2 * Math.max(...radii) : 1;
  return allocate(positionsA, cellA, pbc, {
    cutoffA,
    skinA,
    half: true,
    distances: false,
    vectors: false,
    minDistanceA: 0,
    species,
    pairCutoffsA: table,
  });
}

/** Brings the list up to date for new positions (and cell); true when it rebuilt. */
export function updateBondList(
  list: NeighborList,
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
): boolean {
  return update(list, positionsA, list.cellA ? cellA : undefined);
}
