// The Verlet neighbour list a classical calculator keeps between calls, in the form its pair loops
// want. Lifecycle after JAX-MD (partition.neighbor_list: allocate outside the loop, update inside):
// the first compute() allocates a list with radius cutoff + skin (partition/neighborList.ts), each
// later call updates it (rebuilding only when the two largest displacements add up to more than the skin, or the cell, the
// periodicity or the atom count changed), and reset() drops it.
//
// Periodic images are handled with ghost atoms, as LAMMPS does (Plimpton, J. Comp. Phys. 117, 1
// (1995); LAMMPS Comm::borders / forward_comm / reverse_comm): at each rebuild every distinct
// (atom j, image n) that occurs as a neighbour with n ≠ 0 becomes a ghost with index N + g, and
// the pair's partner index `jExt` points at it. Each call then
//   - extends the positions: x_ext = [x_0..x_{N-1}, x_owner(g) + n_g·cell]  ("forward comm"),
// the pair loops read r_ij = x_ext[jExt] - x_i with no image arithmetic, write forces (and EAM
// densities, per-atom energies) into extended arrays, and
//   - fold them back: f_owner(g) += f_{N+g}                                  ("reverse comm").
// Extending and folding are O(N + ghosts) per call; the pair loops stay as lean as LAMMPS's.
// The list is asked for topology only (no vectors, no distances). Between rebuilds the cell is
// unchanged (a new cell forces a rebuild), so the ghosts' shifts stay valid.
import { allocate, update, type NeighborList } from '../partition/neighborList';
import type { AtomicSystem } from '../calculators/calculator';

export interface NeighborCache {
  readonly cutoffA: number;
  readonly skinA: number;
  /** Current list (null before the first refresh). Use its rowStart; re-read after each refresh. */
  list: NeighborList | null;
  /** [count] partner of pair p in extended numbering: atom j < N, or ghost N + g. */
  jExt: Int32Array;
  /** Atoms N and ghosts G at the last refresh. */
  nAtoms: number;
  nGhosts: number;
  /** [G] the atom each ghost is an image of. */
  ghostOwner: Int32Array;
  /** [3G] Cartesian shift n·cell (Å) of each ghost. */
  ghostShiftA: Float64Array;
  /** [3(N+G)] positions of the atoms then the ghosts (Å), valid after refresh. */
  positionsExtA: Float64Array;
  /**
   * Full lists only: [count] 1 when pair p is the canonical direction of its unordered pair
   * (i < j, or i == j with lexicographically positive image), so two-body terms are counted once.
   */
  owner: Uint8Array;
  /** Builds so far (allocate + rebuilds by update). */
  builds: number;
  /** Bring the list and the extended positions up to date for `system`. */
  refresh(system: AtomicSystem): NeighborList;
  /** ext[0..N) = values, ext[N+g] = values[owner(g)]; `ext` must hold N+G entries. */
  extendScalars(values: ArrayLike<number>, ext: Float64Array | Int32Array): void;
  /** out[0..3N) = ext[0..3N), then out[owner(g)] += ext[N+g] (3-vectors). */
  foldVectors(ext: Float64Array, out: Float64Array): void;
  /** ext[owner(g)] += ext[N+g] for scalars, in place (the first N entries become the totals). */
  foldScalars(ext: Float64Array): void;
  /** Forget the list; the next refresh allocates a new one. */
  reset(): void;
}

export interface NeighborCacheOptions {
  /** Interaction cutoff (Å). */
  cutoffA: number;
  /** Verlet skin (Å). */
  skinA: number;
  /** Half list (each unordered pair once) or full list (both directions). */
  half: boolean;
}

const ZERO_CELL = new Float64Array(9);

const samePbc = (a: readonly boolean[], b: readonly boolean[]) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** 1 when pair p is its unordered pair's canonical direction (i < j, or i == j with positive image). */
function canonical(list: NeighborList, p: number): number {
  const i = list.i[p], j = list.j[p];
  if (i !== j) return i < j ? 1 : 0;
  const im = list.images, q = 3 * p;
  const n0 = im[q], n1 = im[q + 1], n2 = im[q + 2];
  return n0 > 0 || (n0 === 0 && (n1 > 0 || (n1 === 0 && n2 > 0))) ? 1 : 0;
}

export function createNeighborCache(options: NeighborCacheOptions): NeighborCache {
  const { cutoffA, skinA, half } = options;
  if (!(cutoffA > 0) || !Number.isFinite(cutoffA)) throw new Error(`neighbour cache: cutoffA must be a finite number > 0, got ${cutoffA}`);
  if (!(skinA >= 0) || !Number.isFinite(skinA)) throw new Error(`neighbour cache: skinA must be a finite number >= 0, got ${skinA}`);

  // ghost bookkeeping, grown as needed: per-atom chains of its ghosts (head[j] -> next -> ...)
  let head = new Int32Array(0);
  let gNext = new Int32Array(64), gImage = new Int32Array(3 * 64);
  // scratch for encode(): the far partners of one row
  let farJ = new Int32Array(256), farP = new Int32Array(256);

  const cache: NeighborCache = {
    cutoffA,
    skinA,
    list: null,
    jExt: new Int32Array(0),
    nAtoms: 0,
    nGhosts: 0,
    ghostOwner: new Int32Array(64),
    ghostShiftA: new Float64Array(3 * 64),
    positionsExtA: new Float64Array(0),
    owner: new Uint8Array(0),
    builds: 0,
    refresh,
    extendScalars(values, ext) {
      const n = cache.nAtoms, g = cache.nGhosts, own = cache.ghostOwner;
      for (let a = 0; a < n; a++) ext[a] = values[a];
      for (let k = 0; k < g; k++) ext[n + k] = values[own[k]];
    },
    foldVectors(ext, out) {
      const n = cache.nAtoms, g = cache.nGhosts, own = cache.ghostOwner;
      for (let q = 0; q < 3 * n; q++) out[q] = ext[q];
      for (let k = 0; k < g; k++) {
        const q = 3 * own[k], e = 3 * (n + k);
        out[q] += ext[e];
        out[q + 1] += ext[e + 1];
        out[q + 2] += ext[e + 2];
      }
    },
    foldScalars(ext) {
      const n = cache.nAtoms, g = cache.nGhosts, own = cache.ghostOwner;
      for (let k = 0; k < g; k++) ext[own[k]] += ext[n + k];
    },
    reset() {
      cache.list = null;
    },
  };

  function growGhosts(): void {
    const cap = 2 * gNext.length;
    const gi = (a: Int32Array, w: number) => { const b = new Int32Array(w * cap); b.set(a); return b; };
    gNext = gi(gNext, 1);
    gImage = gi(gImage, 3);
    cache.ghostOwner = gi(cache.ghostOwner, 1);
    const s = new Float64Array(3 * cap);
    s.set(cache.ghostShiftA);
    cache.ghostShiftA = s;
  }

  /**
   * After a build: ghosts, partner indices and canonical-direction flags. Each row is then
   * partitioned (stably) into the partners within the cutoff at the build positions, followed by
   * those only within the skin: the pair loops' cutoff test, which a random order makes an
   * unpredictable branch (about half the cost of a loop that does little else, measured in V8),
   * becomes a long run of "inside" then "outside", mispredicted only for pairs that have crossed
   * the cutoff since the build.
   */
  function encode(list: NeighborList, n: number): void {
    const im = list.images, J = list.j, rs = list.rowStart;
    if (cache.jExt.length < list.capacity) cache.jExt = new Int32Array(list.capacity);
    if (!half && cache.owner.length < list.capacity) cache.owner = new Uint8Array(list.capacity);
    if (head.length < n) head = new Int32Array(n);
    head.fill(-1, 0, n);
    const c = list.cellA ?? ZERO_CELL;
    const c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8];
    const x = list.referencePositionsA, jExt = cache.jExt, canon = cache.owner;
    const cut2 = cutoffA * cutoffA;
    let nG = 0;
    for (let i = 0; i < n; i++) {
      const a = rs[i], b = rs[i + 1];
      if (b - a > farJ.length) {
        farJ = new Int32Array(2 * (b - a));
        farP = new Int32Array(2 * (b - a));
      }
      const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
      let w = a, nFar = 0;
      for (let p = a; p < b; p++) {
        const j = J[p], q = 3 * p, qj = 3 * j;
        const n0 = im[q], n1 = im[q + 1], n2 = im[q + 2];
        // partner position x_j + n·cell (the ghost's position at the build)
        const sx = n0 * c0 + n1 * c3 + n2 * c6, sy = n0 * c1 + n1 * c4 + n2 * c7, sz = n0 * c2 + n1 * c5 + n2 * c8;
        const dx = x[qj] + sx - xi, dy = x[qj + 1] + sy - yi, dz = x[qj + 2] + sz - zi;
        let je = j;
        if (n0 !== 0 || n1 !== 0 || n2 !== 0) {
          let g = head[j];
          while (g >= 0 && !(gImage[3 * g] === n0 && gImage[3 * g + 1] === n1 && gImage[3 * g + 2] === n2)) g = gNext[g];
          if (g < 0) {
            if (nG === gNext.length) growGhosts();
            g = nG++;
            gImage[3 * g] = n0; gImage[3 * g + 1] = n1; gImage[3 * g + 2] = n2;
            cache.ghostOwner[g] = j;
            const sh = cache.ghostShiftA;
            sh[3 * g] = sx; sh[3 * g + 1] = sy; sh[3 * g + 2] = sz;
            gNext[g] = head[j];
            head[j] = g;
          }
          je = n + g;
        }
        // stable partition, branch-free: write to both places, advance one cursor
        const inside = dx * dx + dy * dy + dz * dz < cut2 ? 1 : 0;
        jExt[w] = je;
        farJ[nFar] = je;
        farP[nFar] = p;
        if (!half) canon[w] = canonical(list, p);
        w += inside;
        nFar += 1 - inside;
      }
      for (let k = 0; k < nFar; k++) {
        jExt[w] = farJ[k];
        if (!half) canon[w] = canonical(list, farP[k]);
        w++;
      }
    }
    cache.nAtoms = n;
    cache.nGhosts = nG;
    cache.builds++;
  }

  function refresh(system: AtomicSystem): NeighborList {
    const { positionsA, cellA, pbc } = system;
    const n = system.numbers.length;
    if (positionsA.length !== 3 * n) throw new Error(`positionsA has ${positionsA.length} entries, expected 3 × ${n} atoms`);
    let list = cache.list;
    if (!list || !samePbc(list.pbc, pbc)) {
      list = allocate(positionsA, cellA, pbc, { cutoffA, skinA, half, distances: false, vectors: false });
      cache.list = list;
      encode(list, n);
    } else if (update(list, positionsA, cellA)) {
      encode(list, n);
    }
    // forward comm: extended positions
    const nG = cache.nGhosts;
    if (cache.positionsExtA.length < 3 * (n + nG)) cache.positionsExtA = new Float64Array(3 * (n + nG) + 3 * (nG >> 2));
    const xe = cache.positionsExtA, own = cache.ghostOwner, s = cache.ghostShiftA;
    xe.set(positionsA);
    for (let g = 0; g < nG; g++) {
      const q = 3 * own[g], e = 3 * (n + g);
      xe[e] = positionsA[q] + s[3 * g];
      xe[e + 1] = positionsA[q + 1] + s[3 * g + 1];
      xe[e + 2] = positionsA[q + 2] + s[3 * g + 2];
    }
    return list;
  }

  return cache;
}
