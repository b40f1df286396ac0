// Radial distribution function g(r), total and per element pair, averaged over trajectory frames
// (Allen & Tildesley, "Computer Simulation of Liquids", 2nd ed., §8.2; ASE ase/geometry/rdf.py).
//
// Pairs come from the neighbour list (partition/neighborList.ts, each unordered pair once). For the
// species pair (a, b) in one frame of volume V,
//   g_ab(r) = n_ab(r, r+dr) / ⟨n_ab⟩_ideal,   ⟨n_ab⟩_ideal = N_a N'_b / (1 + δ_ab) · 4π/3 (r₂³ − r₁³) / V,
// N'_b = N_b − δ_ab: the expected number of unordered pairs in the shell for uncorrelated
// (ideal-gas) positions, so g → 1 at large r in a liquid and ⟨g⟩ = 1 exactly for random positions.
// The running coordination number of b around a,
//   n_ab(R) = ∫₀^R 4π r² ρ'_b g_ab(r) dr,  ρ'_b = N'_b / V,
// is the mean number of b atoms within R of an a atom (12 at the first minimum of fcc).
// rMaxA must not exceed half the smallest cell height (as in ASE's get_rdf): beyond it an atom
// would meet its own periodic images and the shells would no longer be spheres in one box.
import { symbolOf } from '../atoms/elements';
import { neighborPairs } from '../partition/neighborList';
import { cellHeightsA, determinant3, type Pbc } from '../space/cell';

/** One trajectory frame: positions [3N] Å and cell [9] Å (rows). */
export interface TrajectoryFrame {
  positionsA: Float64Array;
  cellA: Float64Array | null;
  pbc?: Pbc;
}

export interface RdfOptions {
  /** Largest distance, Å (<= half the smallest cell height). */
  rMaxA: number;
  /** Number of bins, default 200. */
  nBins?: number;
  /** [N] atomic numbers: enables per-element-pair partials (all pairs of elements present). */
  numbers?: ArrayLike<number>;
}

export interface RdfPartial {
  /** Atomic numbers (zA <= zB). */
  zA: number;
  zB: number;
  /** "Ar-Ar", "O-H", ... */
  label: string;
  /** [nBins] g_ab(r). */
  g: Float64Array;
  /** [nBins] running coordination of B around A at the bins' upper edges. */
  coordinationAB: Float64Array;
  /** [nBins] running coordination of A around B at the bins' upper edges. */
  coordinationBA: Float64Array;
}

export interface RdfResult {
  /** [nBins] bin centres, Å. */
  rA: Float64Array;
  /** [nBins + 1] bin edges, Å. */
  edgesA: Float64Array;
  /** [nBins] total g(r) (all atoms as one species). */
  g: Float64Array;
  /** [nBins] running total coordination at the bins' upper edges. */
  coordination: Float64Array;
  partials: RdfPartial[];
  /** Mean number density N/V over frames, 1/Å³. */
  densityPerA3: number;
  frames: number;
}

/** g(r) averaged over `frames` (each periodic along all three axes). */
export function radialDistribution(frames: readonly TrajectoryFrame[], options: RdfOptions): RdfResult {
  if (frames.length === 0) throw new Error('radialDistribution: no frames');
  const rMax = options.rMaxA;
  const nBins = options.nBins ?? 200;
  if (!(rMax > 0) || !(nBins >= 1)) throw new Error('radialDistribution: need rMaxA > 0 and nBins >= 1');
  const n = frames[0].positionsA.length / 3;
  // species
  const zs = options.numbers ? [...new Set(Array.from(options.numbers))].sort((a, b) => a - b) : [];
  if (options.numbers && options.numbers.length !== n) throw new Error('radialDistribution: numbers must have length N');
  const species = new Int32Array(n);
  const counts = zs.map(() => 0);
  if (options.numbers) {
    for (let i = 0; i < n; i++) {
      species[i] = zs.indexOf(options.numbers[i]);
      counts[species[i]]++;
    }
  }
  const nT = zs.length;
  const dr = rMax / nBins;
  const edges = Float64Array.from({ length: nBins + 1 }, (_, k) => k * dr);
  const shell = Float64Array.from({ length: nBins }, (_, k) => ((4 * Math.PI) / 3) * (edges[k + 1] ** 3 - edges[k] ** 3));
  const g = new Float64Array(nBins);
  const totalCount = new Float64Array(nBins);
  const gPart = Array.from({ length: nT * nT }, () => new Float64Array(nBins));
  const partCount = Array.from({ length: nT * nT }, () => new Float64Array(nBins));
  const hist = new Float64Array(nBins);
  const histPart = Array.from({ length: nT * nT }, () => new Float64Array(nBins));
  const heights = new Float64Array(3);
  let density = 0;

  for (const fr of frames) {
    const pbc: Pbc = fr.pbc ?? [true, true, true];
    if (!fr.cellA || !(pbc[0] && pbc[1] && pbc[2])) throw new Error('radialDistribution: every frame needs a cell periodic along all three axes');
    if (fr.positionsA.length !== 3 * n) throw new Error('radialDistribution: frames differ in atom count');
    cellHeightsA(heights, fr.cellA);
    const hMin = Math.min(heights[0], heights[1], heights[2]);
    if (rMax > hMin / 2 + 1e-12) {
      throw new Error(`radialDistribution: rMaxA = ${rMax} Å exceeds half the smallest cell height (${(hMin / 2).toFixed(4)} Å); use a larger supercell`);
    }
    const vol = Math.abs(determinant3(fr.cellA));
    density += n / vol;
    const pairs = neighborPairs(fr.positionsA, fr.cellA, pbc, rMax, { half: true, vectors: false });
    hist.fill(0);
    for (const h of histPart) h.fill(0);
    const D = pairs.distancesA!;
    for (let p = 0; p < pairs.count; p++) {
      const k = Math.floor(D[p] / dr);
      if (k >= nBins) continue;
      hist[k]++;
      if (nT > 0) {
        const a = species[pairs.i[p]], b = species[pairs.j[p]];
        histPart[a <= b ? a * nT + b : b * nT + a][k]++;
      }
    }
    const ideal = (n * (n - 1)) / 2 / vol;
    for (let k = 0; k < nBins; k++) {
      g[k] += hist[k] / (ideal * shell[k]);
      totalCount[k] += hist[k];
    }
    for (let a = 0; a < nT; a++) {
      for (let b = a; b < nT; b++) {
        const pairsIdeal = (a === b ? (counts[a] * (counts[a] - 1)) / 2 : counts[a] * counts[b]) / vol;
        const h = histPart[a * nT + b];
        for (let k = 0; k < nBins; k++) {
          if (pairsIdeal > 0) gPart[a * nT + b][k] += h[k] / (pairsIdeal * shell[k]);
          partCount[a * nT + b][k] += h[k];
        }
      }
    }
  }

  const nf = frames.length;
  const running = (c: Float64Array, perAtoms: number, both: boolean): Float64Array => {
    const out = new Float64Array(nBins);
    let acc = 0;
    for (let k = 0; k < nBins; k++) {
      acc += c[k];
      out[k] = perAtoms > 0 ? ((both ? 2 : 1) * acc) / (nf * perAtoms) : 0;
    }
    return out;
  };
  for (let k = 0; k < nBins; k++) g[k] /= nf;
  const partials: RdfPartial[] = [];
  for (let a = 0; a < nT; a++) {
    for (let b = a; b < nT; b++) {
      const gp = gPart[a * nT + b];
      for (let k = 0; k < nBins; k++) gp[k] /= nf;
      const c = partCount[a * nT + b];
      partials.push({
        zA: zs[a],
        zB: zs[b],
        label: `${symbolOf(zs[a])}-${symbolOf(zs[b])}`,
        g: gp,
        coordinationAB: running(c, counts[a], a === b),
        coordinationBA: running(c, counts[b], a === b),
      });
    }
  }
  return {
    rA: Float64Array.from({ length: nBins }, (_, k) => (k + 0.5) * dr),
    edgesA: edges,
    g,
    coordination: running(totalCount, n, true),
    partials,
    densityPerA3: density / nf,
    frames: nf,
  };
}

/**
 * The first minimum of g after its first peak (index of the bin), or -1: the usual radius for a
 * first-shell coordination number. `smooth` bins of moving average suppress noise (default 0).
 */
export function firstMinimumIndex(g: ArrayLike<number>, smooth = 0): number {
  const m = g.length;
  const s = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let acc = 0, c = 0;
    for (let q = Math.max(0, k - smooth); q <= Math.min(m - 1, k + smooth); q++) {
      acc += g[q];
      c++;
    }
    s[k] = acc / c;
  }
  let peak = 0;
  for (let k = 1; k < m; k++) if (s[k] > s[peak]) peak = k;
  // the first peak: the first local maximum above 1 (or the global one)
  for (let k = 1; k < m - 1; k++) {
    if (s[k] > 1 && s[k] >= s[k - 1] && s[k] >= s[k + 1]) {
      peak = k;
      break;
    }
  }
  for (let k = peak + 1; k < m - 1; k++) if (s[k] <= s[k - 1] && s[k] < s[k + 1]) return k;
  return -1;
}
