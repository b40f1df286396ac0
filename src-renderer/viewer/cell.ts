// Unit-cell helpers for drawing: the inverse of the cell matrix, wrapping positions into the
// cell (fractional coordinates f = r C^-1, f mod 1 on periodic axes, r = f C; rows of C are
// a, b, c), and the 12 edges of the cell parallelepiped as line-segment vertices.
import { completeCell } from '../../src-shared/space/cell';

/** out = inverse of the 3x3 row-major m. Returns false (out untouched) when singular. */
export function invert3(out: Float64Array, m: ArrayLike<number>): boolean {
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return false;
  const s = 1 / det;
  out[0] = A * s;
  out[1] = -(b * i - c * h) * s;
  out[2] = (b * f - c * e) * s;
  out[3] = B * s;
  out[4] = (a * i - c * g) * s;
  out[5] = -(a * f - c * d) * s;
  out[6] = C * s;
  out[7] = -(a * h - b * g) * s;
  out[8] = (a * e - b * d) * s;
  return true;
}

const completed = new Float64Array(9);

/**
 * Wraps positions into the cell along periodic axes, as ASE's wrap_positions (and
 * src-shared/space/cell.ts) do: s = floor(f + eps) with f = r C^-1 on periodic axes (0 on the
 * others) and out = r - s·C, so fractional coordinates end in [-eps, 1 - eps) and atoms sitting on
 * a face do not jump to the opposite one. Zero cell rows (slabs, wires) are completed before
 * inverting. `inv` is scratch [9]. Without a cell or periodic axis, out = positions, s = 0.
 * @param out [3N] Å (may alias positionsA)
 * @param positionsA [3N] Å
 * @param shifts out [3N] integer wraps s (raw = out + s·C), or null
 */
export function wrapPositions(
  out: Float32Array | Float64Array,
  positionsA: ArrayLike<number>,
  n: number,
  cellA: ArrayLike<number> | null,
  pbc: readonly [boolean, boolean, boolean],
  inv: Float64Array,
  shifts: Int32Array | null = null,
  eps = 1e-7,
): void {
  const periodic = cellA !== null && (pbc[0] || pbc[1] || pbc[2]);
  if (!periodic || !invert3(inv, completeCell(completed, cellA))) {
    if (out !== positionsA) for (let k = 0; k < 3 * n; k++) out[k] = positionsA[k];
    if (shifts) shifts.fill(0, 0, 3 * n);
    return;
  }
  const C = cellA;
  for (let a = 0; a < n; a++) {
    const x = positionsA[3 * a];
    const y = positionsA[3 * a + 1];
    const z = positionsA[3 * a + 2];
    const s0 = pbc[0] ? Math.floor(x * inv[0] + y * inv[3] + z * inv[6] + eps) : 0;
    const s1 = pbc[1] ? Math.floor(x * inv[1] + y * inv[4] + z * inv[7] + eps) : 0;
    const s2 = pbc[2] ? Math.floor(x * inv[2] + y * inv[5] + z * inv[8] + eps) : 0;
    out[3 * a] = x - (s0 * C[0] + s1 * C[3] + s2 * C[6]);
    out[3 * a + 1] = y - (s0 * C[1] + s1 * C[4] + s2 * C[7]);
    out[3 * a + 2] = z - (s0 * C[2] + s1 * C[5] + s2 * C[8]);
    if (shifts) {
      shifts[3 * a] = s0;
      shifts[3 * a + 1] = s1;
      shifts[3 * a + 2] = s2;
    }
  }
}

/**
 * The 12 cell edges as 24 vertices [72] (pairs for THREE.LineSegments). The first three segments
 * are the a, b and c vectors from the origin (drawn in axis colours).
 */
export function cellEdgeVertices(
  cellA: ArrayLike<number>,
  out: Float32Array = new Float32Array(72),
): Float32Array {
  const a = [cellA[0], cellA[1], cellA[2]];
  const b = [cellA[3], cellA[4], cellA[5]];
  const c = [cellA[6], cellA[7], cellA[8]];
  const corner = (i: number, j: number, k: number, o: number) => {
    for (let d = 0; d < 3; d++) out[o + d] = i * a[d] + j * b[d] + k * c[d];
  };
  const edges: [number, number, number, number, number, number][] = [
    [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1],
    [1, 0, 0, 1, 1, 0], [1, 0, 0, 1, 0, 1], [0, 1, 0, 1, 1, 0],
    [0, 1, 0, 0, 1, 1], [0, 0, 1, 1, 0, 1], [0, 0, 1, 0, 1, 1],
    [1, 1, 0, 1, 1, 1], [1, 0, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1],
  ];
  edges.forEach(([i0, j0, k0, i1, j1, k1], e) => {
    corner(i0, j0, k0, 6 * e);
    corner(i1, j1, k1, 6 * e + 3);
  });
  return out;
}
