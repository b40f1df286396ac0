// Spaces: how two positions are compared and how a position is moved.
// Follows JAX-MD jax_md/space.py (`free`, `periodic`, `periodic_general`): a space is a small
// object built once from the cell, whose `displacement` and `shift` the physics code calls without
// knowing whether the box is periodic. Differences from JAX-MD, on purpose:
//  - displacement(out, ri, rj) writes r_j - r_i (the vector FROM i TO j, the same convention as the
//    neighbour list's r_ij = x_j + n·cell - x_i); JAX-MD's displacement(Ra, Rb) returns Ra - Rb.
//  - positions stay Cartesian (Å); JAX-MD's periodic_general works in fractional coordinates.
//  - shift does not wrap by default: unwrapped trajectories keep diffusion and drift analysis
//    simple, and wrapping mid-step is a known source of MD artefacts. Pass {wrapped: true} to wrap.
//
// Minimum image. The periodic vectors are first lattice-reduced (cell.ts reduceCell: same lattice,
// short and nearly orthogonal vectors). Rounding the fractional displacement in that basis
// (s_k -= round(s_k) on periodic axes) then gives
//  - the exact shortest image for an orthorhombic cell, always (axes are independent);
//  - the exact shortest image for any triclinic cell whenever that image is shorter than h_min/2
//    (h = perpendicular heights of the reduced cell; `minimumImageRadiusA`): a vector of length L
//    has |s_k| <= L / h_k, so one shorter than h_min/2 has every |s_k| < 1/2 and is the unique
//    rounding result. Longer separations can round to a longer image (rounding in the skewed
//    basis as given, as JAX-MD's periodic_general does, fails much earlier in skewed cells).
//  With `exact` (the default) a rounded vector of length >= h_min/2 triggers a search over the
//  images n with |n_k| <= |d|/h_k + 1/2 around it, which contain the shortest one
//  (|s*_k| <= |d*|/h_k <= |d|/h_k); thanks to the reduction this is at most a few images. So
//  `displacement` is exact in every cell and costs one extra comparison when no search is needed.
//  Interactions with a cutoff above minimumImageRadiusA need a neighbour list with images
//  (partition/neighborList.ts): one pair can then interact through several images.
import { cellHeightsA, completeCell, invert3, isOrthorhombic, reduceCell, type Pbc } from './cell';

export interface Space {
  readonly periodic: boolean;
  /**
   * Half the smallest height of the reduced periodic cell, Å (Infinity in free space): every
   * pair closer than this has exactly one image within it, so a pair potential with a cutoff
   * below it may use minimum-image displacements; above it, use a neighbour list with images.
   */
  readonly minimumImageRadiusA: number;
  /** [9] cell rows a, b, c in Å (null for free space). */
  readonly cellA: Float64Array | null;
  readonly pbc: Pbc;
  /**
   * out[o..o+2] = minimum-image r_j - r_i (Å) for 3-vectors ri, rj; returns its length (Å).
   */
  displacement(out: Float64Array, ri: ArrayLike<number>, rj: ArrayLike<number>, outOffset?: number): number;
  /** Same for atoms i and j of a flat positions array [3N] Å. */
  displacementAt(out: Float64Array, positionsA: ArrayLike<number>, i: number, j: number, outOffset?: number): number;
  /**
   * Reduce a raw displacement d (3 values at dOffset) to its minimum image, written to out at
   * outOffset (may alias d); returns its length (Å).
   */
  minimumImage(out: Float64Array, dA: ArrayLike<number>, outOffset?: number, dOffset?: number): number;
  /** outPositionsA = positionsA + deltaA ([3N] Å), wrapped into the cell when the space is `wrapped`. */
  shift(outPositionsA: Float64Array, positionsA: ArrayLike<number>, deltaA: ArrayLike<number>): Float64Array;
  /** Wrap positions [3N] into the cell along periodic axes (identity copy for free space). */
  wrap(outPositionsA: Float64Array, positionsA: ArrayLike<number>): Float64Array;
}

const NO_PBC: Pbc = [false, false, false];

/** Free (non-periodic) space: plain differences. */
export function freeSpace(): Space {
  const minimumImage = (out: Float64Array, d: ArrayLike<number>, o = 0, q = 0): number => {
    const x = d[q], y = d[q + 1], z = d[q + 2];
    out[o] = x;
    out[o + 1] = y;
    out[o + 2] = z;
    return Math.sqrt(x * x + y * y + z * z);
  };
  const copy = (out: Float64Array, r: ArrayLike<number>): Float64Array => {
    if (out !== r) for (let q = 0; q < r.length; q++) out[q] = r[q];
    return out;
  };
  return {
    periodic: false,
    minimumImageRadiusA: Infinity,
    cellA: null,
    pbc: NO_PBC,
    displacement(out, ri, rj, o = 0) {
      const x = rj[0] - ri[0], y = rj[1] - ri[1], z = rj[2] - ri[2];
      out[o] = x;
      out[o + 1] = y;
      out[o + 2] = z;
      return Math.sqrt(x * x + y * y + z * z);
    },
    displacementAt(out, r, i, j, o = 0) {
      const x = r[3 * j] - r[3 * i], y = r[3 * j + 1] - r[3 * i + 1], z = r[3 * j + 2] - r[3 * i + 2];
      out[o] = x;
      out[o + 1] = y;
      out[o + 2] = z;
      return Math.sqrt(x * x + y * y + z * z);
    },
    minimumImage,
    shift(out, r, dr) {
      for (let q = 0; q < r.length; q++) out[q] = r[q] + dr[q];
      return out;
    },
    wrap: copy,
  };
}

export interface PeriodicSpaceOptions {
  /** shift() wraps positions into the cell (default false). */
  wrapped?: boolean;
  /** displacement() returns the true shortest image also in skewed cells (default true). */
  exact?: boolean;
}

/**
 * Periodic space for a cell [9] (rows a, b, c, Å) and per-axis periodicity. Zero cell rows along
 * non-periodic axes are allowed (completed internally); a periodic axis needs a real vector.
 * The cell is copied: build a new space when the cell changes (cheap).
 */
export function periodicSpace(
  cellA: ArrayLike<number>,
  pbc: Pbc = [true, true, true],
  options: PeriodicSpaceOptions = {},
): Space {
  const wrapped = options.wrapped ?? false;
  const exact = options.exact ?? true;
  const cell = Float64Array.from(cellA as ArrayLike<number>);
  for (let k = 0; k < 3; k++) {
    if (pbc[k] && cell[3 * k] === 0 && cell[3 * k + 1] === 0 && cell[3 * k + 2] === 0) {
      throw new Error(`periodicSpace: axis ${k} is periodic but its cell vector is zero`);
    }
  }
  // displacement works in the reduced frame (same lattice, short vectors); wrap in the cell as given
  const red = reduceCell(cell, pbc).cellA;
  const inv = invert3(new Float64Array(9), red);
  const h = cellHeightsA(new Float64Array(3), red);
  const wrapInv = invert3(new Float64Array(9), completeCell(new Float64Array(9), cell));
  const p0 = pbc[0], p1 = pbc[1], p2 = pbc[2];
  const ortho = isOrthorhombic(red);
  let hMin = Infinity;
  for (let k = 0; k < 3; k++) if (pbc[k]) hMin = Math.min(hMin, h[k]);
  const halfH2 = (hMin / 2) * (hMin / 2);
  const [a0, a1, a2, b0, b1, b2, c0, c1, c2] = red;
  const [i0, i1, i2, i3, i4, i5, i6, i7, i8] = inv;
  const lx = red[0], ly = red[4], lz = red[8];
  const ph0 = p0 ? h[0] : Infinity, ph1 = p1 ? h[1] : Infinity, ph2 = p2 ? h[2] : Infinity;

  /** Minimum image of (x, y, z), written to out[o..o+2]; returns the length. */
  function reduce(out: Float64Array, o: number, x: number, y: number, z: number): number {
    if (ortho) {
      if (p0) x -= lx * Math.round(x / lx);
      if (p1) y -= ly * Math.round(y / ly);
      if (p2) z -= lz * Math.round(z / lz);
      out[o] = x;
      out[o + 1] = y;
      out[o + 2] = z;
      return Math.sqrt(x * x + y * y + z * z);
    }
    let s0 = x * i0 + y * i3 + z * i6;
    let s1 = x * i1 + y * i4 + z * i7;
    let s2 = x * i2 + y * i5 + z * i8;
    if (p0) s0 -= Math.round(s0);
    if (p1) s1 -= Math.round(s1);
    if (p2) s2 -= Math.round(s2);
    x = s0 * a0 + s1 * b0 + s2 * c0;
    y = s0 * a1 + s1 * b1 + s2 * c1;
    z = s0 * a2 + s1 * b2 + s2 * c2;
    let r2 = x * x + y * y + z * z;
    if (exact && r2 >= halfH2) {
      // Search images around the rounded vector; bounds from |s*_k| <= |d|/h_k.
      const r = Math.sqrt(r2);
      const m0 = Math.floor(r / ph0 + 0.5), m1 = Math.floor(r / ph1 + 0.5), m2 = Math.floor(r / ph2 + 0.5);
      let bx = x, by = y, bz = z;
      for (let n0 = -m0; n0 <= m0; n0++) {
        for (let n1 = -m1; n1 <= m1; n1++) {
          for (let n2 = -m2; n2 <= m2; n2++) {
            const tx = x + n0 * a0 + n1 * b0 + n2 * c0;
            const ty = y + n0 * a1 + n1 * b1 + n2 * c1;
            const tz = z + n0 * a2 + n1 * b2 + n2 * c2;
            const t2 = tx * tx + ty * ty + tz * tz;
            if (t2 < r2) {
              r2 = t2;
              bx = tx;
              by = ty;
              bz = tz;
            }
          }
        }
      }
      x = bx;
      y = by;
      z = bz;
    }
    out[o] = x;
    out[o + 1] = y;
    out[o + 2] = z;
    return Math.sqrt(r2);
  }

  const [w0, w1, w2, w3, w4, w5, w6, w7, w8] = wrapInv;
  const [A0, A1, A2, B0, B1, B2, C0, C1, C2] = cell;
  function wrap(out: Float64Array, r: ArrayLike<number>): Float64Array {
    const n3 = r.length;
    for (let q = 0; q < n3; q += 3) {
      const x = r[q], y = r[q + 1], z = r[q + 2];
      let n0 = 0, n1 = 0, n2 = 0;
      if (p0) n0 = Math.floor(x * w0 + y * w3 + z * w6);
      if (p1) n1 = Math.floor(x * w1 + y * w4 + z * w7);
      if (p2) n2 = Math.floor(x * w2 + y * w5 + z * w8);
      out[q] = x - (n0 * A0 + n1 * B0 + n2 * C0);
      out[q + 1] = y - (n0 * A1 + n1 * B1 + n2 * C1);
      out[q + 2] = z - (n0 * A2 + n1 * B2 + n2 * C2);
    }
    return out;
  }

  return {
    periodic: p0 || p1 || p2,
    minimumImageRadiusA: hMin / 2,
    cellA: cell,
    pbc: [p0, p1, p2],
    displacement: (out, ri, rj, o = 0) => reduce(out, o, rj[0] - ri[0], rj[1] - ri[1], rj[2] - ri[2]),
    displacementAt: (out, r, i, j, o = 0) =>
      reduce(out, o, r[3 * j] - r[3 * i], r[3 * j + 1] - r[3 * i + 1], r[3 * j + 2] - r[3 * i + 2]),
    minimumImage: (out, d, o = 0, q = 0) => reduce(out, o, d[q], d[q + 1], d[q + 2]),
    shift(out, r, dr) {
      for (let q = 0; q < r.length; q++) out[q] = r[q] + dr[q];
      return wrapped ? wrap(out, out) : out;
    },
    wrap,
  };
}

/**
 * The space of a structure: free when there is no cell or no periodic axis (a cell given with
 * pbc all false only frames the molecule), periodic otherwise. A periodic axis without a cell is
 * treated as free: there is no period to repeat with.
 */
export function makeSpace(cellA: ArrayLike<number> | null, pbc: Pbc, options: PeriodicSpaceOptions = {}): Space {
  if (!cellA || !(pbc[0] || pbc[1] || pbc[2])) return freeSpace();
  return periodicSpace(cellA, pbc, options);
}
