// Cell geometry on flat 3x3 matrices.
// A cell is a Float64Array [9], row-major, whose ROWS are the lattice vectors a, b, c in Å
// (ASE's Atoms.cell convention). A Cartesian point r and its fractional (scaled) coordinates s are
// related by r = s · cell (row vector times matrix), s = r · cell⁻¹. Periodicity is per axis
// (pbc [3]); along a non-periodic axis the cell vector only defines a coordinate frame.
// Follows ASE ase/geometry/cell.py (cellpar_to_cell, cell_to_cellpar, complete_cell) and
// ase/geometry/geometry.py (wrap_positions). The Space objects built on these helpers are in
// ./space.ts (JAX-MD space.py).
//
// Heights: h_k = V / |b_l × b_m| is the distance between the two faces of the cell spanned by the
// other two vectors. A sphere of radius r fits in the cell iff r <= min(h)/2, and a point within r
// of another differs from it by at most r / h_k in fractional coordinate k. This is what sets the
// number of periodic images a neighbour search must visit (see partition/neighborList.ts).
export { cellVolumeA3 } from '../atoms/frame';

export type Pbc = readonly [boolean, boolean, boolean];

/** det(m) for a row-major [9] matrix. For a cell, the signed volume in Å³. */
export function determinant3(m: ArrayLike<number>): number {
  return (
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
  );
}

/**
 * out = m⁻¹ (row-major [9]); `out` may alias `m`. Throws on a singular matrix
 * (|det| below 1e-12 times the product of the row norms).
 */
export function invert3(out: Float64Array, m: ArrayLike<number>): Float64Array {
  const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
  const c0 = m4 * m8 - m5 * m7;
  const c1 = m5 * m6 - m3 * m8;
  const c2 = m3 * m7 - m4 * m6;
  const det = m0 * c0 + m1 * c1 + m2 * c2;
  const scale = Math.hypot(m0, m1, m2) * Math.hypot(m3, m4, m5) * Math.hypot(m6, m7, m8);
  if (!(Math.abs(det) > 1e-12 * scale)) throw new Error('invert3: singular matrix (cell vectors are linearly dependent)');
  const inv = 1 / det;
  out[0] = c0 * inv;
  out[1] = (m2 * m7 - m1 * m8) * inv;
  out[2] = (m1 * m5 - m2 * m4) * inv;
  out[3] = c1 * inv;
  out[4] = (m0 * m8 - m2 * m6) * inv;
  out[5] = (m2 * m3 - m0 * m5) * inv;
  out[6] = c2 * inv;
  out[7] = (m1 * m6 - m0 * m7) * inv;
  out[8] = (m0 * m4 - m1 * m3) * inv;
  return out;
}

/**
 * Perpendicular heights [3] in Å: out[k] = |det| / |b_l × b_m|, the distance between the pair of
 * faces not containing lattice vector k. For an orthorhombic cell these are the edge lengths.
 */
export function cellHeightsA(out: Float64Array, cellA: ArrayLike<number>): Float64Array {
  const vol = Math.abs(determinant3(cellA));
  for (let k = 0; k < 3; k++) {
    const l = ((k + 1) % 3) * 3;
    const m = ((k + 2) % 3) * 3;
    const x = cellA[l + 1] * cellA[m + 2] - cellA[l + 2] * cellA[m + 1];
    const y = cellA[l + 2] * cellA[m] - cellA[l] * cellA[m + 2];
    const z = cellA[l] * cellA[m + 1] - cellA[l + 1] * cellA[m];
    const area = Math.hypot(x, y, z);
    out[k] = area > 0 ? vol / area : 0;
  }
  return out;
}

/** True when the cell is diagonal (a ∥ x, b ∥ y, c ∥ z) up to `tolA` in the off-diagonal terms. */
export function isOrthorhombic(cellA: ArrayLike<number>, tolA = 1e-12): boolean {
  return (
    Math.abs(cellA[1]) <= tolA &&
    Math.abs(cellA[2]) <= tolA &&
    Math.abs(cellA[3]) <= tolA &&
    Math.abs(cellA[5]) <= tolA &&
    Math.abs(cellA[6]) <= tolA &&
    Math.abs(cellA[7]) <= tolA
  );
}

/**
 * out = the cell with zero rows replaced by unit vectors so that it is invertible and right-handed
 * where possible (ASE complete_cell): one missing row -> unit normal of the other two; two missing
 * -> an orthonormal completion of the one present; all missing -> identity. Files often give a
 * slab or a molecule a cell with zero vectors along the non-periodic axes. `out` may alias `cellA`.
 */
export function completeCell(out: Float64Array, cellA: ArrayLike<number>): Float64Array {
  for (let q = 0; q < 9; q++) out[q] = cellA[q];
  const missing: number[] = [];
  for (let k = 0; k < 3; k++) {
    if (out[3 * k] === 0 && out[3 * k + 1] === 0 && out[3 * k + 2] === 0) missing.push(k);
  }
  if (missing.length === 3) {
    out.fill(0);
    out[0] = out[4] = out[8] = 1;
  } else if (missing.length === 1) {
    const k = missing[0];
    const l = ((k + 1) % 3) * 3;
    const m = ((k + 2) % 3) * 3;
    // row k = b_l × b_m keeps (a, b, c) right-handed, as in ASE (cross(cell[k-2], cell[k-1])).
    const x = out[l + 1] * out[m + 2] - out[l + 2] * out[m + 1];
    const y = out[l + 2] * out[m] - out[l] * out[m + 2];
    const z = out[l] * out[m + 1] - out[l + 1] * out[m];
    const norm = Math.hypot(x, y, z);
    if (norm === 0) throw new Error('completeCell: the two given cell vectors are parallel');
    out[3 * k] = x / norm;
    out[3 * k + 1] = y / norm;
    out[3 * k + 2] = z / norm;
  } else if (missing.length === 2) {
    const p = [0, 1, 2].find((k) => !missing.includes(k)) as number;
    const vx = out[3 * p], vy = out[3 * p + 1], vz = out[3 * p + 2];
    const vn = Math.hypot(vx, vy, vz);
    const ux = vx / vn, uy = vy / vn, uz = vz / vn;
    // helper axis: the Cartesian axis least aligned with v
    const ax = Math.abs(ux), ay = Math.abs(uy), az = Math.abs(uz);
    const e = ax <= ay && ax <= az ? [1, 0, 0] : ay <= az ? [0, 1, 0] : [0, 0, 1];
    const d = e[0] * ux + e[1] * uy + e[2] * uz;
    let px = e[0] - d * ux, py = e[1] - d * uy, pz = e[2] - d * uz;
    const pn = Math.hypot(px, py, pz);
    px /= pn; py /= pn; pz /= pn;
    const qx = uy * pz - uz * py, qy = uz * px - ux * pz, qz = ux * py - uy * px;
    // rows after p in cyclic order get (p⊥, u × p⊥): (u, p⊥, u×p⊥) is right-handed.
    const r1 = (p + 1) % 3, r2 = (p + 2) % 3;
    out[3 * r1] = px; out[3 * r1 + 1] = py; out[3 * r1 + 2] = pz;
    out[3 * r2] = qx; out[3 * r2 + 1] = qy; out[3 * r2 + 2] = qz;
  }
  return out;
}

/** Reduced description of a (possibly partly) periodic cell; see reduceCell. */
export interface ReducedCell {
  /**
   * [9] rows: periodic rows reduced (short, nearly orthogonal vectors spanning the same lattice),
   * non-periodic rows replaced by an orthonormal complement of the periodic span.
   */
  cellA: Float64Array;
  /**
   * [9] integer matrix T (row-major) with reduced periodic row r = Σ_c T[r,c] · original row c.
   * An image offset n in the reduced basis is n·T in the original basis. Identity on
   * non-periodic rows (whose offsets are always 0).
   */
  transform: Float64Array;
  /** True when T is the identity (the given periodic vectors were already reduced). */
  identity: boolean;
}

/**
 * Lattice reduction of the periodic cell vectors (pairwise Gauss-Lagrange reduction plus the
 * b_i ± b_j ± b_k moves, i.e. Minkowski reduction in 3D as in ASE ase/geometry/minkowski_reduction.py,
 * greedy form). The periodic lattice is unchanged; only its description becomes short and
 * well-conditioned, so the number of images a search must visit (bounded by cutoff / heights)
 * stays small even for a cell given as long, nearly coplanar vectors. Non-periodic rows (which
 * carry no translation) are replaced by an orthonormal complement. Throws when a periodic
 * vector is zero or the periodic vectors are linearly dependent.
 */
export function reduceCell(cellA: ArrayLike<number>, pbc: Pbc): ReducedCell {
  const per = [0, 1, 2].filter((k) => pbc[k]);
  for (const k of per) {
    if (cellA[3 * k] === 0 && cellA[3 * k + 1] === 0 && cellA[3 * k + 2] === 0) {
      throw new Error(`reduceCell: axis ${k} is periodic but its cell vector is zero`);
    }
  }
  const T = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const B = new Float64Array(9);
  const setRow = (r: number) => {
    for (let c = 0; c < 3; c++) {
      B[3 * r + c] = T[3 * r] * cellA[c] + T[3 * r + 1] * cellA[3 + c] + T[3 * r + 2] * cellA[6 + c];
    }
  };
  const dot = (i: number, j: number) => B[3 * i] * B[3 * j] + B[3 * i + 1] * B[3 * j + 1] + B[3 * i + 2] * B[3 * j + 2];
  /** Replace row i by row i + Σ coef_c row c if that is shorter (relative tolerance). */
  const tryMove = (i: number, coefs: [number, number][]): boolean => {
    let x = B[3 * i], y = B[3 * i + 1], z = B[3 * i + 2];
    for (const [c, m] of coefs) {
      x += m * B[3 * c];
      y += m * B[3 * c + 1];
      z += m * B[3 * c + 2];
    }
    if (!(x * x + y * y + z * z < dot(i, i) * (1 - 1e-12))) return false;
    for (const [c, m] of coefs) for (let q = 0; q < 3; q++) T[3 * i + q] += m * T[3 * c + q];
    setRow(i);
    return true;
  };
  for (const k of per) setRow(k);
  let changed = true;
  for (let iter = 0; changed && iter < 10000; iter++) {
    changed = false;
    for (const i of per) {
      for (const j of per) {
        if (i === j) continue;
        const mu = Math.round(dot(i, j) / dot(j, j));
        if (mu !== 0 && tryMove(i, [[j, -mu]])) changed = true;
      }
    }
    if (per.length === 3) {
      for (const i of per) {
        const j = (i + 1) % 3, k = (i + 2) % 3;
        for (const sj of [-1, 1]) for (const sk of [-1, 1]) if (tryMove(i, [[j, sj], [k, sk]])) changed = true;
      }
    }
  }
  // non-periodic rows: orthonormal complement of the periodic span
  if (per.length === 0) {
    B.set([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  } else if (per.length === 2) {
    const r = [0, 1, 2].find((k) => !pbc[k]) as number;
    const l = ((r + 1) % 3) * 3, m = ((r + 2) % 3) * 3;
    const x = B[l + 1] * B[m + 2] - B[l + 2] * B[m + 1];
    const y = B[l + 2] * B[m] - B[l] * B[m + 2];
    const z = B[l] * B[m + 1] - B[l + 1] * B[m];
    const norm = Math.hypot(x, y, z);
    if (!(norm > 0)) throw new Error('reduceCell: the two periodic cell vectors are parallel');
    B[3 * r] = x / norm; B[3 * r + 1] = y / norm; B[3 * r + 2] = z / norm;
  } else if (per.length === 1) {
    const p = per[0];
    const one = new Float64Array(9);
    one.set(B.subarray(3 * p, 3 * p + 3), 3 * p);
    completeCell(B, one);
  }
  if (per.length === 3) invert3(new Float64Array(9), B); // throws when singular
  let identity = true;
  for (let q = 0; q < 9; q++) if (T[q] !== (q % 4 === 0 ? 1 : 0)) identity = false;
  return { cellA: B, transform: T, identity };
}

/**
 * Fractional coordinates: out[3i+k] = (r_i · cell⁻¹)_k for positions [3N] Å. `inverseCell` [9]
 * may be passed to avoid recomputing it. `out` may alias `positionsA`.
 */
export function cartesianToFractional(
  out: Float64Array,
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number>,
  inverseCell?: ArrayLike<number>,
): Float64Array {
  const inv = inverseCell ?? invert3(new Float64Array(9), cellA);
  const n3 = positionsA.length;
  for (let q = 0; q < n3; q += 3) {
    const x = positionsA[q], y = positionsA[q + 1], z = positionsA[q + 2];
    out[q] = x * inv[0] + y * inv[3] + z * inv[6];
    out[q + 1] = x * inv[1] + y * inv[4] + z * inv[7];
    out[q + 2] = x * inv[2] + y * inv[5] + z * inv[8];
  }
  return out;
}

/** Cartesian positions [3N] Å from fractional [3N]: r = s · cell. `out` may alias `fractional`. */
export function fractionalToCartesian(
  out: Float64Array,
  fractional: ArrayLike<number>,
  cellA: ArrayLike<number>,
): Float64Array {
  const n3 = fractional.length;
  for (let q = 0; q < n3; q += 3) {
    const s0 = fractional[q], s1 = fractional[q + 1], s2 = fractional[q + 2];
    out[q] = s0 * cellA[0] + s1 * cellA[3] + s2 * cellA[6];
    out[q + 1] = s0 * cellA[1] + s1 * cellA[4] + s2 * cellA[7];
    out[q + 2] = s0 * cellA[2] + s1 * cellA[5] + s2 * cellA[8];
  }
  return out;
}

/**
 * Wrap positions [3N] Å into the cell along periodic axes only (ASE wrap_positions with the
 * default center 0.5): fractional coordinates end in [-eps, 1 - eps) so that atoms sitting on a
 * face within `eps` stay put instead of jumping to the opposite face. Non-periodic coordinates
 * are untouched. The result is r - n·cell computed from r itself (no round trip through
 * fractional coordinates), so unmoved atoms keep their bits. `outShifts` [3N], if given, receives
 * the integer lattice shifts n (original = wrapped + n·cell). `out` may alias `positionsA`.
 */
export function wrapPositions(
  out: Float64Array,
  positionsA: ArrayLike<number>,
  cellA: ArrayLike<number>,
  pbc: Pbc,
  options: { eps?: number; outShifts?: Int32Array } = {},
): Float64Array {
  const eps = options.eps ?? 1e-7;
  const shifts = options.outShifts;
  const inv = invert3(new Float64Array(9), completeCell(new Float64Array(9), cellA));
  const p0 = pbc[0], p1 = pbc[1], p2 = pbc[2];
  const n3 = positionsA.length;
  for (let q = 0; q < n3; q += 3) {
    const x = positionsA[q], y = positionsA[q + 1], z = positionsA[q + 2];
    const n0 = p0 ? Math.floor(x * inv[0] + y * inv[3] + z * inv[6] + eps) : 0;
    const n1 = p1 ? Math.floor(x * inv[1] + y * inv[4] + z * inv[7] + eps) : 0;
    const n2 = p2 ? Math.floor(x * inv[2] + y * inv[5] + z * inv[8] + eps) : 0;
    out[q] = x - (n0 * cellA[0] + n1 * cellA[3] + n2 * cellA[6]);
    out[q + 1] = y - (n0 * cellA[1] + n1 * cellA[4] + n2 * cellA[7]);
    out[q + 2] = z - (n0 * cellA[2] + n1 * cellA[5] + n2 * cellA[8]);
    if (shifts) {
      shifts[q] = n0;
      shifts[q + 1] = n1;
      shifts[q + 2] = n2;
    }
  }
  return out;
}

const DEG = Math.PI / 180;

/** cos of an angle in degrees, exactly 0 at ±90° (as ASE does, to keep orthorhombic cells exact). */
function cosDeg(angleDeg: number): number {
  return Math.abs(Math.abs(angleDeg) - 90) < 2e-14 ? 0 : Math.cos(angleDeg * DEG);
}

/**
 * Cell [9] from lengths a, b, c (Å) and angles α (b,c), β (a,c), γ (a,b) in degrees, in ASE's
 * cellpar_to_cell convention: a along x, b in the xy-plane, c completing a right-handed cell.
 * Throws when the angles cannot form a cell.
 */
export function cellFromParameters(
  lengthsA: readonly [number, number, number],
  anglesDeg: readonly [number, number, number],
  out: Float64Array = new Float64Array(9),
): Float64Array {
  const [a, b, c] = lengthsA;
  const [alpha, beta, gamma] = anglesDeg;
  const cosAlpha = cosDeg(alpha);
  const cosBeta = cosDeg(beta);
  let cosGamma: number, sinGamma: number;
  if (Math.abs(gamma - 90) < 2e-14) {
    cosGamma = 0;
    sinGamma = 1;
  } else if (Math.abs(gamma + 90) < 2e-14) {
    cosGamma = 0;
    sinGamma = -1;
  } else {
    cosGamma = Math.cos(gamma * DEG);
    sinGamma = Math.sin(gamma * DEG);
  }
  const cx = cosBeta;
  const cy = (cosAlpha - cosBeta * cosGamma) / sinGamma;
  const czSq = 1 - cx * cx - cy * cy;
  if (!(czSq >= 0)) throw new Error(`cellFromParameters: angles (${alpha}, ${beta}, ${gamma})° do not form a cell`);
  const cz = Math.sqrt(czSq);
  out[0] = a; out[1] = 0; out[2] = 0;
  out[3] = b * cosGamma; out[4] = b * sinGamma; out[5] = 0;
  out[6] = c * cx; out[7] = c * cy; out[8] = c * cz;
  return out;
}

/** Lengths (Å) and angles α, β, γ (degrees) of a cell (ASE cell_to_cellpar; 90° for a zero vector). */
export function cellParameters(cellA: ArrayLike<number>): {
  lengthsA: [number, number, number];
  anglesDeg: [number, number, number];
} {
  const len = [0, 1, 2].map((k) => Math.hypot(cellA[3 * k], cellA[3 * k + 1], cellA[3 * k + 2]));
  const angles = [0, 1, 2].map((k) => {
    const j = (k + 1) % 3;
    const l = (k + 2) % 3;
    const ll = len[j] * len[l];
    if (!(ll > 1e-16)) return 90;
    const dot = cellA[3 * j] * cellA[3 * l] + cellA[3 * j + 1] * cellA[3 * l + 1] + cellA[3 * j + 2] * cellA[3 * l + 2];
    return Math.acos(Math.min(1, Math.max(-1, dot / ll))) / DEG;
  });
  return {
    lengthsA: [len[0], len[1], len[2]],
    anglesDeg: [angles[0], angles[1], angles[2]],
  };
}
