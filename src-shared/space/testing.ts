// Random cells and rotations for property-style tests (seeded; see rng.ts).
// A "skewed" cell is a well-shaped cell multiplied by an integer unimodular matrix: the same
// lattice (same crystal, same distances) described by long, nearly coplanar vectors. Codes that
// assume minimum image or count images from edge lengths instead of heights fail on such cells.
import { cellFromParameters } from './cell';
import type { Rng } from './rng';

/** Uniformly random rotation matrix [9] (row-major), from a random unit quaternion (Shoemake 1992). */
export function randomRotation(rng: Rng): Float64Array {
  const u1 = rng.next(), u2 = rng.next() * 2 * Math.PI, u3 = rng.next() * 2 * Math.PI;
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  const w = a * Math.sin(u2), x = a * Math.cos(u2), y = b * Math.sin(u3), z = b * Math.cos(u3);
  return new Float64Array([
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ]);
}

/** out = a · b for row-major [9] matrices. */
export function matMul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  }
  return out;
}

/**
 * Random triclinic cell [9] (rows a, b, c in Å), randomly oriented: lengths in [minA, maxA],
 * angles in [60°, 120°]. With `skew`, the rows are then mixed by skewCell (same lattice,
 * strongly skewed vectors).
 */
export function randomCell(rng: Rng, opts: { minA?: number; maxA?: number; skew?: number } = {}): Float64Array {
  const minA = opts.minA ?? 3, maxA = opts.maxA ?? 8;
  let cell: Float64Array | null = null;
  while (!cell) {
    const l: [number, number, number] = [rng.uniform(minA, maxA), rng.uniform(minA, maxA), rng.uniform(minA, maxA)];
    const ang: [number, number, number] = [rng.uniform(60, 120), rng.uniform(60, 120), rng.uniform(60, 120)];
    try {
      const c = cellFromParameters(l, ang);
      if (c[8] > 0.3 * l[2]) cell = c; // not too flat
    } catch {
      // angles do not close; draw again
    }
  }
  cell = matMul3(cell, randomRotation(rng)); // rows rotated: r -> r · R
  return opts.skew ? skewCell(rng, cell, { skew: opts.skew }) : cell;
}

/**
 * The same periodic lattice described by skewed vectors: `steps` random elementary row operations
 * row_r += k·row_c (|k| <= skew, det 1). A periodic row only receives periodic rows, so the
 * lattice of periodic translations is unchanged; non-periodic rows may receive anything.
 */
export function skewCell(
  rng: Rng,
  cellA: ArrayLike<number>,
  opts: { skew?: number; steps?: number; pbc?: readonly [boolean, boolean, boolean] } = {},
): Float64Array {
  const skew = opts.skew ?? 2, steps = opts.steps ?? 4, pbc = opts.pbc ?? [true, true, true];
  const out = Float64Array.from(cellA);
  for (let t = 0; t < steps; t++) {
    const r = rng.int(3);
    const c = (r + 1 + rng.int(2)) % 3;
    if (pbc[r] && !pbc[c]) continue;
    const k = (rng.int(skew) + 1) * (rng.next() < 0.5 ? -1 : 1);
    for (let q = 0; q < 3; q++) out[3 * r + q] += k * out[3 * c + q];
  }
  return out;
}

/** Positions [3N] Å at random fractional coordinates in [lo, hi)^3 of `cellA`. */
export function randomPositionsInCell(rng: Rng, n: number, cellA: ArrayLike<number>, lo = 0, hi = 1): Float64Array {
  const out = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    const s0 = rng.uniform(lo, hi), s1 = rng.uniform(lo, hi), s2 = rng.uniform(lo, hi);
    for (let c = 0; c < 3; c++) out[3 * a + c] = s0 * cellA[c] + s1 * cellA[3 + c] + s2 * cellA[6 + c];
  }
  return out;
}
