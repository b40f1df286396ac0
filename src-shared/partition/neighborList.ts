// Neighbour lists by cell-list binning: all pairs (i, j, n) with |x_j + n·cell - x_i| < cutoff, in
// O(N) time for free space, any triclinic periodic cell, and mixed periodicity (slabs, wires).
//
// Method (LAMMPS neighbour binning, Plimpton 1995 / `neigh_bin`; ASE primitive_neighbor_list in
// ase/neighborlist.py for the treatment of triclinic cells and images):
//  1. The periodic vectors are lattice-reduced (space/cell.ts reduceCell: same lattice, short
//     vectors; image offsets are mapped back to the cell as given), non-periodic axes get an
//     orthonormal frame. Fractional coordinates s = x · cell⁻¹; along periodic axes each atom is
//     wrapped into [0, 1) and its integer wrap w_i is remembered (x = x_wrapped + w_i·cell).
//     Free space uses the identity frame; non-periodic axes use the atoms' range (bounding box).
//  2. Space is cut into bins that are small parallelepipeds of the cell, at least binSize (default
//     the search radius; cutoff/2 as in LAMMPS visits fewer atoms but more bins, and measured
//     slower here) high along each axis, atoms are counting-sorted by bin (positions copied in bin
//     order for cache locality). The number of bins is capped at ~2N (sparse or very elongated
//     systems get larger bins), so memory stays O(N) and time O(N) at any ordinary density. A
//     far outlier along an open axis (a lost atom 1e6 Å away) coarsens the bins: still correct,
//     but the search then degrades towards O(N²) within the crowded bins.
//  3. A partner within the cutoff differs in fractional coordinate k by at most cutoff / h_k
//     (h = perpendicular heights, space/cell.ts). So atom i visits the bin range
//     floor((s_ik ± cutoff/h_k) · nBins_k) on each axis. On a periodic axis a bin index c beyond
//     [0, nBins) is bin c mod nBins in image floor(c / nBins): this is what makes the search exact
//     when the cutoff exceeds half the cell or the whole cell (an atom meets its own images, and
//     one pair can appear with several image offsets). Each (bin, image) combination is visited
//     once, so no pair is found twice.
//  4. Image offsets are reported for the positions as given (unwrapped): r_ij = x_j + n·cell - x_i
//     with n = image + w_i - w_j; the half list keeps i < j, and for i == j the images with
//     lexicographically positive n (each unordered pair once).
//
// Lifecycle (JAX-MD jax_md/partition.py, neighbor_list -> allocate / update): `allocate` builds a
// Verlet list with radius cutoff + skin outside the MD loop; `update` inside the loop reuses the
// pair topology (recomputing vectors and distances from the current positions) until some atom has
// moved so far that the two largest displacements since the last build exceed the skin, then rebuilds. Unlike JAX-MD there is
// no fixed capacity to overflow: the arrays grow, and `rebuilds` counts builds done by update.
import { cellHeightsA, invert3, reduceCell, type Pbc } from '../space/cell';
import { covalentRadiusA } from '../atoms/elements';

/** Pairs found by a search. Arrays may be longer than `count` in a NeighborList (capacity). */
export interface NeighborPairs {
  /** Number of pairs. */
  count: number;
  /** [count] first atom of each pair. */
  i: Int32Array;
  /** [count] second atom of each pair. */
  j: Int32Array;
  /** [3*count] integer image offsets n with r_ij = x_j + n·cell - x_i. All zero in free space. */
  images: Int32Array;
  /** [count] |r_ij| in Å, or null when not requested. */
  distancesA: Float64Array | null;
  /** [3*count] r_ij = x_j + n·cell - x_i in Å, or null when not requested. */
  vectorsA: Float64Array | null;
  /** [N+1] pairs of atom i are p in [rowStart[i], rowStart[i+1]) (pairs are sorted by i). */
  rowStart: Int32Array;
}

export interface PairSearchOptions {
  /** Each unordered pair once (i < j; for i == j, positive image) instead of both directions. Default false. */
  half?: boolean;
  /** Fill distancesA (default true). */
  distances?: boolean;
  /** Fill vectorsA (default true). */
  vectors?: boolean;
  /** Pairs closer than this (Å) are dropped (overlapping atoms). Default 0: keep all. */
  minDistanceA?: number;
  /** [N] species index 0..T-1 per atom, for per-species-pair cutoffs. */
  species?: Int32Array;
  /** [T*T] symmetric per-species-pair cutoffs (Å), each <= the global cutoff; needs `species`. */
  pairCutoffsA?: Float64Array;
  /** Bin height target in Å (tuning; default cutoff (+ skin), measured fastest in V8). */
  binSizeA?: number;
}

export interface NeighborListOptions extends PairSearchOptions {
  /** Interaction cutoff in Å. */
  cutoffA: number;
  /** Verlet skin in Å: pairs are listed up to cutoff + skin. Default 0 (rebuild on any motion). */
  skinA?: number;
}

/** Reusable Verlet neighbour list. Re-read its arrays after `update`: growth replaces them. */
export interface NeighborList extends NeighborPairs {
  readonly cutoffA: number;
  readonly skinA: number;
  readonly half: boolean;
  readonly pbc: Pbc;
  /** [9] cell of the last build (copy), or null in free space. */
  cellA: Float64Array | null;
  /** [3N] positions (Å) at the last build. */
  referencePositionsA: Float64Array;
  /** Builds done by `update` (the build in `allocate` is not counted). */
  rebuilds: number;
  /** Pair-array capacity (>= count). */
  capacity: number;
  /** Internal workspace, reused between builds. */
  readonly work: Workspace;
}

interface Workspace {
  options: PairSearchOptions;
  /** [T*T] squared pair radii including skin, or null. */
  pairR2: Float64Array | null;
  nSpecies: number;
  frac: Float64Array; // [3N] fractional (wrapped on periodic axes)
  wraps: Int32Array; // [3N] integer wraps w
  binOf: Int32Array; // [N]
  binStart: Int32Array; // [nBins+1]
  sortedIdx: Int32Array; // [N] atom index in bin order
  sortedX: Float64Array; // [3N] wrapped Cartesian positions in bin order
  cell: Float64Array; // [9] completed cell (identity in free space)
  inv: Float64Array; // [9]
  heights: Float64Array; // [3]
}

const IDENTITY = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

function isPeriodic(cellA: ArrayLike<number> | null, pbc: Pbc): boolean {
  return !!cellA && (pbc[0] || pbc[1] || pbc[2]);
}

function makeWorkspace(options: PairSearchOptions, skinA: number): Workspace {
  let pairR2: Float64Array | null = null;
  let nSpecies = 0;
  if (options.pairCutoffsA) {
    if (!options.species) throw new Error('neighbour list: pairCutoffsA needs species');
    nSpecies = Math.round(Math.sqrt(options.pairCutoffsA.length));
    if (nSpecies * nSpecies !== options.pairCutoffsA.length) throw new Error('neighbour list: pairCutoffsA must be [T*T]');
    pairR2 = options.pairCutoffsA.map((c) => (c + skinA) ** 2);
  }
  return {
    options,
    pairR2,
    nSpecies,
    frac: new Float64Array(0),
    wraps: new Int32Array(0),
    binOf: new Int32Array(0),
    binStart: new Int32Array(0),
    sortedIdx: new Int32Array(0),
    sortedX: new Float64Array(0),
    cell: new Float64Array(9),
    inv: new Float64Array(9),
    heights: new Float64Array(3),
  };
}

function grow(list: NeighborList, minCapacity: number): void {
  const cap = Math.max(minCapacity, 64);
  const i = new Int32Array(cap);
  i.set(list.i.subarray(0, list.count));
  const j = new Int32Array(cap);
  j.set(list.j.subarray(0, list.count));
  const images = new Int32Array(3 * cap);
  images.set(list.images.subarray(0, 3 * list.count));
  list.i = i;
  list.j = j;
  list.images = images;
  if (list.distancesA) {
    const d = new Float64Array(cap);
    d.set(list.distancesA.subarray(0, list.count));
    list.distancesA = d;
  }
  if (list.vectorsA) {
    const v = new Float64Array(3 * cap);
    v.set(list.vectorsA.subarray(0, 3 * list.count));
    list.vectorsA = v;
  }
  list.capacity = cap;
}

/** Build all pairs within radiusA (= cutoff + skin) into `list`. */
function build(list: NeighborList, positionsA: ArrayLike<number>, radiusA: number): void {
  const w = list.work;
  const opt = w.options;
  const n = positionsA.length / 3;
  const half = list.half;
  const wantD = opt.distances ?? true;
  const wantV = opt.vectors ?? true;
  const minD2 = (opt.minDistanceA ?? 0) ** 2;
  const rc2 = radiusA * radiusA;
  const species = opt.species ?? null;
  const pairR2 = w.pairR2;
  const nT = w.nSpecies;
  if (species && species.length !== n) throw new Error('neighbour list: species must have N entries');

  // --- frame: completed cell (periodic) or identity (free space) --------------------------------
  const periodic = isPeriodic(list.cellA, list.pbc);
  const p0 = periodic && list.pbc[0], p1 = periodic && list.pbc[1], p2 = periodic && list.pbc[2];
  // periodic: lattice-reduced cell (same lattice, short vectors: few images even when the cell is
  // given skewed); image offsets are mapped back to the given basis through the integer matrix T
  let T: Float64Array = IDENTITY;
  let reduced = false;
  if (periodic) {
    const red = reduceCell(list.cellA as Float64Array, list.pbc);
    w.cell.set(red.cellA);
    T = red.transform;
    reduced = !red.identity;
  } else {
    w.cell.set(IDENTITY);
  }
  const [t0, t1, t2, t3, t4, t5, t6, t7, t8] = T;
  const cell = w.cell;
  const inv = invert3(w.inv, cell);
  const h = cellHeightsA(w.heights, cell);
  const [a0, a1, a2, b0, b1, b2, c0, c1, c2] = cell;

  if (w.frac.length < 3 * n) {
    w.frac = new Float64Array(3 * n);
    w.wraps = new Int32Array(3 * n);
    w.binOf = new Int32Array(n);
    w.sortedIdx = new Int32Array(n);
    w.sortedX = new Float64Array(3 * n);
  }
  const frac = w.frac, wraps = w.wraps;

  // --- 1. fractional coordinates, wrapped on periodic axes --------------------------------------
  let lo0 = Infinity, lo1 = Infinity, lo2 = Infinity, hi0 = -Infinity, hi1 = -Infinity, hi2 = -Infinity;
  for (let a = 0; a < n; a++) {
    const q = 3 * a;
    const x = positionsA[q], y = positionsA[q + 1], z = positionsA[q + 2];
    let s0 = x * inv[0] + y * inv[3] + z * inv[6];
    let s1 = x * inv[1] + y * inv[4] + z * inv[7];
    let s2 = x * inv[2] + y * inv[5] + z * inv[8];
    if (!(Number.isFinite(s0) && Number.isFinite(s1) && Number.isFinite(s2))) {
      throw new Error(`neighbour list: position of atom ${a} is not finite`);
    }
    let w0 = 0, w1 = 0, w2 = 0;
    if (p0) { w0 = Math.floor(s0); s0 -= w0; if (s0 >= 1) { s0 -= 1; w0 += 1; } }
    if (p1) { w1 = Math.floor(s1); s1 -= w1; if (s1 >= 1) { s1 -= 1; w1 += 1; } }
    if (p2) { w2 = Math.floor(s2); s2 -= w2; if (s2 >= 1) { s2 -= 1; w2 += 1; } }
    frac[q] = s0; frac[q + 1] = s1; frac[q + 2] = s2;
    wraps[q] = w0; wraps[q + 1] = w1; wraps[q + 2] = w2;
    if (s0 < lo0) lo0 = s0; if (s0 > hi0) hi0 = s0;
    if (s1 < lo1) lo1 = s1; if (s1 > hi1) hi1 = s1;
    if (s2 < lo2) lo2 = s2; if (s2 > hi2) hi2 = s2;
  }
  if (n === 0) { lo0 = lo1 = lo2 = 0; hi0 = hi1 = hi2 = 0; }
  // bin frame per axis: origin and span in fractional units
  if (p0) { lo0 = 0; hi0 = 1; }
  if (p1) { lo1 = 0; hi1 = 1; }
  if (p2) { lo2 = 0; hi2 = 1; }
  const span0 = Math.max(hi0 - lo0, 1e-12), span1 = Math.max(hi1 - lo1, 1e-12), span2 = Math.max(hi2 - lo2, 1e-12);

  // --- 2. bins: at least binSize high, at most ~2N + 64 of them ---------------------------------
  let binSize = opt.binSizeA ?? radiusA;
  const maxBins = 2 * n + 64;
  let nb0 = 1, nb1 = 1, nb2 = 1;
  for (;;) {
    nb0 = Math.max(1, Math.floor((span0 * h[0]) / binSize));
    nb1 = Math.max(1, Math.floor((span1 * h[1]) / binSize));
    nb2 = Math.max(1, Math.floor((span2 * h[2]) / binSize));
    if (nb0 * nb1 * nb2 <= maxBins) break;
    binSize *= Math.max(1.1, Math.cbrt((nb0 * nb1 * nb2) / maxBins));
  }
  const nBins = nb0 * nb1 * nb2;
  const sc0 = nb0 / span0, sc1 = nb1 / span1, sc2 = nb2 / span2;
  if (w.binStart.length < nBins + 1) w.binStart = new Int32Array(nBins + 1);
  const binStart = w.binStart, binOf = w.binOf, sortedIdx = w.sortedIdx, sortedX = w.sortedX;
  binStart.fill(0, 0, nBins + 1);
  for (let a = 0; a < n; a++) {
    const q = 3 * a;
    let e0 = Math.floor((frac[q] - lo0) * sc0); if (e0 >= nb0) e0 = nb0 - 1; else if (e0 < 0) e0 = 0;
    let e1 = Math.floor((frac[q + 1] - lo1) * sc1); if (e1 >= nb1) e1 = nb1 - 1; else if (e1 < 0) e1 = 0;
    let e2 = Math.floor((frac[q + 2] - lo2) * sc2); if (e2 >= nb2) e2 = nb2 - 1; else if (e2 < 0) e2 = 0;
    const b = (e0 * nb1 + e1) * nb2 + e2;
    binOf[a] = b;
    binStart[b + 1]++;
  }
  for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
  // counting sort: binStart[b] serves as the fill cursor of bin b, then is shifted back
  for (let a = 0; a < n; a++) {
    const b = binOf[a];
    const k = binStart[b]++;
    sortedIdx[k] = a;
    const q = 3 * a;
    const w0 = wraps[q], w1 = wraps[q + 1], w2 = wraps[q + 2];
    sortedX[3 * k] = positionsA[q] - (w0 * a0 + w1 * b0 + w2 * c0);
    sortedX[3 * k + 1] = positionsA[q + 1] - (w0 * a1 + w1 * b1 + w2 * c1);
    sortedX[3 * k + 2] = positionsA[q + 2] - (w0 * a2 + w1 * b2 + w2 * c2);
  }
  for (let b = nBins; b > 0; b--) binStart[b] = binStart[b - 1];
  binStart[0] = 0;

  // --- 3. search ---------------------------------------------------------------------------------
  // expected pair count from the mean density, to size the output once instead of growing it
  let volume = Math.abs(cell[0] * (cell[4] * cell[8] - cell[5] * cell[7]) - cell[1] * (cell[3] * cell[8] - cell[5] * cell[6]) + cell[2] * (cell[3] * cell[7] - cell[4] * cell[6]));
  if (!p0) volume *= span0 + radiusA / h[0];
  if (!p1) volume *= span1 + radiusA / h[1];
  if (!p2) volume *= span2 + radiusA / h[2];
  const expected = ((n * n) / volume) * ((4 / 3) * Math.PI * radiusA ** 3) * (half ? 0.5 : 1);
  if (expected * 1.1 > list.capacity && expected < 2 ** 28) {
    list.count = 0;
    grow(list, Math.ceil(expected * 1.1) + 64);
  }
  // fractional reach per axis, padded so that rounding never drops a pair at the boundary
  const reach0 = (radiusA / h[0]) * (1 + 1e-10) + 1e-12;
  const reach1 = (radiusA / h[1]) * (1 + 1e-10) + 1e-12;
  const reach2 = (radiusA / h[2]) * (1 + 1e-10) + 1e-12;
  if (list.rowStart.length !== n + 1) list.rowStart = new Int32Array(n + 1);
  const rowStart = list.rowStart;
  let count = 0;
  let cap = list.capacity;
  let I = list.i, J = list.j, IM = list.images, D = list.distancesA, V = list.vectorsA;

  const step = half ? -1 : 1;
  for (let i = 0; i < n; i++) {
    rowStart[i] = count;
    const q = 3 * i;
    const si0 = frac[q], si1 = frac[q + 1], si2 = frac[q + 2];
    const wi0 = wraps[q], wi1 = wraps[q + 1], wi2 = wraps[q + 2];
    const xi = positionsA[q] - (wi0 * a0 + wi1 * b0 + wi2 * c0);
    const yi = positionsA[q + 1] - (wi0 * a1 + wi1 * b1 + wi2 * c1);
    const zi = positionsA[q + 2] - (wi0 * a2 + wi1 * b2 + wi2 * c2);
    const ti = species ? species[i] * nT : 0;
    let cLo0 = Math.floor((si0 - reach0 - lo0) * sc0), cHi0 = Math.floor((si0 + reach0 - lo0) * sc0);
    let cLo1 = Math.floor((si1 - reach1 - lo1) * sc1), cHi1 = Math.floor((si1 + reach1 - lo1) * sc1);
    let cLo2 = Math.floor((si2 - reach2 - lo2) * sc2), cHi2 = Math.floor((si2 + reach2 - lo2) * sc2);
    if (!p0) { if (cLo0 < 0) cLo0 = 0; if (cHi0 >= nb0) cHi0 = nb0 - 1; }
    if (!p1) { if (cLo1 < 0) cLo1 = 0; if (cHi1 >= nb1) cHi1 = nb1 - 1; }
    if (!p2) { if (cLo2 < 0) cLo2 = 0; if (cHi2 >= nb2) cHi2 = nb2 - 1; }
    // image n_k = floor(c / nb_k), bin c - n_k nb_k; stepped incrementally
    const n0Start = Math.floor(cLo0 / nb0), n1Start = Math.floor(cLo1 / nb1), n2Start = Math.floor(cLo2 / nb2);
    let n0 = n0Start, e0 = cLo0 - n0Start * nb0;
    for (let c0i = cLo0; c0i <= cHi0; c0i++) {
      let n1 = n1Start, e1 = cLo1 - n1Start * nb1;
      for (let c1i = cLo1; c1i <= cHi1; c1i++) {
        const rowBase = (e0 * nb1 + e1) * nb2;
        let n2 = n2Start, e2 = cLo2 - n2Start * nb2;
        for (let c2i = cLo2; c2i <= cHi2; c2i++) {
          const sx = n0 * a0 + n1 * b0 + n2 * c0 - xi;
          const sy = n0 * a1 + n1 * b1 + n2 * c1 - yi;
          const sz = n0 * a2 + n1 * b2 + n2 * c2 - zi;
          const bin = rowBase + e2;
          // atoms of a bin are in ascending index order (stable counting sort), so the half list
          // walks each bin from its end and stops at the first j < i
          const kStop = half ? binStart[bin] - 1 : binStart[bin + 1];
          for (let k = half ? binStart[bin + 1] - 1 : binStart[bin]; k !== kStop; k += step) {
            const j = sortedIdx[k];
            if (half && j < i) break;
            const dx = sortedX[3 * k] + sx;
            const dy = sortedX[3 * k + 1] + sy;
            const dz = sortedX[3 * k + 2] + sz;
            const d2 = dx * dx + dy * dy + dz * dz;
            if (d2 >= rc2 || d2 < minD2) continue;
            if (pairR2 !== null && d2 >= pairR2[ti + (species as Int32Array)[j]]) continue;
            const qj = 3 * j;
            let m0 = n0 + wi0 - wraps[qj], m1 = n1 + wi1 - wraps[qj + 1], m2 = n2 + wi2 - wraps[qj + 2];
            if (reduced) {
              const r0 = m0, r1 = m1, r2 = m2;
              m0 = r0 * t0 + r1 * t3 + r2 * t6;
              m1 = r0 * t1 + r1 * t4 + r2 * t7;
              m2 = r0 * t2 + r1 * t5 + r2 * t8;
            }
            if (j === i) {
              if (m0 === 0 && m1 === 0 && m2 === 0) continue; // the atom itself
              if (half && (m0 < 0 || (m0 === 0 && (m1 < 0 || (m1 === 0 && m2 < 0))))) continue;
            }
            if (count === cap) {
              list.count = count;
              grow(list, 2 * count + 64);
              cap = list.capacity;
              I = list.i; J = list.j; IM = list.images; D = list.distancesA; V = list.vectorsA;
            }
            I[count] = i;
            J[count] = j;
            const p3 = 3 * count;
            IM[p3] = m0; IM[p3 + 1] = m1; IM[p3 + 2] = m2;
            if (wantD) (D as Float64Array)[count] = Math.sqrt(d2);
            if (wantV) { const v = V as Float64Array; v[p3] = dx; v[p3 + 1] = dy; v[p3 + 2] = dz; }
            count++;
          }
          if (++e2 === nb2) { e2 = 0; n2++; }
        }
        if (++e1 === nb1) { e1 = 0; n1++; }
      }
      if (++e0 === nb0) { e0 = 0; n0++; }
    }
  }
  rowStart[n] = count;
  list.count = count;
}

function emptyList(
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: Pbc,
  options: NeighborListOptions,
): NeighborList {
  if (positionsA.length % 3 !== 0) throw new Error('neighbour list: positionsA must have length 3N');
  if (!(options.cutoffA > 0)) throw new Error(`neighbour list: cutoffA must be > 0, got ${options.cutoffA}`);
  const skinA = options.skinA ?? 0;
  if (!(skinA >= 0)) throw new Error(`neighbour list: skinA must be >= 0, got ${skinA}`);
  const n = positionsA.length / 3;
  const cap = 64; // sized from the density estimate at the first build
  const wantD = options.distances ?? true;
  const wantV = options.vectors ?? true;
  const periodic = isPeriodic(cellA, pbc);
  return {
    cutoffA: options.cutoffA,
    skinA,
    half: options.half ?? false,
    pbc: [pbc[0], pbc[1], pbc[2]],
    cellA: periodic ? Float64Array.from(cellA as ArrayLike<number>) : null,
    referencePositionsA: Float64Array.from(positionsA),
    rebuilds: 0,
    capacity: cap,
    count: 0,
    i: new Int32Array(cap),
    j: new Int32Array(cap),
    images: new Int32Array(3 * cap),
    distancesA: wantD ? new Float64Array(cap) : null,
    vectorsA: wantV ? new Float64Array(3 * cap) : null,
    rowStart: new Int32Array(n + 1),
    work: makeWorkspace(options, skinA),
  };
}

/**
 * Build a Verlet neighbour list (outside the MD loop). Lists every pair within cutoffA + skinA.
 * @param positionsA [3N] Å, unwrapped positions are fine
 * @param cellA [9] rows a, b, c (Å) or null; ignored when no axis is periodic
 * @param pbc periodicity per axis (fixed for the life of the list)
 */
export function allocate(
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: Pbc,
  options: NeighborListOptions,
): NeighborList {
  const list = emptyList(positionsA, cellA, pbc, options);
  build(list, list.referencePositionsA, list.cutoffA + list.skinA);
  return list;
}

/**
 * Bring the list up to date for new positions [3N] Å (and optionally a new cell [9]). Rebuilds
 * when the atom count or the cell changed, or when the two largest displacements since the last
 * build add up to more than the skin; otherwise keeps the pairs and recomputes their vectors and distances. Every pair
 * with |r_ij| < cutoffA is then in the list (the list may hold pairs out to cutoffA + skinA:
 * filter by distance). Returns true when it rebuilt. Motion is measured on the positions as
 * passed: wrapping atoms back into the cell between calls is safe but forces a rebuild.
 */
export function update(list: NeighborList, positionsA: ArrayLike<number>, cellA?: ArrayLike<number> | null): boolean {
  const n = positionsA.length / 3;
  let rebuild = n !== list.referencePositionsA.length / 3;
  if (cellA !== undefined && isPeriodic(cellA, list.pbc)) {
    const c = cellA as ArrayLike<number>;
    if (!list.cellA) rebuild = true;
    else for (let k = 0; k < 9; k++) if (c[k] !== list.cellA[k]) rebuild = true;
    if (rebuild) list.cellA = Float64Array.from(c);
  } else if (cellA === null && list.cellA) {
    list.cellA = null;
    rebuild = true;
  }
  if (!rebuild) {
    // A pair's separation changes by at most d_i + d_j, so the list stays complete while the two
    // largest displacements since the build add up to no more than the skin (LAMMPS's "check yes"
    // rule is the stricter 2 max d <= skin).
    const ref = list.referencePositionsA;
    let d1 = 0; // largest squared displacement
    let d2 = 0; // second largest
    const skin = list.skinA;
    for (let q = 0; q < 3 * n; q += 3) {
      const dx = positionsA[q] - ref[q], dy = positionsA[q + 1] - ref[q + 1], dz = positionsA[q + 2] - ref[q + 2];
      const d = dx * dx + dy * dy + dz * dz;
      if (!(d <= d2)) {
        if (!(d === d)) {
          rebuild = true; // NaN
          break;
        }
        if (d > d1) {
          d2 = d1;
          d1 = d;
        } else d2 = d;
        if (Math.sqrt(d1) + Math.sqrt(d2) > skin) {
          rebuild = true;
          break;
        }
      }
    }
  }
  if (rebuild) {
    if (list.referencePositionsA.length !== positionsA.length) list.referencePositionsA = new Float64Array(positionsA.length);
    list.referencePositionsA.set(positionsA);
    build(list, list.referencePositionsA, list.cutoffA + list.skinA);
    list.rebuilds++;
    return true;
  }
  refreshVectors(list, positionsA);
  return false;
}

/** Recompute vectorsA / distancesA of the listed pairs from positions [3N] Å. */
function refreshVectors(list: NeighborList, positionsA: ArrayLike<number>): void {
  const D = list.distancesA, V = list.vectorsA;
  if (!D && !V) return;
  const c = list.cellA ?? IDENTITY; // images are all zero without a cell
  const I = list.i, J = list.j, IM = list.images;
  for (let p = 0; p < list.count; p++) {
    const qi = 3 * I[p], qj = 3 * J[p], p3 = 3 * p;
    const m0 = IM[p3], m1 = IM[p3 + 1], m2 = IM[p3 + 2];
    const dx = positionsA[qj] - positionsA[qi] + m0 * c[0] + m1 * c[3] + m2 * c[6];
    const dy = positionsA[qj + 1] - positionsA[qi + 1] + m0 * c[1] + m1 * c[4] + m2 * c[7];
    const dz = positionsA[qj + 2] - positionsA[qi + 2] + m0 * c[2] + m1 * c[5] + m2 * c[8];
    if (V) { V[p3] = dx; V[p3 + 1] = dy; V[p3 + 2] = dz; }
    if (D) D[p] = Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}

/** Arrays exactly `count` long: views when little capacity is wasted (no copy), else copies. */
function trimmed(list: NeighborList): NeighborPairs {
  const m = list.count;
  const view = list.capacity <= 1.5 * m + 64;
  const cut = <A extends Int32Array | Float64Array>(a: A, len: number): A => (view ? a.subarray(0, len) : a.slice(0, len)) as A;
  return {
    count: m,
    i: cut(list.i, m),
    j: cut(list.j, m),
    images: cut(list.images, 3 * m),
    distancesA: list.distancesA ? cut(list.distancesA, m) : null,
    vectorsA: list.vectorsA ? cut(list.vectorsA, 3 * m) : null,
    rowStart: list.rowStart,
  };
}

/**
 * One-shot search: all pairs with |x_j + n·cell - x_i| < cutoffA, arrays exactly `count` long.
 * @param positionsA [3N] Å
 * @param cellA [9] rows a, b, c (Å) or null (free space)
 */
export function neighborPairs(
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: Pbc,
  cutoffA: number,
  options: PairSearchOptions = {},
): NeighborPairs {
  return trimmed(allocate(positionsA, cellA, pbc, { ...options, cutoffA, skinA: 0 }));
}

/**
 * Covalent bonds for display and topology: each pair once (i < j, or i == j through a periodic
 * image) with d < factor·(r_cov(Z_i) + r_cov(Z_j)) and d >= minDistanceA (overlapping atoms are
 * not bonds). Covalent radii from atoms/elements.ts (Cordero 2008, via ASE); the same rule as
 * ASE's NeighborList(natural_cutoffs(atoms, mult=factor), skin=0, self_interaction=False). Runs through
 * the cell list with a search radius of factor·2·(largest radius present) and per-species-pair
 * cutoffs, so it is O(N).
 * @param numbers [N] atomic numbers
 * @param positionsA [3N] Å
 */
export function bondPairs(
  numbers: ArrayLike<number>,
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  pbc: Pbc,
  factor = 1.2,
  options: { minDistanceA?: number } = {},
): NeighborPairs {
  const n = numbers.length;
  if (positionsA.length !== 3 * n) throw new Error('bondPairs: positionsA must have length 3 * numbers.length');
  const index = new Map<number, number>();
  const species = new Int32Array(n);
  const radii: number[] = [];
  for (let a = 0; a < n; a++) {
    const z = numbers[a];
    let t = index.get(z);
    if (t === undefined) {
      t = radii.length;
      index.set(z, t);
      radii.push(covalentRadiusA(z));
    }
    species[a] = t;
  }
  const nT = radii.length;
  if (nT === 0) return neighborPairs(positionsA, cellA, pbc, 1, { half: true });
  const table = new Float64Array(nT * nT);
  for (let s = 0; s < nT; s++) for (let t = 0; t < nT; t++) table[s * nT + t] = factor * (radii[s] + radii[t]);
  const cutoffA = factor * 2 * Math.max(...radii);
  return neighborPairs(positionsA, cellA, pbc, cutoffA, {
    half: true,
    species,
    pairCutoffsA: table,
    minDistanceA: options.minDistanceA ?? 0.1,
  });
}
