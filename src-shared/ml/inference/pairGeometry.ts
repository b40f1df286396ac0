// Pair geometry of one structure for the fast inference paths: the interacting pairs of a Verlet
// neighbour list kept between calls, as flat float64 arrays, plus the chain rule from pair
// gradients to forces and virial stress.
//
// The list is a HALF list (each unordered pair once, potentials/neighborCache.ts: cutoff + skin,
// ghost atoms for periodic images, rebuilt only when atoms have moved more than the skin). Each
// call keeps the pairs with r < rc as
//   d_p = x_j + n·cell - x_i   [P, 3] Å      r_p = |d_p|   [P]
// with i, j the real atoms (a ghost's owner), so a periodic image of the same atom (i == j) is a
// pair too. A model written in terms of pair vectors needs only g_p = dE/dd_p [P, 3], and then
//   F_i += g_p,  F_j -= g_p                          (F = -dE/dx; Newton's third law per pair)
//   dE/dε_ab = Σ_p d_pa g_pb,  stress = sym(dE/dε) / V (ASE sign: positive = tensile)
// as in ml/models/predict.ts. Angular terms need every neighbour of a centre: a CSR list of
// directed neighbours within the angular cutoff, entry (p, ±1) meaning r_ij = ±d_p (each pair gives
// one entry to i with +1 and one to j with -1).
//
// Nothing is allocated per call once the arrays have grown to the system (capacity doubling).
import type { AtomicSystem } from '../../calculators/calculator';
import { createNeighborCache, type NeighborCache } from '../../potentials/neighborCache';

export interface PairGeometry {
  readonly cutoffA: number;
  /** Angular cutoff (<= cutoffA), 0 when no directed neighbour lists are wanted. */
  readonly angularCutoffA: number;
  readonly cache: NeighborCache;
  nAtoms: number;
  /** Interacting pairs (r < cutoffA) at the last gather. */
  nPairs: number;
  /** [P] first atom (the list's row). */
  pairI: Int32Array;
  /** [P] second atom (real index; images fold onto their owner). */
  pairJ: Int32Array;
  /** [3P] d_p = x_j + n·cell - x_i, Å. */
  vec: Float64Array;
  /** [P] |d_p|, Å. */
  r: Float64Array;
  /** [3P] dE/dd_p, filled by the model's backward pass. */
  grad: Float64Array;
  /** [N+1] directed neighbours of atom i within the angular cutoff: entries nbrStart[i]..nbrStart[i+1]. */
  nbrStart: Int32Array;
  /** [M] pair of each directed neighbour entry. */
  nbrPair: Int32Array;
  /** [M] +1 when r_ij = d_p (i is the pair's first atom), -1 when r_ij = -d_p. */
  nbrSign: Float64Array;
  /** Largest number of directed neighbours of one atom (sizes per-centre scratch). */
  maxNeighbors: number;
}

export interface PairGeometryOptions {
  cutoffA: number;
  /** Directed neighbour lists within this cutoff (0: none). */
  angularCutoffA?: number;
  skinA: number;
}

export function createPairGeometry(opts: PairGeometryOptions): PairGeometry {
  return {
    cutoffA: opts.cutoffA,
    angularCutoffA: opts.angularCutoffA ?? 0,
    cache: createNeighborCache({ cutoffA: opts.cutoffA, skinA: opts.skinA, half: true }),
    nAtoms: 0,
    nPairs: 0,
    pairI: new Int32Array(64),
    pairJ: new Int32Array(64),
    vec: new Float64Array(192),
    r: new Float64Array(64),
    grad: new Float64Array(192),
    nbrStart: new Int32Array(1),
    nbrPair: new Int32Array(128),
    nbrSign: new Float64Array(128),
    maxNeighbors: 0,
  };
}

function growPairs(g: PairGeometry, need: number): void {
  const cap = Math.max(need, 2 * g.pairI.length);
  const i = new Int32Array(cap), j = new Int32Array(cap), v = new Float64Array(3 * cap), r = new Float64Array(cap);
  i.set(g.pairI);
  j.set(g.pairJ);
  v.set(g.vec);
  r.set(g.r);
  g.pairI = i;
  g.pairJ = j;
  g.vec = v;
  g.r = r;
  g.grad = new Float64Array(3 * cap);
}

/**
 * Refresh the neighbour list for `system` and collect the interacting pairs (and the directed
 * neighbour lists). Returns the number of pairs.
 */
export function gatherPairs(g: PairGeometry, system: AtomicSystem): number {
  const cache = g.cache;
  const list = cache.refresh(system);
  const n = system.numbers.length;
  const x = system.positionsA, xe = cache.positionsExtA, jExt = cache.jExt, own = cache.ghostOwner, rs = list.rowStart;
  const rc2 = g.cutoffA * g.cutoffA;
  if (g.pairI.length < list.count) growPairs(g, list.count);
  const pi = g.pairI, pj = g.pairJ, v = g.vec, rr = g.r;
  let P = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    for (let p = rs[i], e = rs[i + 1]; p < e; p++) {
      const je = jExt[p], q = 3 * je;
      const dx = xe[q] - xi, dy = xe[q + 1] - yi, dz = xe[q + 2] - zi;
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 >= rc2) continue;
      pi[P] = i;
      pj[P] = je < n ? je : own[je - n];
      v[3 * P] = dx;
      v[3 * P + 1] = dy;
      v[3 * P + 2] = dz;
      rr[P] = Math.sqrt(r2);
      P++;
    }
  }
  g.nAtoms = n;
  g.nPairs = P;
  if (g.angularCutoffA > 0) buildDirected(g, n, P);
  return P;
}

/** Counting sort of the pairs within the angular cutoff into per-atom directed entries. */
function buildDirected(g: PairGeometry, n: number, P: number): void {
  if (g.nbrStart.length < n + 1) g.nbrStart = new Int32Array(n + 1);
  const start = g.nbrStart, pi = g.pairI, pj = g.pairJ, rr = g.r, rcA = g.angularCutoffA;
  start.fill(0, 0, n + 1);
  let M = 0;
  for (let p = 0; p < P; p++) {
    if (rr[p] >= rcA) continue;
    start[pi[p] + 1]++;
    start[pj[p] + 1]++;
    M += 2;
  }
  let maxN = 0;
  for (let i = 0; i < n; i++) {
    if (start[i + 1] > maxN) maxN = start[i + 1];
    start[i + 1] += start[i];
  }
  g.maxNeighbors = maxN;
  if (g.nbrPair.length < M) {
    g.nbrPair = new Int32Array(Math.max(M, 2 * g.nbrPair.length));
    g.nbrSign = new Float64Array(g.nbrPair.length);
  }
  const fill = g.nbrPair, sign = g.nbrSign;
  // cursor per atom: reuse start shifted (start[i] advances, restored afterwards)
  for (let p = 0; p < P; p++) {
    if (rr[p] >= rcA) continue;
    const a = start[pi[p]]++;
    fill[a] = p;
    sign[a] = 1;
    const b = start[pj[p]]++;
    fill[b] = p;
    sign[b] = -1;
  }
  for (let i = n; i > 0; i--) start[i] = start[i - 1];
  start[0] = 0;
}

/** F_i += g_p, F_j -= g_p for the P pairs (i, j) = (pi[p], pj[p]), into forces[o + 3·atom] (accumulated). */
export function scatterPairForces(pi: Int32Array, pj: Int32Array, grad: Float64Array, P: number, forces: Float64Array, o: number): void {
  for (let p = 0; p < P; p++) {
    const a = o + 3 * pi[p], b = o + 3 * pj[p], q = 3 * p;
    const gx = grad[q], gy = grad[q + 1], gz = grad[q + 2];
    forces[a] += gx;
    forces[a + 1] += gy;
    forces[a + 2] += gz;
    forces[b] -= gx;
    forces[b + 1] -= gy;
    forces[b + 2] -= gz;
  }
}

/**
 * Forces (F_i += g_p, F_j -= g_p) into `forces` [3N] (overwritten) and, when `virial` [9] is given,
 * dE/dε_ab = Σ_p d_pa g_pb into it (overwritten).
 */
export function pairForces(g: PairGeometry, forces: Float64Array | null, virial: Float64Array | null): void {
  const P = g.nPairs, pi = g.pairI, pj = g.pairJ, gr = g.grad, v = g.vec;
  if (forces) {
    forces.fill(0, 0, 3 * g.nAtoms);
    scatterPairForces(pi, pj, gr, P, forces, 0);
  }
  if (virial) {
    let xx = 0, xy = 0, xz = 0, yx = 0, yy = 0, yz = 0, zx = 0, zy = 0, zz = 0;
    for (let p = 0; p < P; p++) {
      const q = 3 * p;
      const dx = v[q], dy = v[q + 1], dz = v[q + 2], gx = gr[q], gy = gr[q + 1], gz = gr[q + 2];
      xx += dx * gx; xy += dx * gy; xz += dx * gz;
      yx += dy * gx; yy += dy * gy; yz += dy * gz;
      zx += dz * gx; zy += dz * gy; zz += dz * gz;
    }
    virial[0] = xx; virial[1] = xy; virial[2] = xz;
    virial[3] = yx; virial[4] = yy; virial[5] = yz;
    virial[6] = zx; virial[7] = zy; virial[8] = zz;
  }
}

/** stress = (W + Wᵀ) / (2V) from dE/dε (`virial` [9]) into `out` [9]. */
export function stressFromVirial(virial: Float64Array, volumeA3: number, out: Float64Array): Float64Array {
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[3 * a + b] = (0.5 * (virial[3 * a + b] + virial[3 * b + a])) / volumeA3;
  return out;
}
