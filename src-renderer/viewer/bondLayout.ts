// Bonds as pairs of half-cylinders, each coloured like the atom it starts from.
// The split point leaves equal visible lengths on both sides: s = L/2 + (r_i - r_j)/2 from atom
// i (r = drawn radius). Candidate pairs come from a Verlet list (bonds.ts), so each pair is
// checked against its own cutoff reach_i + reach_j (reach = factor x covalent radius) here.
// Periodic boundaries: without wrapping, a bond whose partner is a periodic image (n != 0) is
// skipped, because that image is not drawn. With wrapping (`shifts` given) every bond is drawn:
// the image in the wrapped frame is n' = n + s_j - s_i (r = w + s·C); when n' != 0 each atom
// gets its own half pointing towards the other atom's image, i.e. a stub leaving the cell.
import { writeSegmentMatrix } from './instanceMath';
import type { PairList } from './bonds';

export interface BondLayoutResult {
  /** Half-cylinder instances written. */
  halves: number;
  /** Bonds drawn (full bonds plus boundary bonds drawn as two stubs). */
  bonds: number;
}

/**
 * @param matrices out, [16 * 2 * pairs.count] at least
 * @param colors out, [3 * 2 * pairs.count] linear RGB
 * @param centersA [3N] drawn atom centres, Å (wrapped when `shifts` is given)
 * @param radiiA [N] drawn radii, Å
 * @param reachA [N] factor x covalent radius, Å: bonded when d < reach_i + reach_j
 * @param shifts [3N] integer wraps s with raw = drawn + s·C, or null when drawing raw positions
 * @param atomColors [3N] linear RGB per atom
 */
export function layoutBonds(
  matrices: Float32Array,
  colors: Float32Array,
  pairs: PairList,
  centersA: ArrayLike<number>,
  radiiA: ArrayLike<number>,
  reachA: ArrayLike<number>,
  cellA: ArrayLike<number> | null,
  shifts: Int32Array | null,
  bondRadiusA: number,
  atomColors: ArrayLike<number>,
  minDistanceA = 0.1,
): BondLayoutResult {
  let h = 0;
  let bonds = 0;
  const I = pairs.i, J = pairs.j, IM = pairs.images;
  const min2 = minDistanceA * minDistanceA;
  for (let k = 0; k < pairs.count; k++) {
    const i = I[k];
    const j = J[k];
    let n0 = IM[3 * k], n1 = IM[3 * k + 1], n2 = IM[3 * k + 2];
    if (shifts) {
      n0 += shifts[3 * j] - shifts[3 * i];
      n1 += shifts[3 * j + 1] - shifts[3 * i + 1];
      n2 += shifts[3 * j + 2] - shifts[3 * i + 2];
    } else if (n0 !== 0 || n1 !== 0 || n2 !== 0) {
      continue;
    }
    let sx = 0, sy = 0, sz = 0;
    if (n0 !== 0 || n1 !== 0 || n2 !== 0) {
      if (cellA === null) continue;
      sx = n0 * cellA[0] + n1 * cellA[3] + n2 * cellA[6];
      sy = n0 * cellA[1] + n1 * cellA[4] + n2 * cellA[7];
      sz = n0 * cellA[2] + n1 * cellA[5] + n2 * cellA[8];
    }
    const ix = centersA[3 * i], iy = centersA[3 * i + 1], iz = centersA[3 * i + 2];
    const jx = centersA[3 * j], jy = centersA[3 * j + 1], jz = centersA[3 * j + 2];
    const dx = jx + sx - ix, dy = jy + sy - iy, dz = jz + sz - iz;
    const d2 = dx * dx + dy * dy + dz * dz;
    const cut = reachA[i] + reachA[j];
    if (d2 >= cut * cut || d2 < min2) continue;
    const len = Math.sqrt(d2);
    let s = 0.5 * len + 0.5 * (radiiA[i] - radiiA[j]);
    if (s < 0) s = 0;
    if (s > len) s = len;
    const fi = s / len;
    const fj = 1 - fi;
    writeSegmentMatrix(matrices, 16 * h, ix, iy, iz, ix + dx * fi, iy + dy * fi, iz + dz * fi, bondRadiusA);
    colors[3 * h] = atomColors[3 * i];
    colors[3 * h + 1] = atomColors[3 * i + 1];
    colors[3 * h + 2] = atomColors[3 * i + 2];
    h++;
    writeSegmentMatrix(matrices, 16 * h, jx, jy, jz, jx - dx * fj, jy - dy * fj, jz - dz * fj, bondRadiusA);
    colors[3 * h] = atomColors[3 * j];
    colors[3 * h + 1] = atomColors[3 * j + 1];
    colors[3 * h + 2] = atomColors[3 * j + 2];
    h++;
    bonds++;
  }
  return { halves: h, bonds };
}
