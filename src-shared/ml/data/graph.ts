// Per-frame graph data: the neighbour list a model needs, computed once per frame in float64 and
// cached (GUIDE §6.6: slow training from data loading). Models that see atoms through edge vectors
// r_ij = x_j + n·cell - x_i (full list: both directions) take forces and stress from dE/dr_ij:
//   F_k = Σ_{p: i_p = k} dE/dr_p - Σ_{p: j_p = k} dE/dr_p
//   stress_ab = (1/V) Σ_p r_pa dE/dr_pb  (= (1/V) dE/dε_ab at ε = 0, since a homogeneous strain maps
//   every r_p to r_p (I + ε); ASE sign)
// so positions never enter the graph and the cell only through precomputed image shifts.
// Angular models also need triplets (j, i, k): two edges a < b of the same centre i, both shorter
// than the triplet cutoff (and |r_ik - r_ij| shorter too when the function has a cutoff on r_jk,
// as Behler's G4; skipping those terms is exact since fc(r_jk) = 0 there).
import type { AtomicSystem } from '../../calculators/calculator';
import { cellVolumeA3 } from '../../atoms/frame';
import { neighborPairs } from '../../partition/neighborList';

export interface GraphSpec {
  /** Edge cutoff in Å (the model's interaction range). */
  cutoffA: number;
  /** Triplets of edges sharing a centre, for angular terms. */
  triplets?: { cutoffA: number; requireJk: boolean };
}

export interface FrameGraph {
  nAtoms: number;
  /** [P] centre atom of each edge (sorted ascending). */
  edgeI: Int32Array;
  /** [P] neighbour atom. */
  edgeJ: Int32Array;
  /** [3P] r_ij in Å, float64. */
  edgeVectorsA: Float64Array;
  /** [T] first edge of each triplet (index into the edges). */
  tripletA: Int32Array;
  /** [T] second edge (same centre, tripletA < tripletB). */
  tripletB: Int32Array;
  /** Cell volume in Å³ when the frame is periodic along all three axes, else 0. */
  volumeA3: number;
}

export function graphSpecKey(spec: GraphSpec): string {
  const t = spec.triplets;
  return `${spec.cutoffA}|${t ? `${t.cutoffA}|${t.requireJk}` : '-'}`;
}

/** Neighbour edges (and triplets) of one structure. */
export function buildFrameGraph(system: Pick<AtomicSystem, 'positionsA' | 'cellA' | 'pbc'>, spec: GraphSpec): FrameGraph {
  const n = system.positionsA.length / 3;
  const periodic = !!system.cellA && (system.pbc[0] || system.pbc[1] || system.pbc[2]);
  const pairs = neighborPairs(system.positionsA, periodic ? system.cellA : null, system.pbc, spec.cutoffA, { half: false, vectors: true, distances: true });
  const P = pairs.count;
  const edgeI = Int32Array.from(pairs.i.subarray(0, P));
  const edgeJ = Int32Array.from(pairs.j.subarray(0, P));
  const edgeVectorsA = Float64Array.from(pairs.vectorsA!.subarray(0, 3 * P));
  let tripletA = new Int32Array(0), tripletB = new Int32Array(0);
  if (spec.triplets) ({ tripletA, tripletB } = buildTriplets(edgeI, edgeVectorsA, pairs.distancesA!, n, spec.triplets));
  const full3d = !!system.cellA && system.pbc[0] && system.pbc[1] && system.pbc[2];
  return { nAtoms: n, edgeI, edgeJ, edgeVectorsA, tripletA, tripletB, volumeA3: full3d ? cellVolumeA3(system.cellA) : 0 };
}

function buildTriplets(edgeI: Int32Array, v: Float64Array, d: Float64Array, n: number, spec: { cutoffA: number; requireJk: boolean }) {
  const rc = spec.cutoffA, rc2 = rc * rc;
  const P = edgeI.length;
  // Edges are grouped by centre (neighborPairs sorts by i); collect the short ones per centre.
  const a: number[] = [], b: number[] = [];
  const short: number[] = [];
  let p = 0;
  for (let i = 0; i < n; i++) {
    short.length = 0;
    while (p < P && edgeI[p] === i) {
      if (d[p] < rc) short.push(p);
      p++;
    }
    for (let u = 0; u < short.length; u++) {
      const pu = short[u], qu = 3 * pu;
      for (let w = u + 1; w < short.length; w++) {
        const pw = short[w], qw = 3 * pw;
        if (spec.requireJk) {
          const dx = v[qw] - v[qu], dy = v[qw + 1] - v[qu + 1], dz = v[qw + 2] - v[qu + 2];
          if (dx * dx + dy * dy + dz * dz >= rc2) continue;
        }
        a.push(pu);
        b.push(pw);
      }
    }
  }
  if (p !== P) throw new Error('buildFrameGraph: edges are not sorted by centre');
  return { tripletA: Int32Array.from(a), tripletB: Int32Array.from(b) };
}

/** Graphs of many frames for one spec, built on first use and kept (one cache per dataset). */
export interface GraphCache {
  get(index: number): FrameGraph;
  readonly spec: GraphSpec;
  /** Number of graphs built so far. */
  readonly built: number;
}

export function createGraphCache(frames: readonly Pick<AtomicSystem, 'positionsA' | 'cellA' | 'pbc'>[], spec: GraphSpec): GraphCache {
  const graphs = new Array<FrameGraph | undefined>(frames.length);
  let built = 0;
  return {
    spec,
    get built() {
      return built;
    },
    get(index) {
      let g = graphs[index];
      if (!g) {
        g = graphs[index] = buildFrameGraph(frames[index], spec);
        built++;
      }
      return g;
    },
  };
}
