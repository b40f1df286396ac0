// Deduplication: frames that hold the same structure within a tolerance, whatever the order of the
// atoms and the periodic image each atom was written in. Two frames are duplicates when they have
// the same composition and periodicity, cells that agree entry by entry within cellTolA, and a
// one-to-one matching of same-element atoms whose (minimum-image) distances are all within
// positionTolA. Rigid translations and rotations are NOT factored out: a shifted copy is a
// different frame of a trajectory, not a duplicate.
// Screening keeps this fast: within a composition group frames are sorted by a continuous,
// permutation- and image-invariant scalar s = sum_{pairs r<rc} (1 - r/rc)^2. Moving every atom by
// at most tol changes each distance by at most 2 tol and s by at most 4 tol P / rc (P = pairs), so
// only frames whose s differ by less than that bound are compared atom by atom. Duplicates form
// clusters (union-find); the first frame of each cluster is kept. Labels are not compared: the
// first frame's labels survive (say so when two copies disagree, see `labelConflicts`).
import type { Frame } from '../atoms/frame';
import { neighborPairs } from '../partition/neighborList';

export interface DedupeOptions {
  /** Largest per-atom distance for "the same position", Å (default 1e-3). */
  positionTolA?: number;
  /** Largest difference of any cell entry, Å (default 1e-3). */
  cellTolA?: number;
  /** Cutoff of the screening sum, Å (default 4). */
  screenCutoffA?: number;
}

export interface DedupeResult {
  /** Indices kept (the first of each cluster), in order. */
  kept: number[];
  /** [frames] index of the kept frame each frame duplicates, or -1 for kept frames. */
  duplicateOf: Int32Array;
  /** Duplicates whose energy differs from the kept frame's by more than 1e-6 eV/atom. */
  labelConflicts: number;
}

function inverse3(m: Float64Array): Float64Array | null {
  const [a, b, c, d, e, f, g, h, i] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-12) return null;
  return Float64Array.from([(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det, (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det, (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]);
}

/** Squared distance from a to b, minimum image along periodic axes (cell rows, inv = cell^-1). */
function dist2(a: Float64Array, ia: number, b: Float64Array, ib: number, cell: Float64Array | null, inv: Float64Array | null, pbc: boolean[]): number {
  let dx = b[ib] - a[ia], dy = b[ib + 1] - a[ia + 1], dz = b[ib + 2] - a[ia + 2];
  if (cell && inv) {
    // fractional d = d_cart · inv (row-vector convention: r = s · cell)
    const s = [dx * inv[0] + dy * inv[3] + dz * inv[6], dx * inv[1] + dy * inv[4] + dz * inv[7], dx * inv[2] + dy * inv[5] + dz * inv[8]];
    for (let k = 0; k < 3; k++) if (pbc[k]) s[k] -= Math.round(s[k]);
    dx = s[0] * cell[0] + s[1] * cell[3] + s[2] * cell[6];
    dy = s[0] * cell[1] + s[1] * cell[4] + s[2] * cell[7];
    dz = s[0] * cell[2] + s[1] * cell[5] + s[2] * cell[8];
  }
  return dx * dx + dy * dy + dz * dz;
}

/** True when b is a permutation of a within the tolerances (same composition assumed). */
export function sameStructure(a: Frame, b: Frame, positionTolA = 1e-3, cellTolA = 1e-3): boolean {
  const n = a.symbols.length;
  if (b.symbols.length !== n) return false;
  if (a.pbc.some((p, k) => p !== b.pbc[k])) return false;
  if (!!a.cellA !== !!b.cellA) return false;
  if (a.cellA && b.cellA) for (let k = 0; k < 9; k++) if (Math.abs(a.cellA[k] - b.cellA[k]) > cellTolA) return false;
  const periodic = !!a.cellA && a.pbc.some(Boolean);
  const inv = periodic ? inverse3(a.cellA!) : null;
  const tol2 = positionTolA * positionTolA;
  // Atoms of b by element, unmatched ones first.
  const pool = new Map<string, number[]>();
  b.symbols.forEach((s, j) => {
    let l = pool.get(s);
    if (!l) pool.set(s, (l = []));
    l.push(j);
  });
  for (let i = 0; i < n; i++) {
    const list = pool.get(a.symbols[i]);
    if (!list || list.length === 0) return false;
    // The same index first (most duplicates keep the atom order), then the rest.
    let hit = -1;
    const same = list.indexOf(i);
    if (same >= 0 && dist2(a.positionsA, 3 * i, b.positionsA, 3 * i, a.cellA, inv, a.pbc) <= tol2) hit = same;
    else {
      for (let q = 0; q < list.length; q++) {
        if (dist2(a.positionsA, 3 * i, b.positionsA, 3 * list[q], a.cellA, inv, a.pbc) <= tol2) {
          hit = q;
          break;
        }
      }
    }
    if (hit < 0) return false;
    list[hit] = list[list.length - 1];
    list.pop();
  }
  return true;
}

function screenSum(f: Frame, rc: number): { s: number; pairs: number } {
  const periodic = !!f.cellA && f.pbc.some(Boolean);
  const p = neighborPairs(f.positionsA, periodic ? f.cellA : null, periodic ? f.pbc : [false, false, false], rc, { half: true, vectors: false });
  let s = 0;
  for (let k = 0; k < p.count; k++) {
    const r = p.distancesA![k];
    if (r < rc) s += (1 - r / rc) ** 2;
  }
  return { s, pairs: p.count };
}

export function findDuplicates(frames: readonly Frame[], options: DedupeOptions = {}): DedupeResult {
  const tol = options.positionTolA ?? 1e-3;
  const cellTol = options.cellTolA ?? 1e-3;
  const rc = options.screenCutoffA ?? 4;
  const m = frames.length;
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const groups = new Map<string, number[]>();
  frames.forEach((f, i) => {
    const counts = new Map<string, number>();
    for (const s of f.symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
    const key = [...counts.entries()].sort().map(([s, c]) => `${s}${c}`).join('') + `|${f.pbc.map(Number).join('')}|${f.cellA ? 'c' : '-'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  });
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    const sc = idx.map((i) => ({ i, ...screenSum(frames[i], rc) }));
    sc.sort((a, b) => a.s - b.s);
    const maxPairs = Math.max(...sc.map((x) => x.pairs));
    const window = (4 * tol * maxPairs) / rc + 1e-12;
    for (let a = 0; a < sc.length; a++) {
      for (let b = a + 1; b < sc.length && sc[b].s - sc[a].s <= window; b++) {
        const i = sc[a].i, j = sc[b].i;
        if (find(i) === find(j)) continue;
        if (sameStructure(frames[i], frames[j], tol, cellTol)) {
          const ri = find(i), rj = find(j);
          if (ri < rj) parent[rj] = ri;
          else parent[ri] = rj;
        }
      }
    }
  }
  const duplicateOf = new Int32Array(m).fill(-1);
  const kept: number[] = [];
  let labelConflicts = 0;
  for (let i = 0; i < m; i++) {
    const r = find(i);
    if (r === i) kept.push(i);
    else {
      duplicateOf[i] = r;
      const ea = frames[r].energyEv, eb = frames[i].energyEv;
      if (ea !== undefined && eb !== undefined && Math.abs(ea - eb) > 1e-6 * frames[i].symbols.length) labelConflicts++;
    }
  }
  return { kept, duplicateOf, labelConflicts };
}
